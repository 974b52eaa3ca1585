#pragma once
// gzip streams cut into independent members (like pigz and BGZF), so that both compressing and
// inflating use every core. Each member written here carries its own compressed length in a gzip
// extra subfield "IP" (8 bytes, little-endian; BGZF's "BC" holds only 16 bits), so a reader finds
// every member without inflating the ones before it. Plain gzip, zlib, ITK and nibabel read the
// stream as usual (members concatenate; extra fields are skipped).
#include <string>
#include <vector>

namespace ipnp {

// `level` 1 (fast) .. 9 (small). Returns the whole gzip stream.
std::string gzipInMembers(const char* data, std::size_t size, int level);

// Inflates a whole gzip stream of any number of members, with or without the "IP" lengths (in
// parallel when every member has one), checking every member's CRC-32 and length. Throws
// ipnp::Error naming `pathForMessages` when the stream is corrupt or truncated.
std::vector<char> gunzipWhole(const std::string& compressed, const std::string& pathForMessages);

}  // namespace ipnp
