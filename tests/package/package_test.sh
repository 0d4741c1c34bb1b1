#!/usr/bin/env bash
# Builds the .deb and .tar.gz with CPack from a finished build, checks their contents against
# expected_contents.txt and runs lintian. Then it installs the .deb, runs the installed
# programs (a LOBSTER replay among them), and removes and purges the package, checking that
# it leaves nothing behind.
#
# With root, or sudo without a password, the package is installed on this machine with
# apt-get, which resolves its dependencies the way a user's installation does. It is purged at
# the end, also when a check fails or the test is interrupted, but not when it is killed with
# SIGKILL. In three cases the .deb is unpacked into a temporary folder instead, and only
# apt-get's simulation checks its dependencies: without root or sudo, when a package named
# bourse is installed already (the test must not replace it), and when
# BOURSE_PACKAGE_TEST_UNPACK is 1.
#
#   package_test.sh BUILD_DIR SOURCE_DIR WORK_DIR VERSION DEFAULT_DATA_DIR
set -euo pipefail

build_dir=$1
source_dir=$2
work_dir=$3
version=$4
data_dir=${BOURSE_DATA_DIR:-$5}

expected_list=$source_dir/tests/package/expected_contents.txt
deb=$work_dir/out/bourse_${version}_$(dpkg --print-architecture).deb
tgz=$work_dir/out/bourse-$version-linux-$(uname -m).tar.gz
lobster_day=$data_dir/lobster/GOOG_2012-06-21_34200000_57600000

step() { printf '\n== %s\n' "$*"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

for tool in dpkg-deb dpkg-shlibdeps lintian desktop-file-validate appstreamcli systemd-analyze; do
    command -v "$tool" >/dev/null ||
        fail "$tool is missing: install the packages in build.sh's list (./build.sh build does)"
done

sudo=()
mode=system
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        mode=unpacked
    fi
fi
if dpkg-query -W -f='${Status}' bourse 2>/dev/null | grep -q 'install ok installed'; then
    echo "a package named bourse is installed already; the test leaves it alone and unpacks"
    mode=unpacked
fi
[ "${BOURSE_PACKAGE_TEST_UNPACK:-0}" = 1 ] && mode=unpacked

rm -rf "$work_dir"
mkdir -p "$work_dir/out" "$work_dir/home"

step "building the packages with CPack"
started=$(date +%s)
(cd "$build_dir" && cpack -G "DEB;TGZ" -B "$work_dir/out" >"$work_dir/cpack.log") ||
    { cat "$work_dir/cpack.log"; fail "cpack failed"; }
echo "cpack took $(($(date +%s) - started)) s"
ls -l "$deb" "$tgz"

step "checking the contents against $expected_list"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $1, $2, $6 ($7 == "->" ? " -> " $8 : "") }' |
    sort -k3 >"$work_dir/contents.txt"
grep -v '^#' "$expected_list" | sort -k3 >"$work_dir/expected.txt"
diff -u "$work_dir/expected.txt" "$work_dir/contents.txt" ||
    fail "the .deb's files differ from $expected_list (- expected, + in the package)"
awk '{ print $3 }' "$work_dir/contents.txt" | sed 's|^\./||' >"$work_dir/deb-files.txt"
tar -tzf "$tgz" | grep -v '/$' | sed 's|^[^/]*/||' | sort >"$work_dir/tgz-files.txt"
sort "$work_dir/deb-files.txt" | diff -u - "$work_dir/tgz-files.txt" ||
    fail "the .tar.gz's files differ from the .deb's (- .deb, + .tar.gz)"

step "checking the control fields"
[ "$(dpkg-deb -f "$deb" Package)" = bourse ] || fail "package name is not bourse"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# dpkg-shlibdeps computes these from the binaries, each with a minimum version.
for library in libc6 libqt6core6 libqt6widgets6 libsqlite3-0 libzmq5; do
    grep -Eq "(^|, )$library \(>= [^)]+\)" <<<"$depends" ||
        fail "Depends lacks '$library (>= VERSION)': dpkg-shlibdeps did not run on the binaries"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$work_dir/conffiles"
printf '/etc/bourse/serve.access\n/etc/bourse/serve.conf\n' | diff -u - "$work_dir/conffiles" ||
    fail "conffiles differ"
changelog_version=$(sed -n '1s/^bourse (\([^)]*\)).*/\1/p' "$source_dir/installer/debian/changelog")
[ "$changelog_version" = "$version" ] ||
    fail "installer/debian/changelog starts with $changelog_version, not $version: add an entry"

step "lintian"
# Errors fail the test. Warnings and lower are printed for a person to read.
lintian --fail-on error --display-level '>=info' "$deb" | tee "$work_dir/lintian.txt" ||
    fail "lintian reported errors"
echo "lintian: $(grep -c '^W:' "$work_dir/lintian.txt" || true) warning(s)," \
    "$(grep -c '^I:' "$work_dir/lintian.txt" || true) info tag(s)"

step "validating the desktop entry, the AppStream metadata and the systemd unit"
mkdir -p "$work_dir/extracted"
dpkg-deb -x "$deb" "$work_dir/extracted"
extracted=$work_dir/extracted
desktop-file-validate "$extracted/usr/share/applications/io.github.bourse.Bourse.desktop"
appstreamcli validate --no-net "$extracted/usr/share/metainfo/io.github.bourse.Bourse.metainfo.xml"
# The threshold counts tenths: the test fails when the unit's exposure rises above 2.0.
systemd-analyze security --offline=true --threshold=20 \
    "$extracted/lib/systemd/system/bourse-engine.service" | tail -1
# The installed unit runs bourse-engine serve with the installed configuration.
grep -qx 'ExecStart=/usr/bin/bourse-engine serve --config /etc/bourse/serve.conf' \
    "$extracted/lib/systemd/system/bourse-engine.service" || fail "unexpected ExecStart"

installed_root=$extracted
if [ "$mode" = system ]; then
    step "installing with apt-get install $deb"
    # Package tests of other build folders on this machine wait for this one to purge.
    exec 9>/tmp/bourse-package-test.lock
    flock -w 600 9 || fail "another package test holds /tmp/bourse-package-test.lock"
    # Whatever fails from here on, the package does not stay installed.
    cleanup() {
        if dpkg-query -W -f='${Status}' bourse 2>/dev/null | grep -qv 'not-installed'; then
            echo "purging bourse after a failure"
            DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get purge -y -q bourse >/dev/null ||
                true
        fi
    }
    trap cleanup EXIT
    trap 'exit 1' INT TERM
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "$deb" \
        >"$work_dir/install.log" || { cat "$work_dir/install.log"; fail "apt-get install failed"; }
    tail -3 "$work_dir/install.log"
    installed_root=
    dpkg-query -W -f='${Status}\n' bourse | grep -q 'install ok installed' ||
        fail "bourse is not installed after apt-get install"
    # systemd-analyze verify needs the unit's binary and manual page in place.
    systemd-analyze verify /lib/systemd/system/bourse-engine.service
    # An operator enables the unit with systemctl, which works without a running systemd too;
    # the purge below must remove the link it makes.
    wants_link=/etc/systemd/system/multi-user.target.wants/bourse-engine.service
    "${sudo[@]}" systemctl enable bourse-engine.service >/dev/null 2>&1 ||
        fail "systemctl enable bourse-engine.service failed"
    [ -L "$wants_link" ] || fail "systemctl enable made no $wants_link"
else
    step "unpacked into $extracted; checking the dependencies with apt-get's simulation"
    apt-get install -s -q "$deb" >"$work_dir/install.log" ||
        { cat "$work_dir/install.log"; fail "apt-get cannot satisfy the package's dependencies"; }
fi

engine=$installed_root/usr/bin/bourse-engine
terminal=$installed_root/usr/bin/bourse

step "running the installed programs"
[ "$("$engine" --version)" = "bourse-engine $version" ] ||
    fail "$engine --version printed '$("$engine" --version)', not 'bourse-engine $version'"
# Every file the terminal writes goes under these XDG folders, inside the work folder.
export HOME=$work_dir/home XDG_CONFIG_HOME=$work_dir/home/config
export XDG_DATA_HOME=$work_dir/home/data XDG_CACHE_HOME=$work_dir/home/cache
export XDG_STATE_HOME=$work_dir/home/state XDG_RUNTIME_DIR=$work_dir/runtime
export QT_QPA_PLATFORM=offscreen
mkdir -m 700 "$XDG_RUNTIME_DIR"
terminal_version=$("$terminal" --version)
grep -q " $version\$" <<<"$terminal_version" ||
    fail "$terminal --version printed '$terminal_version', without $version"
[ "$terminal_version" = "$("$build_dir/app/bourse" --version)" ] ||
    fail "$terminal --version differs from the build's bourse --version"

if [ -f "${lobster_day}_message_10.csv" ] && [ -f "${lobster_day}_orderbook_10.csv" ]; then
    step "replaying a LOBSTER day with the installed bourse-engine"
    "$engine" replay --lobster "${lobster_day}_message_10.csv" \
        --orderbook "${lobster_day}_orderbook_10.csv" --levels 10 --json >"$work_dir/replay.json"
    cat "$work_dir/replay.json"
    # The message count and the executions (types 4 and 5) come from the file itself.
    messages=$(wc -l <"${lobster_day}_message_10.csv")
    trades=$(awk -F, '$2 == 4 || $2 == 5' "${lobster_day}_message_10.csv" | wc -l)
    grep -q "\"messages\":$messages," "$work_dir/replay.json" || fail "not $messages messages"
    grep -q "\"trades\":$trades," "$work_dir/replay.json" || fail "not $trades trades"
    grep -q '"mismatches":0,' "$work_dir/replay.json" || fail "the book differs from LOBSTER's"
    # The installed, stripped binary computes the same engine state as the one in the build.
    built_hash=$("$build_dir/app/bourse-engine" replay --lobster "${lobster_day}_message_10.csv" \
        --orderbook "${lobster_day}_orderbook_10.csv" --levels 10 --json |
        grep -o '"state_hash":"[0-9a-f]*"')
    grep -qF "$built_hash" "$work_dir/replay.json" || fail "state hash differs from $built_hash"

    step "replaying the same day in the installed terminal, headless"
    "$terminal" --replay "${lobster_day}_message_10.csv" --no-journal \
        --screenshot "$work_dir/terminal.png" --after-ms 1500
    [ -s "$work_dir/terminal.png" ] || fail "the terminal wrote no screenshot"
else
    echo "SKIPPED: LOBSTER replay: ${lobster_day}_message_10.csv or its orderbook file is" \
        "missing; set BOURSE_DATA_DIR to the folder that holds lobster/"
fi

step "starting the installed server on the installed configuration"
# The unit's paths, moved into the work folder: the state folder and free loopback ports.
state=$work_dir/state
mkdir -m 700 "$state"
sed -e "s|/var/lib/bourse/|$state/|" -e 's|tcp://127.0.0.1:740[123]|tcp://127.0.0.1:*|' \
    -e "s|^access-list /etc/bourse/|access-list $installed_root/etc/bourse/|" \
    "$installed_root/etc/bourse/serve.conf" >"$work_dir/serve.conf"
"$engine" keygen --out "$state/server" >/dev/null
"$engine" serve --config "$work_dir/serve.conf" >"$work_dir/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    grep -q 'serving:' "$work_dir/serve.log" && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
kill -TERM "$server" 2>/dev/null || true
status=0
wait "$server" || status=$?
cat "$work_dir/serve.log"
grep -q 'serving:' "$work_dir/serve.log" || fail "the server did not start on serve.conf"
[ "$status" -eq 0 ] || fail "the server exited with $status after SIGTERM, not 0"
[ -f "$state/market.journal" ] || fail "the server wrote no journal in its state folder"

if [ "$mode" = system ]; then
    step "removing the package"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get remove -y -q bourse >/dev/null
    dpkg-query -W -f='${Status}\n' bourse | grep -q 'deinstall ok config-files' ||
        fail "bourse is not in the config-files state after apt-get remove"
    while read -r path; do
        case "/$path" in
            /etc/bourse/serve.conf | /etc/bourse/serve.access)
                [ -f "/$path" ] || fail "remove deleted the conffile /$path" ;;
            *) [ ! -e "/$path" ] || fail "/$path is left after apt-get remove" ;;
        esac
    done <"$work_dir/deb-files.txt"

    step "purging the package"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get purge -y -q bourse >/dev/null
    ! dpkg-query -W -f='${Status}\n' bourse 2>/dev/null | grep -qv 'not-installed' ||
        fail "bourse is still known to dpkg after apt-get purge"
    while read -r path; do
        [ ! -e "/$path" ] || fail "/$path is left after apt-get purge"
    done <"$work_dir/deb-files.txt"
    for folder in /etc/bourse /usr/share/doc/bourse /usr/share/bourse /var/lib/bourse; do
        [ ! -e "$folder" ] || fail "$folder is left after apt-get purge"
    done
    [ ! -L "$wants_link" ] || fail "$wants_link is left after apt-get purge"
fi

echo
echo "package test passed ($mode): $(du -k "$deb" | cut -f1) KiB .deb," \
    "$(du -k "$tgz" | cut -f1) KiB .tar.gz"
