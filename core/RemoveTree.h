#pragma once
// Deleting a folder with everything in it, as std::filesystem::remove_all does, without calling it:
// pip's LibTorch (the CUDA one on GPU machines) exports its own std::filesystem::remove_all, which
// the dynamic linker picks for the whole program and which crashes (a call through a null pointer;
// tests/smoke found it on an H200 with LibTorch 2.11+cu130). Use this instead of remove_all.
#include <cstdint>
#include <string>
#include <system_error>

namespace ipnp {

// Removes `path` (a file or a folder and all it holds; symbolic links themselves, never what they
// point to). A missing path is no error. Returns how many entries were removed; on a failure `error`
// says why and the entries not reached stay.
std::uintmax_t removeTree(const std::string& path, std::error_code& error);
// The same; throws ipnp::Error naming the path on a failure.
std::uintmax_t removeTree(const std::string& path);

}  // namespace ipnp
