#!/usr/bin/env bash
# run-all.sh BUILD_DIR: every benchmark, one after the other (`./run.sh bench` calls this after
# building). Each prints its figure against its peer or its target; none fails on a slow figure,
# only when it cannot measure.
set -euo pipefail

BUILD_DIR=$(cd "${1:?usage: bench/run-all.sh BUILD_DIR}" && pwd)
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)

section() { printf '\n== %s\n' "$*"; }

section "status query (in process, target < 100 ms)"
"$BUILD_DIR/bench/bench_status_query"

section "built-in generalist, one organ in a 128^3 region on one core (target < 1 s)"
"$BUILD_DIR/bench/bench_builtin_generalist"

section "import of a 512x512x300 CT (peer: gzip -dc, target <= 2x)"
"$BENCH_DIR/import_bench.sh" "$BUILD_DIR"

section "DICOM import of a 300-slice 512x512 CT series (peer: dcm2niix -z y -1, target <= 1.5x)"
"$BENCH_DIR/dicom_import_bench.sh" "$BUILD_DIR"

section "phantom generation (target: 20 cases of 96^3 in < 60 s on 2 cores)"
phantom_dir=$(mktemp -d)
trap 'rm -rf "$phantom_dir"' EXIT
start=$(date +%s.%N)
"$BUILD_DIR/app/ipnp" make-phantoms "$phantom_dir/ph" --count 20 --size 96 --spacing 2 2>/dev/null >/dev/null
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { t = e - s; printf "make-phantoms 20 x 96^3: %.1f s  (target < 60 s: %s)\n", t, t < 60 ? "OK" : "MISSED" }'

section "IPnP Studio's GUI thread during a round (target: 99 % of event-loop turns under 100 ms)"
if [ -n "${DISPLAY:-}" ]; then
  QT_QPA_PLATFORM=xcb "$BUILD_DIR/bench/bench_gui_responsiveness"
else
  QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1200x24" "$BUILD_DIR/bench/bench_gui_responsiveness"
fi

section "IPnP Studio with a 512x512x300 CT (open < 1 s, RSS < 3x voxels, scroll < 30 ms, 3D < 2 s)"
if [ -n "${DISPLAY:-}" ]; then
  QT_QPA_PLATFORM=xcb "$BUILD_DIR/bench/bench_gui_big_scan"
else
  QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x1024x24" "$BUILD_DIR/bench/bench_gui_big_scan"
fi

# The specialist network (models/): 2 threads on both sides, the Python twin run by Debian's
# python3-torch. Measured on 2 shared cores (load 2-4): 0.5 + 1 + 4 + 13.5 minutes; the memory
# run is the long one (2025 windows), hence width 8 there (it says so; width 16 took 22 minutes).
SPECIALIST=("$BUILD_DIR/bench/bench_specialist")
PEER=(--peer "$BENCH_DIR/specialist_peer.py" --python /usr/bin/python3)

section "specialist training step, batch 2 x 64^3 (peer: the same network in Python, target <= 1.0)"
"${SPECIALIST[@]}" train "${PEER[@]}"

section "specialist sliding-window inference, 96^3 (peer: the same windows in Python, target <= 1.0)"
"${SPECIALIST[@]}" infer "${PEER[@]}"

section "specialist inference throughput, 256^3 on 2 threads (figure, no target)"
"${SPECIALIST[@]}" throughput

section "specialist inference peak RSS, 512x512x300 CT (target < 6 GB)"
"${SPECIALIST[@]}" memory --width 8

# The IPnP loop (about an hour): the demo's budget, gap and recovery targets on the phantoms and
# on independently generated AMOS-layout data.
section "IPnP loop targets (demo time, baseline gap, gap recovery, pseudo-label quality, reference convergence)"
loop_dir=$(mktemp -d)
"$BENCH_DIR/ipnp_loop_bench.sh" "$BUILD_DIR" "$loop_dir"
rm -rf "$loop_dir"
