#!/usr/bin/env bash
# dicom_import_bench.sh BUILD_DIR: `ipnp import` of a 300-slice 512x512 uncompressed CT series
# into a fresh project against its peer, `dcm2niix -z y -1` converting the same series (both write
# gzip level 1). Target: the import takes at most 1.5x the peer. Median of 3 runs each.
set -euo pipefail
shopt -s inherit_errexit
export LC_ALL=C

BUILD_DIR=$(cd "${1:?usage: dicom_import_bench.sh BUILD_DIR}" && pwd)
IPNP="$BUILD_DIR/app/ipnp"
REPEATS=3
TARGET_RATIO=1.5
command -v dcm2niix > /dev/null || { echo "dicom_import_bench.sh: dcm2niix is not installed (apt-get install dcm2niix)" >&2; exit 1; }

# Writing the series takes a few seconds: keep it between runs.
SERIES="$BUILD_DIR/bench-data/dicom_ct_512x512x300"
if [ ! -f "$SERIES/IM0299.dcm" ]; then
  rm -rf "$SERIES"
  "$BUILD_DIR/bench/bench_make_dicom_series" "$SERIES"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipnp-dicom-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cat "$SERIES"/*.dcm > /dev/null  # both read from the page cache

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
seconds() {  # runs "$@" quietly, prints its wall time
  local TIMEFORMAT='%R' t
  t=$( { time "$@" > "$WORK/last.log" 2>&1; } 2>&1 ) || { cat "$WORK/last.log" >&2; return 1; }
  echo "$t"
}

ours=() peer=()
for run in $(seq $REPEATS); do
  rm -rf "$WORK/project" "$WORK/nifti"
  "$IPNP" init "$WORK/project" > /dev/null
  ours+=("$(seconds "$IPNP" import "$SERIES" -p "$WORK/project")")
  mkdir -p "$WORK/nifti"
  peer+=("$(seconds dcm2niix -z y -1 -o "$WORK/nifti" "$SERIES")")
done
o=$(printf '%s\n' "${ours[@]}" | median)
p=$(printf '%s\n' "${peer[@]}" | median)
awk -v o="$o" -v p="$p" -v t="$TARGET_RATIO" 'BEGIN {
  r = o / p
  printf "DICOM import 300 x 512^2 CT (gzip level 1 both): ipnp %.2f s, dcm2niix %.2f s, ratio %.2f (target <= %.1f: %s)\n",
         o, p, r, t, r <= t ? "OK" : "MISSED" }'
echo "runs: ipnp ${ours[*]} s; dcm2niix ${peer[*]} s"
