#pragma once
// Keeping freed heap memory for the next training iteration. No LibTorch in this header.
namespace ipnp {

// Makes glibc's malloc keep large freed blocks in the process for reuse instead of handing them
// back to the kernel (see the .cpp for why and what it measured). Process-wide, idempotent; does
// nothing where the C library is not glibc. Returns whether it applied.
bool keepFreedHeapForReuse();

}  // namespace ipnp
