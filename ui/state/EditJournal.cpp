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
#include "MaskEditor.h"

namespace ipnp {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[] = "IPNPEDIT2\n";
// Format 1 (no stamp), still read so that an edit left open across an update comes back.
constexpr char kMagicWithoutStamp[] = "IPNPEDIT1\n";
constexpr std::size_t kMagicSize = sizeof kMagic - 1;
constexpr std::int64_t kMaxStamp = 4096;

struct Header {
    std::int64_t candidate = 0;
    std::string stamp;
    std::array<std::int64_t, 3> size{};
    bool anyStamp = false;  // a format-1 journal: it has none to compare
};

Header headerOf(const EditJournalKey& key, const Mask& mask) {
    const auto& size = mask.size();
    return {key.candidateId, key.stamp, {std::int64_t(size[0]), std::int64_t(size[1]), std::int64_t(size[2])}};
}

bool sameHeader(const Header& a, const Header& b) {
    return a.candidate == b.candidate && (a.anyStamp || b.anyStamp || a.stamp == b.stamp) && a.size == b.size;
}

// Reads the header (format 2, or 1); false when the file is not a journal.
bool readHeader(std::FILE* file, Header& header) {
    char magic[kMagicSize];
    if (std::fread(magic, 1, kMagicSize, file) != kMagicSize) return false;
    header.anyStamp = std::memcmp(magic, kMagicWithoutStamp, kMagicSize) == 0;
    if (!header.anyStamp && std::memcmp(magic, kMagic, kMagicSize) != 0) return false;
    if (std::fread(&header.candidate, sizeof header.candidate, 1, file) != 1) return false;
    if (header.anyStamp) return std::fread(header.size.data(), sizeof(std::int64_t), 3, file) == 3;
    std::int64_t stampLength = 0;
    if (std::fread(&stampLength, sizeof stampLength, 1, file) != 1 || stampLength < 0 || stampLength > kMaxStamp)
        return false;
    header.stamp.resize(std::size_t(stampLength));
    return std::fread(header.stamp.data(), 1, header.stamp.size(), file) == header.stamp.size() &&
           std::fread(header.size.data(), sizeof(std::int64_t), 3, file) == 3;
}

bool writeHeader(std::FILE* file, const Header& header) {
    const std::int64_t stampLength = std::int64_t(header.stamp.size());
    return std::fwrite(kMagic, 1, kMagicSize, file) == kMagicSize &&
           std::fwrite(&header.candidate, sizeof header.candidate, 1, file) == 1 &&
           std::fwrite(&stampLength, sizeof stampLength, 1, file) == 1 &&
           std::fwrite(header.stamp.data(), 1, header.stamp.size(), file) == header.stamp.size() &&
           std::fwrite(header.size.data(), sizeof(std::int64_t), 3, file) == 3;
}

using Box = std::array<std::int64_t, 6>;  // first corner, end corner

bool insideGrid(const Box& box, const Header& header) {
    for (std::size_t a = 0; a < 3; ++a)
        if (box[a] < 0 || box[a] >= box[3 + a] || box[3 + a] > header.size[a]) return false;
    return true;
}

std::int64_t voxelsIn(const Box& box) { return (box[3] - box[0]) * (box[4] - box[1]) * (box[5] - box[2]); }
bool emptyBox(const Box& box) { return box[0] >= box[3]; }

// The box that holds both.
Box unite(const Box& a, const Box& b) {
    if (emptyBox(a)) return b;
    return {std::min(a[0], b[0]), std::min(a[1], b[1]), std::min(a[2], b[2]),
            std::max(a[3], b[3]), std::max(a[4], b[4]), std::max(a[5], b[5])};
}

// One record of `box`: its corners, then `mask`'s voxels there as 0/1 (anything else ends a journal).
bool writeRecord(std::FILE* file, const Mask& mask, const Box& box) {
    std::vector<std::uint8_t> voxels;
    copyBox(mask, {box[0], box[1], box[2]}, {box[3], box[4], box[5]}, voxels);
    for (std::uint8_t& v : voxels) v = v != 0;
    return std::fwrite(box.data(), sizeof(std::int64_t), 6, file) == 6 &&
           std::fwrite(voxels.data(), 1, voxels.size(), file) == voxels.size();
}

bool flushToDisk(std::FILE* file) { return std::fflush(file) == 0 && ::fdatasync(::fileno(file)) == 0; }

// Reads the records after the header, calling apply(box, voxels) for each whole and valid one, and
// returns the file offset after the last of them: a record cut short (the app died while writing
// it), a box outside the grid or a voxel other than 0/1 ends the journal there.
template <typename Apply>
long readRecords(std::FILE* file, const Header& header, Apply apply) {
    long good = std::ftell(file);
    Box box{};
    std::vector<std::uint8_t> voxels;
    while (std::fread(box.data(), sizeof(std::int64_t), 6, file) == 6 && insideGrid(box, header)) {
        voxels.resize(std::size_t(voxelsIn(box)));
        if (std::fread(voxels.data(), 1, voxels.size(), file) != voxels.size()) break;
        if (std::any_of(voxels.begin(), voxels.end(), [](std::uint8_t v) { return v > 1; })) break;
        apply(box, voxels);
        good = std::ftell(file);
    }
    return good;
}

// Reads the journal at `path` when it is one of this header (see readRecords); returns the length
// of its valid part (header and whole records), -1 when there is none or it is another's. Its
// header's length goes to `headerBytes` when given.
template <typename Apply>
long readJournal(const std::string& path, const Header& expected, Apply apply, long* headerBytes = nullptr) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) return -1;
    Header header;
    long length = -1;
    if (readHeader(file, header) && sameHeader(header, expected)) {
        if (headerBytes) *headerBytes = std::ftell(file);
        length = readRecords(file, header, apply);
    }
    std::fclose(file);
    return length;
}

constexpr char kPrefix[] = "edit-";
constexpr char kSuffix[] = ".journal";

}  // namespace

std::string EditJournal::pathFor(const std::string& projectFolder, std::int64_t candidateId) {
    return (fs::path(projectFolder) / "drafts" / (kPrefix + std::to_string(candidateId) + kSuffix)).string();
}

std::map<std::int64_t, std::string> EditJournal::journalsIn(const std::string& projectFolder) {
    std::map<std::int64_t, std::string> journals;
    std::error_code ec;
    const fs::path drafts = fs::path(projectFolder) / "drafts";
    if (!fs::is_directory(drafts, ec)) return journals;
    const std::string prefix = kPrefix, suffix = kSuffix;
    for (const auto& entry : fs::directory_iterator(drafts, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string id = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
        if (id.find_first_not_of("0123456789") == std::string::npos && id.size() <= 18)
            journals[std::stoll(id)] = entry.path().string();
    }
    return journals;
}

std::size_t EditJournal::replay(const std::string& path, const EditJournalKey& key, Mask& mask) {
    std::size_t applied = 0;
    readJournal(path, headerOf(key, mask), [&](const Box& box, const std::vector<std::uint8_t>& voxels) {
        pasteBox(mask, {box[0], box[1], box[2]}, {box[3], box[4], box[5]}, voxels);
        ++applied;
    });
    return applied;
}

void EditJournal::discard(const std::string& path) {
    std::error_code ignored;
    fs::remove(path, ignored);
}

EditJournal::EditJournal(std::string path, EditJournalKey key, const Mask& mask)
    : path_(std::move(path)), key_(std::move(key)) {
    std::error_code ec;
    fs::create_directories(fs::path(path_).parent_path(), ec);
    removeStaleRewrites();
    const Header header = headerOf(key_, mask);
    size_ = header.size;
    // A journal of this key and grid goes on (its records were replayed onto `mask`), cut after its
    // last whole record: what follows a record cut short would never be read back.
    long keptHeaderBytes = -1;
    const long keep = readJournal(
        path_, header, [this](const Box& box, const std::vector<std::uint8_t>&) { touched_ = unite(touched_, box); },
        &keptHeaderBytes);
    if (keep >= 0) {
        fs::resize_file(path_, std::uintmax_t(keep), ec);
        if (ec) throw Error(path_, "cannot keep the open edit on disk: " + ec.message());
    }
    file_ = std::fopen(path_.c_str(), keep >= 0 ? "ab" : "wb");
    if (!file_) throw Error(path_, std::string("cannot keep the open edit on disk: ") + std::strerror(errno));
    if (keep < 0) {
        try {
            startFile(file_);
        } catch (...) {
            std::fclose(file_);
            file_ = nullptr;
            throw;
        }
        syncDirectory(fs::path(path_).parent_path().string());  // the new file's name survives a power cut
    }
    std::fseek(file_, 0, SEEK_END);  // so that ftell tells where a record starts
    length_ = std::ftell(file_);
    const long newHeaderBytes =
        long(kMagicSize + 2 * sizeof(std::int64_t) + key_.stamp.size() + 3 * sizeof(std::int64_t));
    headerBytes_ = keptHeaderBytes >= 0 ? keptHeaderBytes : newHeaderBytes;
}

void EditJournal::removeStaleRewrites() const {
    // A compaction cut short by a crash leaves its new file next to the journal, under the hidden
    // name writeFileAtomically gave it (temporarySiblingPath: ".edit-ID.tmp-PID-N.journal").
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(path_).parent_path(), ec))
        if (isTemporarySiblingName(entry.path().filename().string(), path_)) fs::remove(entry.path(), ec);
}

EditJournal::~EditJournal() {
    if (file_) std::fclose(file_);
}

void EditJournal::startFile(std::FILE* file) const {
    if (!writeHeader(file, {key_.candidateId, key_.stamp, size_}) || !flushToDisk(file))
        throw Error(path_, "cannot keep the open edit on disk: the journal cannot be written");
}

void EditJournal::append(const Mask& mask, const Index3& first, const Index3& end) {
    if (!file_) throw Error(path_, "cannot keep the open edit on disk: the journal is closed");
    const Box box{first[0], first[1], first[2], end[0], end[1], end[2]};
    const Box touched = unite(touched_, box);
    const long oneRecord = long(6 * sizeof(std::int64_t)) + long(voxelsIn(touched));
    const long recordBytes = long(6 * sizeof(std::int64_t)) + long(voxelsIn(box));
    if (length_ + recordBytes - headerBytes_ > 2 * oneRecord) {
        touched_ = touched;
        compact(mask);
        return;
    }
    const long before = std::ftell(file_);
    if (!writeRecord(file_, mask, box) || !flushToDisk(file_)) {
        const std::string reason = std::strerror(errno);
        // Back to the last whole record, so that the journal stays readable up to there.
        if (before >= 0 && ::ftruncate(::fileno(file_), before) == 0) std::fseek(file_, before, SEEK_SET);
        throw Error(path_, "cannot keep the open edit on disk: " + reason);
    }
    touched_ = touched;
    length_ = std::ftell(file_);
}

void EditJournal::compact(const Mask& mask) {
    // The new journal is complete on disk before it takes the old one's name; until then the old one
    // stays as it was.
    writeFileAtomically(path_, [&](const std::string& temp) {
        std::FILE* file = std::fopen(temp.c_str(), "wb");
        if (!file) throw Error(path_, std::string("cannot keep the open edit on disk: ") + std::strerror(errno));
        const bool written =
            writeHeader(file, {key_.candidateId, key_.stamp, size_}) && writeRecord(file, mask, touched_);
        if (std::fclose(file) != 0 || !written)
            throw Error(path_, "cannot keep the open edit on disk: the journal cannot be written");
    });
    std::fclose(file_);
    file_ = std::fopen(path_.c_str(), "ab");
    if (!file_) throw Error(path_, std::string("cannot keep the open edit on disk: ") + std::strerror(errno));
    std::fseek(file_, 0, SEEK_END);
    length_ = std::ftell(file_);
}

}  // namespace ipnp
