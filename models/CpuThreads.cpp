#include "CpuThreads.h"

#include <dlfcn.h>
#include <sched.h>

#include <algorithm>
#include <thread>

#include <torch/torch.h>

namespace ipnp {

namespace {

int cpusAvailable() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    return std::max(1, int(std::thread::hardware_concurrency()));
}

}  // namespace

// Two things, both measured on the 2-core CI machine (Debian 12's LibTorch 1.13, which calls
// OpenBLAS for some matrix products; the demo's training at 6 mm, 32^3 patches, bf16):
// - LibTorch's default there was one thread (it counts cores its own way), so every convolution ran
//   on one core;
// - OpenBLAS keeps its own worker threads, which spin (sched_yield) between calls: in a profile of
//   the training, 42 % of all samples were that spinning, on the core LibTorch did not use.
// LibTorch's threads on every available core and OpenBLAS on the calling thread took the training
// from a median 0.19-0.29 s per iteration to 0.15-0.18 (interleaved runs), and the whole demo (then
// at 1000 iterations per training) from 19-21 minutes to 11-13. OpenBLAS reads OPENBLAS_NUM_THREADS
// only when it loads; openblas_set_num_threads works at any time, and is looked up so that other
// BLAS libraries (MKL in pip's LibTorch) need nothing.
int useCpuThreads(int threads) {
    const int count = threads > 0 ? threads : cpusAvailable();
    torch::set_num_threads(count);
    using SetThreads = void (*)(int);
    if (const auto setOpenBlasThreads = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        setOpenBlasThreads(1);
    return count;
}

}  // namespace ipnp
