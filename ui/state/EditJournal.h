#pragma once
// An open mask edit, kept on disk stroke by stroke, so that a crash of the app (or of the machine)
// loses none of it: after every stroke, undo and redo the box that changed is appended, with its
// voxels as they now are, and flushed to disk. Reopening the edit of the same candidate replays the
// journal onto its mask; storing or dropping the edit deletes it. A record cut short by a crash is
// ignored. Once the records would take more than twice the room of one record of the box they all
// lie in, the journal is rewritten (atomically) as that one record, so a long edit's journal stays
// within twice the box it touched. A format-1 journal (no stamp) is still read. Plain C++.
//
// Format (native byte order; the file never leaves the machine's project): "IPNPEDIT2\n", the
// candidate id (int64), the stamp's length (int64) and bytes, and the grid size (3 x int64); then
// per record the box's first and end corners (6 x int64) and its voxels (i fastest, 0 or 1).
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "Volume.h"

namespace ipnp {

// Whose edit a journal holds: the candidate's id, and a stamp that tells it from a candidate with
// the same id in a project re-created in the same folder (e.g. its creation time and checkpoint).
struct EditJournalKey {
    std::int64_t candidateId = 0;
    std::string stamp;
};

class EditJournal {
public:
    // The journal of candidate `candidateId` in the project folder (drafts/edit-ID.journal).
    static std::string pathFor(const std::string& projectFolder, std::int64_t candidateId);
    // Every journal in the project folder, by candidate id.
    static std::map<std::int64_t, std::string> journalsIn(const std::string& projectFolder);
    // Replays the journal at `path` onto `mask` (the candidate's mask on its scan's grid); returns
    // the records applied, 0 when there is none, or a journal of another key or grid.
    static std::size_t replay(const std::string& path, const EditJournalKey& key, Mask& mask);
    // Deletes the journal (nothing when there is none).
    static void discard(const std::string& path);

    // Opens the journal at `path` for appending, keeping the records it holds (those replayed),
    // or starts it. Throws ipnp::Error naming the file when it cannot be written.
    EditJournal(std::string path, EditJournalKey key, const Mask& mask);
    ~EditJournal();
    EditJournal(const EditJournal&) = delete;
    EditJournal& operator=(const EditJournal&) = delete;

    // Appends the box [first, end) of `mask` as it is now, on disk before it returns; or, when the
    // journal has grown past twice one record of the box all records lie in, rewrites it as that
    // record. Throws ipnp::Error naming the file when it cannot be written (the journal stays
    // readable up to its last whole record).
    void append(const Mask& mask, const Index3& first, const Index3& end);
    const std::string& path() const { return path_; }
    // The journal's size on disk now (header and records).
    long bytes() const { return length_; }

private:
    void compact(const Mask& mask);
    void removeStaleRewrites() const;
    void startFile(std::FILE* file) const;  // writes the header; throws on failure

    std::string path_;
    EditJournalKey key_;
    std::array<std::int64_t, 3> size_{};
    std::FILE* file_ = nullptr;
    long headerBytes_ = 0;
    long length_ = 0;
    std::array<std::int64_t, 6> touched_{};  // the box all records lie in (empty: first == end)
};

}  // namespace ipnp
