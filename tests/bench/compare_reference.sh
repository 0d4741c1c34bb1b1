#!/usr/bin/env bash
# Measures bourse-bench against a reference order book on the same command stream. The programs
# take turns on the same machine, so a change in its load affects each of them, and the script
# prints each median and the ratio bourse / reference. Quote the engine's speed as this ratio,
# because absolute rates move with the machine, its load and its frequency scaling.
#
#   tests/bench/compare_reference.sh [--risk] REF_CPP STREAM [RUNS]
#
#   --risk   also run `bourse-bench engine --risk` in each round, and print its ratio to the
#            reference, its ratio to bourse without risk, and the median of its risk check
#            percentiles (p50, p99)
#   REF_CPP  C++ source of the reference book. It is built with g++ -std=c++20 -O2 -DNDEBUG,
#            runs as `reference STREAM RUNS` and prints "N resting" and "median R commands/s".
#   STREAM   a command stream of 16-byte records (see docs/performance.md)
#   RUNS     timed replays per invocation, at least 5 (default 5)
#
# Environment: BOURSE_BENCH is the bourse-bench executable (default: build/app/bench/ under
# the repository). ROUNDS is how many times each program runs, alternating (default 3).
# INTERVAL, with --risk, is passed to bourse-bench as --interval (nanoseconds between commands).
# Exits 1 when the books end with different resting counts, as one of them is then wrong.
set -euo pipefail

usage() {
    echo "usage: $0 [--risk] REF_CPP STREAM [RUNS]" >&2
    exit 2
}

risk=0
if [ "${1:-}" = "--risk" ]; then
    risk=1
    shift
fi
[ $# -ge 2 ] && [ $# -le 3 ] || usage
reference_source=$1
stream=$2
runs=${3:-5}
rounds=${ROUNDS:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BOURSE_BENCH:-$root/build/app/bench/bourse-bench}

fail() {
    echo "$0: $1" >&2
    exit "${2:-1}"
}

[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 5 ] || fail "invalid RUNS '$runs'; expected 5 or more" 2
[[ $rounds =~ ^[1-9][0-9]*$ ]] || fail "invalid ROUNDS '$rounds'; expected a positive number" 2
[ -f "$reference_source" ] || fail "reference source $reference_source not found"
[ -f "$stream" ] || fail "stream $stream not found (unpack .xz streams with xz -dk)"
[ -x "$bench" ] || fail "$bench not found; build bourse-bench or set BOURSE_BENCH"
risk_options=(--risk)
if [ -n "${INTERVAL:-}" ]; then
    [ "$risk" = 1 ] || fail "INTERVAL applies to --risk only" 2
    risk_options+=(--interval "$INTERVAL")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g++ -std=c++20 -O2 -DNDEBUG -o "$work/reference" "$reference_source"

# Prints the middle value of the numbers on standard input (the upper one of an even count).
median() {
    sort -g | awk '{ values[NR] = $1 } END { print values[int(NR / 2) + 1] }'
}

# Prints the value of a numeric key of bourse-bench's one-line JSON report.
json_number() {
    sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p"
}

# Prints the ratio of two rates to three significant digits.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3g", a / b }'
}

# Runs bourse-bench with the given extra options and appends its rate to $work/NAME.rates.
# Sets bourse_rate, bourse_resting and bourse_output.
run_bourse() {
    local name=$1
    shift
    bourse_output=$("$bench" engine --stream "$stream" --runs "$runs" --json "$@")
    bourse_rate=$(json_number commands_per_second <<<"$bourse_output")
    bourse_resting=$(json_number resting <<<"$bourse_output")
    [ -n "$bourse_rate" ] || fail "unexpected bourse-bench output: $bourse_output"
    echo "$bourse_rate" >>"$work/$name.rates"
}

echo "stream: $stream, $runs runs per invocation, $rounds rounds"
[ "$risk" = 0 ] || echo "risk: bourse-bench engine ${risk_options[*]}"
: >"$work/reference.rates"
: >"$work/bourse.rates"
: >"$work/risk.rates"
: >"$work/risk.p50"
: >"$work/risk.p99"
for round in $(seq "$rounds"); do
    reference_output=$("$work/reference" "$stream" "$runs")
    reference_rate=$(sed -n 's/.*median \([0-9.]*\) commands\/s.*/\1/p' <<<"$reference_output")
    reference_resting=$(sed -n 's/.* \([0-9]*\) resting.*/\1/p' <<<"$reference_output")
    [ -n "$reference_rate" ] || fail "unexpected reference output: $reference_output"
    echo "$reference_rate" >>"$work/reference.rates"

    run_bourse bourse
    line="round $round: reference $reference_rate commands/s, bourse $bourse_rate commands/s"
    [ "$reference_resting" = "$bourse_resting" ] ||
        fail "resting orders differ: reference $reference_resting, bourse $bourse_resting"

    if [ "$risk" = 1 ]; then
        run_bourse risk "${risk_options[@]}"
        risk_rejected=$(json_number risk_rejected <<<"$bourse_output")
        json_number risk_check_ns_p50 <<<"$bourse_output" >>"$work/risk.p50"
        json_number risk_check_ns_p99 <<<"$bourse_output" >>"$work/risk.p99"
        line+=", bourse with risk $bourse_rate commands/s ($risk_rejected risk rejections)"
        [ "$reference_resting" = "$bourse_resting" ] ||
            fail "resting orders differ: reference $reference_resting, bourse with risk" \
                "$bourse_resting"
    fi
    echo "$line"
done

reference_median=$(median <"$work/reference.rates")
bourse_median=$(median <"$work/bourse.rates")
echo "reference median: $reference_median commands/s ($reference_resting resting)"
echo "bourse median: $bourse_median commands/s"
echo "ratio bourse/reference: $(ratio "$bourse_median" "$reference_median")"
if [ "$risk" = 1 ]; then
    risk_median=$(median <"$work/risk.rates")
    echo "bourse with risk median: $risk_median commands/s"
    echo "ratio bourse with risk/reference: $(ratio "$risk_median" "$reference_median")"
    echo "ratio bourse with risk/bourse: $(ratio "$risk_median" "$bourse_median")"
    echo "risk check median of the rounds: p50 $(median <"$work/risk.p50") ns," \
        "p99 $(median <"$work/risk.p99") ns"
fi
