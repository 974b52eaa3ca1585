#!/usr/bin/env bash
# import_bench.sh BUILD_DIR: `ipnp import` of a 512x512x300 int16 .nii.gz against its peer,
# `gzip -dc FILE > /dev/null` on the same file. Target: the import takes at most 2x the peer, i.e.
# importing costs little more than the one decompression it cannot avoid.
set -euo pipefail
shopt -s inherit_errexit  # a failing step inside $(...) stops the script too
export LC_ALL=C  # "1.25", not "1,25", from `time`, awk and printf

BUILD_DIR=$(cd "${1:?usage: import_bench.sh BUILD_DIR}" && pwd)
IPNP="$BUILD_DIR/app/ipnp"
MAKE_VOLUME="$BUILD_DIR/bench/bench_make_ct_volume"
REPEATS=3
TARGET_RATIO=2.0

# Generating and compressing the volume takes about half a minute: keep it between runs.
DATA_DIR="$BUILD_DIR/bench-data"
VOLUME="$DATA_DIR/ct_512x512x300.nii.gz"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipnp-import-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Floating-point arithmetic with awk (part of every Debian; bc is not).
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# Median of the numbers on stdin, one per line.
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Runs a command and prints "WALL CPU" in seconds (CPU = user + system, children included).
# Bash's own `time` keyword, so no /usr/bin/time or hyperfine is needed; the command's output
# goes to $WORK/last.log, which a failure prints.
timed() {
    local TIMEFORMAT='%R %U %S' times
    if ! times=$( { time "$@" > "$WORK/last.log" 2>&1; } 2>&1 ); then
        echo "import_bench.sh: failed: $*" >&2
        cat "$WORK/last.log" >&2
        return 1
    fi
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<< "$times"
}

make_volume_once() {
    [ -f "$VOLUME" ] && return 0
    mkdir -p "$DATA_DIR"
    echo "making $VOLUME (once; reruns reuse it)" >&2
    "$MAKE_VOLUME" "$VOLUME"  # writes atomically, so an interrupted run leaves no half file
}

time_gzip_once() {
    timed sh -c 'gzip -dc "$1" > /dev/null' sh "$VOLUME"
}

# Only the import is timed: `init` is a separate command a user runs once per project.
time_import_once() {
    local project="$WORK/project-$1" result
    "$IPNP" init "$project" > /dev/null
    result=$(timed "$IPNP" -p "$project" import "$VOLUME")
    # A run that stored nothing would be a fast run: make sure the scan arrived.
    [ -f "$project/volumes/$(basename "$VOLUME")" ] || { echo "import_bench.sh: the import stored no volume" >&2; return 1; }
    rm -rf "$project"  # each project holds an 87 MB copy of the file
    echo "$result"
}

main() {
    for tool in "$IPNP" "$MAKE_VOLUME"; do
        [ -x "$tool" ] || { echo "import_bench.sh: $tool is missing (build it first)" >&2; exit 1; }
    done
    make_volume_once
    # Both sides read the file from the page cache: warm it before either is timed.
    cat "$VOLUME" > /dev/null

    local gzip_runs="" import_runs="" n
    for n in $(seq "$REPEATS"); do gzip_runs+="$(time_gzip_once)"$'\n'; done
    for n in $(seq "$REPEATS"); do import_runs+="$(time_import_once "$n")"$'\n'; done
    local gzip_s import_s gzip_cpu import_cpu ratio verdict size_mb raw_mb
    gzip_s=$(cut -d' ' -f1 <<< "$gzip_runs" | grep . | median)
    import_s=$(cut -d' ' -f1 <<< "$import_runs" | grep . | median)
    gzip_cpu=$(cut -d' ' -f2 <<< "$gzip_runs" | grep . | median)
    import_cpu=$(cut -d' ' -f2 <<< "$import_runs" | grep . | median)
    ratio=$(calc "$import_s / $gzip_s")
    verdict=$(awk "BEGIN { print ($ratio <= $TARGET_RATIO) ? \"OK\" : \"MISSED\" }")
    size_mb=$(calc "$(stat -c %s "$VOLUME") / 1000000")
    raw_mb=$(calc "512 * 512 * 300 * 2 / 1000000")

    printf 'import 512x512x300 int16 .nii.gz: ipnp %.2f s, gzip -dc %.2f s, ratio %.2f (target <= %s: %s)\n' \
        "$import_s" "$gzip_s" "$ratio" "$TARGET_RATIO" "$verdict"
    printf '  file: %.1f MB compressed, %.1f MB of voxels (gzip level 6)\n' "$size_mb" "$raw_mb"
    # Extra, no target: CPU time shows work that runs in parallel (and would cost wall time on a
    # busy or single-core machine).
    printf '  cpu (user+sys, median): ipnp %.2f s, gzip -dc %.2f s, ratio %.2f\n' \
        "$import_cpu" "$gzip_cpu" "$(calc "$import_cpu / $gzip_cpu")"
    printf '  wall per run: ipnp %s; gzip -dc %s\n' "$(cut -d' ' -f1 <<< "$import_runs" | xargs)" \
        "$(cut -d' ' -f1 <<< "$gzip_runs" | xargs)"
}

main
