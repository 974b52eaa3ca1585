#include "GzipMembers.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "Error.h"
#include "ParallelJobs.h"

namespace ipnp {

namespace {

constexpr std::size_t kPiece = 8u << 20;   // uncompressed bytes per member
constexpr unsigned char kSubfieldId[2] = {'I', 'P'};
// Fixed gzip header (10) + XLEN (2) + subfield id (2) + subfield length (2) + 8-byte value.
constexpr std::size_t kLengthOffset = 16, kHeaderWithLength = 24;

std::size_t workerCount(std::size_t jobs) {
    return std::max<std::size_t>(1, std::min<std::size_t>(jobs, std::thread::hardware_concurrency()));
}

// Runs job(n) for n in [0, jobs) on all cores.
template <typename Job>
void forEachInParallel(std::size_t jobs, Job job) {
    runInParallel(jobs, workerCount(jobs), job);
}

// One member: a gzip header with the "IP" subfield, raw DEFLATE from libdeflate (about twice
// zlib's speed at the same level), CRC-32 and length.
std::string compressMember(const char* data, std::size_t size, int level) {
    libdeflate_compressor* compressor = libdeflate_alloc_compressor(level);
    if (!compressor) return {};
    const std::size_t bound = libdeflate_deflate_compress_bound(compressor, size);
    std::string out(kHeaderWithLength + bound + 8, '\0');
    const std::size_t body = libdeflate_deflate_compress(compressor, data, size, out.data() + kHeaderWithLength, bound);
    libdeflate_free_compressor(compressor);
    if (body == 0) return {};
    out.resize(kHeaderWithLength + body + 8);
    const unsigned char header[16] = {0x1f, 0x8b, 8, 4 /* FEXTRA */, 0, 0, 0, 0, 0, 3 /* Unix */,
                                      12, 0 /* XLEN */, kSubfieldId[0], kSubfieldId[1], 8, 0};
    std::memcpy(out.data(), header, sizeof header);
    const auto putLittleEndian = [&](std::size_t at, std::uint64_t value, int bytes) {
        for (int b = 0; b < bytes; ++b) out[at + std::size_t(b)] = char((value >> (8 * b)) & 0xff);
    };
    putLittleEndian(kLengthOffset, out.size(), 8);
    putLittleEndian(kHeaderWithLength + body, libdeflate_crc32(0, data, size), 4);
    putLittleEndian(kHeaderWithLength + body + 4, std::uint32_t(size), 4);
    return out;
}

std::uint32_t littleEndian32(const unsigned char* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

struct Member {
    std::size_t offset = 0, length = 0;  // in the compressed stream
    std::size_t outOffset = 0, outLength = 0;
};

// The members from their "IP" lengths; empty when any member lacks one (then inflate in one pass).
std::vector<Member> indexedMembers(const std::string& gz) {
    std::vector<Member> members;
    std::size_t offset = 0, out = 0;
    const auto* bytes = reinterpret_cast<const unsigned char*>(gz.data());
    while (offset < gz.size()) {
        const unsigned char* h = bytes + offset;
        if (gz.size() - offset < kHeaderWithLength + 8 || h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || !(h[3] & 4) ||
            h[12] != kSubfieldId[0] || h[13] != kSubfieldId[1] || h[14] != 8 || h[15] != 0)
            return {};
        std::uint64_t length = 0;
        for (int b = 7; b >= 0; --b) length = length << 8 | h[kLengthOffset + std::size_t(b)];
        if (length < kHeaderWithLength + 8 || length > gz.size() - offset) return {};
        const std::size_t inflated = littleEndian32(h + length - 4);  // ISIZE: length mod 2^32
        members.push_back({offset, std::size_t(length), out, inflated});
        offset += length;
        out += inflated;
    }
    return members;
}

// Inflates one member into exactly `outLength` bytes (libdeflate checks its CRC-32 and length);
// an empty string when it is whole.
std::string inflateMember(const unsigned char* in, std::size_t inLength, char* out, std::size_t outLength) {
    libdeflate_decompressor* decompressor = libdeflate_alloc_decompressor();
    if (!decompressor) return "out of memory";
    std::size_t used = 0, written = 0;
    const libdeflate_result result =
        libdeflate_gzip_decompress_ex(decompressor, in, inLength, out, outLength, &used, &written);
    libdeflate_free_decompressor(decompressor);
    if (result == LIBDEFLATE_SUCCESS && used == inLength && written == outLength) return {};
    if (result == LIBDEFLATE_SHORT_OUTPUT || result == LIBDEFLATE_INSUFFICIENT_SPACE)
        return "the compressed data ends before it is complete (truncated file?)";
    return "the compressed data is corrupt (a gzip member fails its checks)";
}

std::vector<char> inflateSequentially(const std::string& gz, const std::string& path) {
    std::vector<char> out;
    out.reserve(gz.size() * 3);
    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) throw Error(path, "out of memory");
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    stream.avail_in = uInt(gz.size());
    bool memberOpen = true;
    std::vector<char> chunk(4u << 20);
    while (true) {
        stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
        stream.avail_out = uInt(chunk.size());
        const int result = inflate(&stream, Z_NO_FLUSH);
        out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - stream.avail_out));
        if (result == Z_STREAM_END) {
            memberOpen = false;
            if (stream.avail_in == 0) break;
            inflateReset(&stream);  // another member follows
            memberOpen = true;
        } else if (result == Z_BUF_ERROR && stream.avail_in == 0) {
            break;  // input ended inside a member
        } else if (result != Z_OK && result != Z_BUF_ERROR) {
            const std::string message = stream.msg ? stream.msg : "zlib error";
            inflateEnd(&stream);
            throw Error(path, "the compressed data is corrupt (" + message + ")");
        }
    }
    inflateEnd(&stream);
    if (memberOpen) throw Error(path, "the compressed data ends before it is complete (truncated file?)");
    return out;
}

}  // namespace

std::string gzipInMembers(const char* data, std::size_t size, int level) {
    const std::size_t pieces = std::max<std::size_t>(1, (size + kPiece - 1) / kPiece);
    std::vector<std::string> members(pieces);
    forEachInParallel(pieces, [&](std::size_t n) {
        const std::size_t first = n * kPiece;
        members[n] = compressMember(data + first, std::min(kPiece, size - std::min(size, first)), std::clamp(level, 1, 9));
    });
    std::string out;
    std::size_t total = 0;
    for (const std::string& member : members) total += member.size();
    out.reserve(total);
    for (const std::string& member : members) {
        if (member.empty()) return {};
        out += member;
    }
    return out;
}

std::vector<char> gunzipWhole(const std::string& gz, const std::string& path) {
    if (gz.empty()) throw Error(path, "the file is empty");
    const std::vector<Member> members = indexedMembers(gz);
    if (members.empty()) return inflateSequentially(gz, path);
    std::vector<char> out(members.back().outOffset + members.back().outLength);
    std::vector<std::string> problems(members.size());
    forEachInParallel(members.size(), [&](std::size_t n) {
        const Member& m = members[n];
        problems[n] = inflateMember(reinterpret_cast<const unsigned char*>(gz.data()) + m.offset, m.length,
                                    out.data() + m.outOffset, m.outLength);
    });
    for (const std::string& problem : problems)
        if (!problem.empty()) throw Error(path, problem);
    return out;
}

}  // namespace ipnp
