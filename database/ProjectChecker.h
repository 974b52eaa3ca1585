#pragma once
// Verifies a project against its own database (DESIGN.md: the database is the truth): SQLite's
// integrity check, every named file present with its recorded SHA-256, and the files no row
// names (garbage a crash may leave; safe to delete).
#include <string>
#include <vector>

#include "ProjectStore.h"

namespace ipnp {

struct ProjectCheckReport {
    std::string integrity;                  // "ok" or SQLite's findings
    std::size_t filesChecked = 0;
    std::vector<std::string> missingFiles;  // named by the database, not on disk
    std::vector<std::string> wrongHashes;   // on disk with other content than recorded
    std::vector<std::string> unnamedFiles;  // on disk, named by no row (relative paths)
    bool healthy() const { return integrity == "ok" && missingFiles.empty() && wrongHashes.empty(); }
};

ProjectCheckReport checkProject(ProjectStore& store);
// Deletes the unnamed files of a report (and folders left empty); returns how many.
std::size_t removeUnnamedFiles(ProjectStore& store, const ProjectCheckReport& report);

}  // namespace ipnp
