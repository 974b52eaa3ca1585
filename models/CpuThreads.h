#pragma once
// How many CPU threads the specialist's LibTorch operations run on. No LibTorch in this header.
namespace ipnp {

// threads > 0: that many; 0: one per CPU this process may run on (its affinity mask). Returns the
// count in use. Also makes OpenBLAS run its matrix products on the calling thread (see the .cpp).
int useCpuThreads(int threads);

}  // namespace ipnp
