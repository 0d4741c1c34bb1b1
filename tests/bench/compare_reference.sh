#!/usr/bin/env bash
# Measures bourse-bench against a reference order book on the same command stream. The two
# take turns on the same machine, so a change in its load affects both, and the script prints
# each median and the ratio bourse / reference. Quote the engine's speed as this ratio, because
# absolute rates move with the machine, its load and its frequency scaling.
#
#   tests/bench/compare_reference.sh REF_CPP STREAM [RUNS]
#
#   REF_CPP  C++ source of the reference book. It is built with g++ -std=c++20 -O2 -DNDEBUG,
#            runs as `reference STREAM RUNS` and prints "N resting" and "median R commands/s".
#   STREAM   a command stream of 16-byte records (see docs/performance.md)
#   RUNS     timed replays per invocation, at least 5 (default 5)
#
# Environment: BOURSE_BENCH is the bourse-bench executable (default: build/app/bench/ under
# the repository). ROUNDS is how many times each program runs, alternating (default 3).
# Exits 1 when the two books end with different resting counts, as one of them is then wrong.
set -euo pipefail

usage() {
    echo "usage: $0 REF_CPP STREAM [RUNS]" >&2
    exit 2
}

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

echo "stream: $stream, $runs runs per invocation, $rounds rounds"
: >"$work/reference.rates"
: >"$work/bourse.rates"
for round in $(seq "$rounds"); do
    reference_output=$("$work/reference" "$stream" "$runs")
    reference_rate=$(sed -n 's/.*median \([0-9.]*\) commands\/s.*/\1/p' <<<"$reference_output")
    reference_resting=$(sed -n 's/.* \([0-9]*\) resting.*/\1/p' <<<"$reference_output")
    [ -n "$reference_rate" ] || fail "unexpected reference output: $reference_output"

    bourse_output=$("$bench" engine --stream "$stream" --runs "$runs" --json)
    bourse_rate=$(json_number commands_per_second <<<"$bourse_output")
    bourse_resting=$(json_number resting <<<"$bourse_output")

    echo "round $round: reference $reference_rate commands/s, bourse $bourse_rate commands/s"
    echo "$reference_rate" >>"$work/reference.rates"
    echo "$bourse_rate" >>"$work/bourse.rates"
done

reference_median=$(median <"$work/reference.rates")
bourse_median=$(median <"$work/bourse.rates")
echo "reference median: $reference_median commands/s ($reference_resting resting)"
echo "bourse median: $bourse_median commands/s ($bourse_resting resting)"
awk -v b="$bourse_median" -v r="$reference_median" \
    'BEGIN { printf "ratio bourse/reference: %.2f\n", b / r }'

if [ "$reference_resting" != "$bourse_resting" ]; then
    fail "resting orders differ: reference $reference_resting, bourse $bourse_resting"
fi
