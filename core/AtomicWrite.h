#pragma once
// Files that appear whole or not at all: written under a temporary name in the destination's
// folder, flushed to disk, then renamed over the destination (rename is atomic on POSIX).
// Plain C++ (core), so that models/ can write checkpoints the same way in CORE_ONLY builds.
#include <functional>
#include <string>

namespace ipnp {

// A temporary path next to `destination` that keeps its extension (ITK picks the format by it):
// "labels/a.nii.gz" -> "labels/.a.tmp-<pid>-<n>.nii.gz".
std::string temporarySiblingPath(const std::string& destination);
// Whether the file name `name` (no folder) is one temporarySiblingPath(destination) gives, in any
// process: a rewrite that a crash left behind.
bool isTemporarySiblingName(const std::string& name, const std::string& destination);

// Flushes a written file (and then its folder's entry) to stable storage.
void syncFile(const std::string& path);
void syncDirectory(const std::string& directory);

// Calls write(tempPath), syncs, renames onto destination. The temp file is removed on failure.
void writeFileAtomically(const std::string& destination,
                         const std::function<void(const std::string& tempPath)>& write);

// The extension the image formats care about: ".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd".
std::string imageExtension(const std::string& path);
// File name without folder and without imageExtension(): "/a/b/case_01.nii.gz" -> "case_01".
std::string imageStem(const std::string& path);

}  // namespace ipnp
