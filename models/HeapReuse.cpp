#include "HeapReuse.h"

#include <cstdlib>  // defines __GLIBC__ where the C library is glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ipnp {

// A training iteration allocates and frees the same activations and gradients every time (at the
// demo's 32^3 patches, batches of 2, width 16: tensors of 1-16 MB). glibc serves blocks that large
// with mmap and returns them with munmap, or trims the heap's top once more than a threshold is free,
// so every iteration the kernel zero-filled the same memory again: 15-17 thousand page faults per
// iteration, 14 % of a profile's samples in the kernel. Blocks up to 256 MB now come from the heap,
// and up to 1 GB of free heap stays in the process: 150 iterations of `ipnp train` took 62 thousand
// page faults instead of 2.0-2.4 million, and 25.3-29.5 s instead of 29.4-41.3 s (four interleaved
// pairs on the 2-core CI machine). The price is memory: the process keeps its peak working set
// (the next iteration needs it again anyway). Setting the thresholds by hand also turns off glibc's
// own adjustment of them. Only the command line sets it (see app/ipnp_main.cpp for why).
bool keepFreedHeapForReuse() {
#if defined(__GLIBC__)
    constexpr int kMmapThreshold = 256 << 20;  // bytes: larger blocks still come from mmap
    constexpr int kTrimThreshold = 1 << 30;    // bytes of free heap top kept before trimming
    constexpr int kTopPad = 64 << 20;          // bytes the heap grows by beyond each request
    return mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1 &&
           mallopt(M_TOP_PAD, kTopPad) == 1;
#else
    return false;
#endif
}

}  // namespace ipnp
