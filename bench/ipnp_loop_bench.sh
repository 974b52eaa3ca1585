#!/usr/bin/env bash
# ipnp_loop_bench.sh BUILD_DIR [WORK_DIR]: the IPnP loop's targets (issue "The IPnP loop"), printed,
# never asserted:
#   - the demo finishes in under 20 minutes on 2 CPU cores with its default settings;
#   - the baseline is at least 5 Dice points below the fully labeled reference (a real problem);
#   - the last round recovers >= 60 % of the gap: (IPnP - baseline) / (reference - baseline);
#   - pseudo-label Dice against the hidden truth improves from round 1 to round 3;
#   - the budget lets the reference converge: doubling it changes its mean test Dice by < 1 point;
# on the project's own phantoms and on AMOS-layout data made independently
# (bench/make_independent_amos.py), so that the method, not the phantoms, is what is tuned.
# About an hour on 2 cores. DEMO_ARGS (e.g. "--iterations 1200") go to both demo runs, to try other
# settings; ONLY=phantoms or ONLY=independent runs one of the two. SEEDS="1 2 3" runs the demo once
# per training seed (each about 20 minutes) and then judges the targets on the seeds' mean figures:
# the partial-label baseline on the phantoms scored 0.808 / 0.838 / 0.863 with training seeds 1 / 2 / 3
# (the reference 0.894 / 0.895 / 0.895), so one seed's gap recovery says little (bench/README.md).
set -euo pipefail

BUILD_DIR=$(cd "${1:?usage: bench/ipnp_loop_bench.sh BUILD_DIR [WORK_DIR]}" && pwd)
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
WORK=${2:-$(mktemp -d)}
mkdir -p "$WORK"
IPNP="$BUILD_DIR/app/ipnp"

# One demo run: DATASET ('' = phantoms) -> OUT; prints the targets from OUT/report/evaluation.json
# and keeps its figures in OUT.figures.json for the seeds' summary. DOUBLE=1: the reference once
# more at twice the budget (the convergence target).
run_case() {
    local label=$1 out=$2
    shift 2
    local start end
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$IPNP" demo --out "$out" --headless "$@" ${DEMO_ARGS:-} >"$out.stdout" 2>"$out.stderr" || {
        echo "$label: the demo failed, see $out.stderr" >&2
        return 1
    }
    end=$(date +%s)
    rm -f "$out.double.stdout"
    if [ "${DOUBLE:-1}" = 1 ]; then
        # The reference once more at twice the budget, with the rounds' own settings otherwise.
        local args
        args=$(/usr/bin/python3 - "$out/project/project.ipnp" <<'PY'
import json, sqlite3, sys
settings = json.loads(sqlite3.connect(sys.argv[1]).execute(
    "SELECT settings FROM rounds ORDER BY number LIMIT 1").fetchone()[0])["training"]
print(" ".join(["--iterations", str(2 * settings["iterations"]), "--batch", str(settings["batch_size"]),
                "--patch", str(settings["patch_size"][0]), "--stages", str(settings["stages"]),
                "--base-width", str(settings["base_width"]), "--optimizer", settings["optimizer"],
                "--lr", str(settings["learning_rate"]), "--seed", str(settings["seed"]),
                "--checkpoint-every", str(2 * settings["iterations"])] + (["--bf16"] if settings.get("bf16") else [])))
PY
)
        # shellcheck disable=SC2086
        "$IPNP" train --reference -p "$out/project" $args >"$out.double.stdout" 2>"$out.double.stderr"
    fi
    /usr/bin/python3 - "$label" "$out/report/evaluation.json" "$out.double.stdout" "$((end - start))" "$out.figures.json" <<'PY'
import json, os, re, sys
label, path, double_out, seconds, figures = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
report = json.load(open(path))
models = {m["model"]: m["mean_dice"] for m in report["models"]}
rounds = [m for m in report["models"] if m["model"].startswith("round ")]
baseline, reference, last = models["baseline"], models["reference"], (rounds[-1]["mean_dice"] if rounds else None)
pseudo = [r["mean_dice_vs_hidden_truth"] for r in report["pseudo_labels"]]
double = (float(re.search(r"Mean Dice on the test split: ([0-9.]+)", open(double_out).read()).group(1))
          if os.path.exists(double_out) else None)
json.dump({"seconds": seconds, "baseline": baseline, "rounds": [m["mean_dice"] for m in rounds],
           "reference": reference, "pseudo": pseudo}, open(figures, "w"))
ok = lambda c: "OK" if c else "MISSED"
print(f"{label}: demo {seconds / 60:.1f} min on this machine (target < 20 min on 2 cores: {ok(seconds < 1200)})")
print(f"{label}: mean test Dice  baseline {baseline:.4f}, " +
      ", ".join(f"{m['model']} {m['mean_dice']:.4f}" for m in rounds) + f", reference {reference:.4f}")
print(f"{label}: baseline below the reference by {100 * (reference - baseline):.1f} points (target >= 5: {ok(reference - baseline >= 0.05)})")
if last is not None and reference > baseline:
    recovery = (last - baseline) / (reference - baseline)
    print(f"{label}: gap recovery of the last round {recovery:.2f} (target >= 0.60: {ok(recovery >= 0.6)})")
print(f"{label}: pseudo-label Dice vs hidden truth per round: " + ", ".join("n/a" if p is None else f"{p:.4f}" for p in pseudo) +
      (f" (target: round 3 > round 1: {ok(len(pseudo) >= 3 and pseudo[0] is not None and pseudo[2] is not None and pseudo[2] > pseudo[0])})"))
if double is not None:
    print(f"{label}: reference at twice the budget {double:.4f} vs {reference:.4f}: {100 * abs(double - reference):.2f} points "
          f"(target < 1: {ok(abs(double - reference) < 0.01)})")
PY
}

# The demo once per seed in SEEDS (the reference at twice the budget with the first seed only;
# DOUBLE_REFERENCE=0: not at all), then, with more than one seed, the targets on the seeds' means.
run_seeds() {
    local label=$1 folder=$2
    shift 2
    local seed first=${DOUBLE_REFERENCE:-1} figures=()
    for seed in ${SEEDS:-1}; do
        DOUBLE=$first run_case "$label, seed $seed" "$folder-seed$seed" --seed "$seed" "$@"
        figures+=("$folder-seed$seed.figures.json")
        first=0
    done
    [ ${#figures[@]} -gt 1 ] || return 0
    /usr/bin/python3 - "$label" "${figures[@]}" <<'PY'
import json, statistics, sys
label, runs = sys.argv[1], [json.load(open(p)) for p in sys.argv[2:]]
mean = statistics.fmean
ok = lambda c: "OK" if c else "MISSED"
baseline, reference = mean([r["baseline"] for r in runs]), mean([r["reference"] for r in runs])
rounds = [mean(values) for values in zip(*[r["rounds"] for r in runs])]
spread = lambda key: f"{min(r[key] for r in runs):.4f}-{max(r[key] for r in runs):.4f}"
print(f"{label}, mean of {len(runs)} seeds: demo {max(r['seconds'] for r in runs) / 60:.1f} min at most "
      f"(target < 20: {ok(max(r['seconds'] for r in runs) < 1200)})")
print(f"{label}, mean of {len(runs)} seeds: baseline {baseline:.4f} (seeds {spread('baseline')}), rounds " +
      " / ".join(f"{v:.4f}" for v in rounds) + f", reference {reference:.4f} (seeds {spread('reference')})")
print(f"{label}, mean of {len(runs)} seeds: baseline below the reference by {100 * (reference - baseline):.1f} points "
      f"(target >= 5: {ok(reference - baseline >= 0.05)})")
if rounds and reference > baseline:
    per_seed = [(r["rounds"][-1] - r["baseline"]) / (r["reference"] - r["baseline"]) for r in runs if r["reference"] > r["baseline"]]
    recovery = (rounds[-1] - baseline) / (reference - baseline)
    print(f"{label}, mean of {len(runs)} seeds: gap recovery of the last round {recovery:.2f} (target >= 0.60: "
          f"{ok(recovery >= 0.6)}; each seed's own: " + ", ".join(f"{v:.2f}" for v in per_seed) + ")")
pseudo = [mean(values) for values in zip(*[r["pseudo"] for r in runs]) if None not in values]
if len(pseudo) >= 3:
    print(f"{label}, mean of {len(runs)} seeds: pseudo-label Dice per round " + " / ".join(f"{v:.4f}" for v in pseudo) +
          f" (target: round 3 > round 1: {ok(pseudo[2] > pseudo[0])})")
PY
}

if [ "${ONLY:-phantoms}" = phantoms ]; then
    printf '== IPnP loop on the phantoms (ipnp demo, default settings %s; seeds %s)\n' "${DEMO_ARGS:-}" "${SEEDS:-1}"
    run_seeds phantoms "$WORK/phantoms"
fi
if [ "${ONLY:-independent}" = independent ]; then
    printf '\n== IPnP loop on independently generated AMOS-layout data (bench/make_independent_amos.py; seeds %s)\n' "${SEEDS:-1}"
    /usr/bin/python3 "$BENCH_DIR/make_independent_amos.py" "$WORK/independent_data" --count 30 --size 32 --spacing 6 --seed 11 >/dev/null
    run_seeds independent "$WORK/independent" --data "$WORK/independent_data"
fi
