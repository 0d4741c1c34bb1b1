#!/usr/bin/env bash
# Sets up a Debian 12 machine for Bourse, builds it in Release and then either starts the
# terminal or runs the test suite. Every step is skipped when its work is already done, so a
# second run only rebuilds what changed.
#
#   ./build.sh run [terminal options]   install, build, start the terminal (simulation)
#   ./build.sh test [ctest options]     install, build, run every test through CTest
#   ./build.sh build                    install and build only
set -euo pipefail

root=$(cd "$(dirname "$0")" && pwd)
build_dir=${BOURSE_BUILD_DIR:-$root/build}

packages=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-qpa-plugins libgl-dev
    libsqlite3-dev libzmq3-dev cppzmq-dev nlohmann-json3-dev
    clang libclang-rt-14-dev
    xvfb xauth fonts-dejavu-core unzip
    # The example feed bridge (examples/bybit_feed_bridge.py) and its test.
    python3-zmq
    # Journal replication (engine/cluster) and the three-node cluster its tests start.
    libnats-dev nats-server
    # The PNG icons, CPack's dependency scan and the package test (docs/installing.md).
    librsvg2-bin file lintian desktop-file-utils appstream systemd man-db
)

install_missing_packages() {
    local missing=()
    for package in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'
        then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    echo "build.sh: installing ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "build.sh: root or sudo is needed to install: ${missing[*]}" >&2
            exit 1
        }
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}"
}

configure_and_build() {
    if [ ! -f "$build_dir/build.ninja" ]; then
        cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
    fi
    cmake --build "$build_dir"
}

command=${1:-run}
[ $# -gt 0 ] && shift

case "$command" in
    run)
        install_missing_packages
        configure_and_build
        exec "$build_dir/app/bourse" "$@"
        ;;
    test)
        install_missing_packages
        configure_and_build
        export BOURSE_DATA_DIR=${BOURSE_DATA_DIR:-$root/../shared/data}
        export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
        cd "$build_dir"
        exec ctest --output-on-failure --timeout 600 "$@"
        ;;
    build)
        install_missing_packages
        configure_and_build
        ;;
    *)
        echo "usage: ./build.sh run|test|build [options]" >&2
        exit 2
        ;;
esac
