#pragma once
// Atomic placement of files (core/AtomicWrite.h) plus the copy that hashes on the way.
#include <cstddef>
#include <functional>
#include <string>

#include "AtomicWrite.h"

namespace ipnp {

// Copies source byte for byte to destination atomically; returns the SHA-256 of the bytes copied.
// `observe`, when given, sees every chunk too (e.g. to check a gzip stream on the same pass).
std::string copyFileAtomically(const std::string& source, const std::string& destination,
                               const std::function<void(const char* data, std::size_t size)>& observe = {});

}  // namespace ipnp
