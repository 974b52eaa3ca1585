#!/bin/bash
# The CUDA check, for a machine with an NVIDIA GPU and a CUDA LibTorch but no Qt/VTK/ITK/SQLite:
# builds the CORE_ONLY configuration and runs the models smoke program on the GPU (bf16 mixed
# precision, a selection mask, checkpoints, resume, the checkpoint loaded on the CPU), its
# checkpoints on the CPU with the GPU hidden (a machine without one), the same on the CPU for
# comparison, a request that exhausts GPU memory, TorchScript generalists (point3d, box2d) on the
# GPU against the CPU, and the std::filesystem calls the code makes (pip's LibTorch exports copies
# of them; its remove_all crashed).
# Usage: tests/smoke/cuda_check.sh [build-dir] [log-dir]   (Torch_DIR from $Torch_DIR or python3's torch)
set -u
build=${1:-/tmp/ipnp-cuda-build}
logs=${2:-$build}
mkdir -p "$logs"
torch_dir=${Torch_DIR:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')/Torch}
nvidia-smi -L
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
generator=$(command -v ninja >/dev/null && echo Ninja || echo "Unix Makefiles")
cmake -S "$(dirname "$0")/../.." -B "$build" -G "$generator" -DIPNP_CORE_ONLY=ON -DCMAKE_BUILD_TYPE=Release \
  -DTorch_DIR="$torch_dir" >"$logs/configure.log" 2>&1 || { tail -40 "$logs/configure.log"; exit 1; }
keep_going=$([ "$generator" = Ninja ] && echo "-k 0" || echo -k)
cmake --build "$build" -j "$(nproc)" -- $keep_going >"$logs/build.log" 2>&1 || { grep -m 40 -A5 "error" "$logs/build.log"; exit 1; }
status=0
run() { echo "== $*"; "$@" || status=1; }
run "$build/tests/smoke/ipnp_core_smoke"
run "$build/tests/smoke/ipnp_filesystem_smoke"
rm -rf "$logs/checkpoints"
run "$build/tests/smoke/ipnp_models_smoke" cuda keep "$logs/checkpoints"
run env CUDA_VISIBLE_DEVICES= "$build/tests/smoke/ipnp_models_smoke" cpu from "$logs/checkpoints"
run "$build/tests/smoke/ipnp_models_smoke" cpu
run "$build/tests/smoke/ipnp_models_smoke" cuda oom
run "$build/tests/smoke/ipnp_generalist_smoke" cuda
echo "cuda check: $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
