#include "EditJournal.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "AtomicWrite.h"
#include "Error.h"

namespace ipnp {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[] = "IPNPEDIT1\n";
constexpr std::size_t kMagicSize = sizeof kMagic - 1;

struct Header {
    std::int64_t candidate = 0;
    std::array<std::int64_t, 3> size{};
};

Header headerOf(std::int64_t candidateId, const Mask& mask) {
    const auto& size = mask.size();
    return {candidateId, {std::int64_t(size[0]), std::int64_t(size[1]), std::int64_t(size[2])}};
}

bool sameHeader(const Header& a, const Header& b) { return a.candidate == b.candidate && a.size == b.size; }

// Reads the header; false when the file is not a journal.
bool readHeader(std::FILE* file, Header& header) {
    char magic[kMagicSize];
    return std::fread(magic, 1, kMagicSize, file) == kMagicSize && std::memcmp(magic, kMagic, kMagicSize) == 0 &&
           std::fread(&header.candidate, sizeof header.candidate, 1, file) == 1 &&
           std::fread(header.size.data(), sizeof(std::int64_t), 3, file) == 3;
}

bool insideGrid(const std::array<std::int64_t, 6>& box, const Header& header) {
    for (std::size_t a = 0; a < 3; ++a)
        if (box[a] < 0 || box[a] >= box[3 + a] || box[3 + a] > header.size[a]) return false;
    return true;
}

using Box = std::array<std::int64_t, 6>;

// Reads the records after the header, calling apply(box, voxels) for each whole and valid one, and
// returns the file offset after the last of them: a record cut short (the app died while writing
// it), a box outside the grid or a voxel other than 0/1 ends the journal there.
template <typename Apply>
long readRecords(std::FILE* file, const Header& header, Apply apply) {
    long good = std::ftell(file);
    Box box{};
    std::vector<std::uint8_t> voxels;
    while (std::fread(box.data(), sizeof(std::int64_t), 6, file) == 6 && insideGrid(box, header)) {
        voxels.resize(std::size_t((box[3] - box[0]) * (box[4] - box[1]) * (box[5] - box[2])));
        if (std::fread(voxels.data(), 1, voxels.size(), file) != voxels.size()) break;
        if (std::any_of(voxels.begin(), voxels.end(), [](std::uint8_t v) { return v > 1; })) break;
        apply(box, voxels);
        good = std::ftell(file);
    }
    return good;
}

// The length of the journal's valid part (header and whole records) when it is a journal of this
// header; -1 otherwise.
long validLength(const std::string& path, const Header& expected) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) return -1;
    Header header;
    long length = -1;
    if (readHeader(file, header) && sameHeader(header, expected))
        length = readRecords(file, header, [](const Box&, const std::vector<std::uint8_t>&) {});
    std::fclose(file);
    return length;
}

}  // namespace

std::string EditJournal::pathFor(const std::string& projectFolder, std::int64_t candidateId) {
    return (fs::path(projectFolder) / "drafts" / ("edit-" + std::to_string(candidateId) + ".journal")).string();
}

std::size_t EditJournal::replay(const std::string& path, std::int64_t candidateId, Mask& mask) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) return 0;
    std::size_t applied = 0;
    Header header;
    if (readHeader(file, header) && sameHeader(header, headerOf(candidateId, mask)))
        readRecords(file, header, [&](const Box& box, const std::vector<std::uint8_t>& voxels) {
            std::size_t n = 0;
            for (std::int64_t k = box[2]; k < box[5]; ++k)
                for (std::int64_t j = box[1]; j < box[4]; ++j)
                    for (std::int64_t i = box[0]; i < box[3]; ++i)
                        mask.at(std::size_t(i), std::size_t(j), std::size_t(k)) = voxels[n++];
            ++applied;
        });
    std::fclose(file);
    return applied;
}

void EditJournal::discard(const std::string& path) {
    std::error_code ignored;
    fs::remove(path, ignored);
}

EditJournal::EditJournal(std::string path, std::int64_t candidateId, const Mask& mask) : path_(std::move(path)) {
    std::error_code ec;
    fs::create_directories(fs::path(path_).parent_path(), ec);
    const Header header = headerOf(candidateId, mask);
    // A journal of this candidate and grid goes on (its records were replayed onto `mask`), cut
    // after its last whole record: what follows a record cut short would never be read back.
    const long keep = validLength(path_, header);
    if (keep >= 0) {
        fs::resize_file(path_, std::uintmax_t(keep), ec);
        if (ec) throw Error(path_, "cannot keep the open edit on disk: " + ec.message());
    }
    file_ = std::fopen(path_.c_str(), keep >= 0 ? "ab" : "wb");
    if (!file_) throw Error(path_, std::string("cannot keep the open edit on disk: ") + std::strerror(errno));
    std::fseek(file_, 0, SEEK_END);  // so that ftell tells where a record starts
    if (keep < 0) {
        const bool written = std::fwrite(kMagic, 1, kMagicSize, file_) == kMagicSize &&
                             std::fwrite(&header.candidate, sizeof header.candidate, 1, file_) == 1 &&
                             std::fwrite(header.size.data(), sizeof(std::int64_t), 3, file_) == 3 &&
                             std::fflush(file_) == 0 && ::fdatasync(::fileno(file_)) == 0;
        if (!written) {
            std::fclose(file_);
            file_ = nullptr;
            throw Error(path_, "cannot keep the open edit on disk: the journal cannot be written");
        }
        syncDirectory(fs::path(path_).parent_path().string());  // the new file's name survives a power cut
    }
}

EditJournal::~EditJournal() {
    if (file_) std::fclose(file_);
}

void EditJournal::append(const Mask& mask, const Index3& first, const Index3& end) {
    const Box box{first[0], first[1], first[2], end[0], end[1], end[2]};
    std::vector<std::uint8_t> voxels;
    voxels.reserve(std::size_t((end[0] - first[0]) * (end[1] - first[1]) * (end[2] - first[2])));
    for (long k = first[2]; k < end[2]; ++k)
        for (long j = first[1]; j < end[1]; ++j)
            for (long i = first[0]; i < end[0]; ++i)
                voxels.push_back(mask.at(std::size_t(i), std::size_t(j), std::size_t(k)) != 0 ? 1 : 0);
    const long before = std::ftell(file_);
    const bool written = std::fwrite(box.data(), sizeof(std::int64_t), 6, file_) == 6 &&
                         std::fwrite(voxels.data(), 1, voxels.size(), file_) == voxels.size() &&
                         std::fflush(file_) == 0 && ::fdatasync(::fileno(file_)) == 0;
    if (!written) {
        const std::string reason = std::strerror(errno);
        // Back to the last whole record, so that the journal stays readable up to there.
        if (before >= 0 && ::ftruncate(::fileno(file_), before) == 0) std::fseek(file_, before, SEEK_SET);
        throw Error(path_, "cannot keep the open edit on disk: " + reason);
    }
}

}  // namespace ipnp
