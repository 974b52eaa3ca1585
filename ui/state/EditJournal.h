#pragma once
// An open mask edit, kept on disk stroke by stroke, so that a crash of the app (or of the machine)
// loses none of it: after every stroke, undo and redo the box that changed is appended, with its
// voxels as they now are, and flushed to disk. Reopening the edit of the same candidate replays the
// journal onto its mask; storing or dropping the edit deletes it. A record cut short by a crash is
// ignored. Plain C++.
//
// Format (native byte order; the file never leaves the machine's project): "IPNPEDIT1\n", the
// candidate id (int64) and the grid size (3 x int64); then per record the box's first and end
// corners (6 x int64) and its voxels (i fastest).
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "Volume.h"

namespace ipnp {

class EditJournal {
public:
    // The journal of candidate `candidateId` in the project folder (drafts/edit-ID.journal).
    static std::string pathFor(const std::string& projectFolder, std::int64_t candidateId);
    // Every journal in the project folder, by candidate id.
    static std::map<std::int64_t, std::string> journalsIn(const std::string& projectFolder);
    // Replays the journal at `path` onto `mask` (the candidate's mask on its scan's grid); returns
    // the records applied, 0 when there is none, or a journal of another candidate or grid.
    static std::size_t replay(const std::string& path, std::int64_t candidateId, Mask& mask);
    // Deletes the journal (nothing when there is none).
    static void discard(const std::string& path);

    // Opens the journal at `path` for appending, keeping the records it holds (those replayed),
    // or starts it. Throws ipnp::Error naming the file when it cannot be written.
    EditJournal(std::string path, std::int64_t candidateId, const Mask& mask);
    ~EditJournal();
    EditJournal(const EditJournal&) = delete;
    EditJournal& operator=(const EditJournal&) = delete;

    // Appends the box [first, end) of `mask` as it is now, on disk before it returns.
    void append(const Mask& mask, const Index3& first, const Index3& end);
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::FILE* file_ = nullptr;
};

}  // namespace ipnp
