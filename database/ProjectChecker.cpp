#include "ProjectChecker.h"

#include <filesystem>
#include <set>

#include "Sha256.h"

namespace ipnp {

namespace fs = std::filesystem;

ProjectCheckReport checkProject(ProjectStore& store) {
    ProjectCheckReport report;
    {
        SqliteStatement integrity(store.database(), "PRAGMA integrity_check");
        while (integrity.step()) report.integrity += (report.integrity.empty() ? "" : "; ") + integrity.columnText(0);
    }
    std::set<std::string> named;
    SqliteStatement files(store.database(),
                          "SELECT file, file_sha256 FROM scans UNION ALL SELECT file, sha256 FROM label_versions "
                          "UNION ALL SELECT file, sha256 FROM truth UNION ALL SELECT file, sha256 FROM checkpoints "
                          "UNION ALL SELECT file, sha256 FROM candidates WHERE file IS NOT NULL "
                          "UNION ALL SELECT selection_file, selection_sha256 FROM candidates WHERE selection_file IS NOT NULL");
    while (files.step()) {
        const std::string relative = files.columnText(0);
        named.insert(relative);
        ++report.filesChecked;
        const std::string path = store.pathOf(relative);
        if (!fs::exists(path))
            report.missingFiles.push_back(relative);
        else if (Sha256::ofFile(path) != files.columnText(1))
            report.wrongHashes.push_back(relative);
    }
    for (const std::string& folder : ProjectStore::dataFolders()) {
        if (folder == "reports") continue;  // reports are written for people, the database names none
        std::error_code ec;
        const fs::path root = fs::path(store.folder()) / folder;
        if (!fs::is_directory(root, ec)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(root)) {
            if (!entry.is_regular_file()) continue;
            const std::string relative = fs::relative(entry.path(), store.folder()).string();
            if (!named.count(relative)) report.unnamedFiles.push_back(relative);
        }
    }
    return report;
}

std::size_t removeUnnamedFiles(ProjectStore& store, const ProjectCheckReport& report) {
    std::size_t removed = 0;
    std::error_code ec;
    for (const std::string& relative : report.unnamedFiles) {
        // Only inside the project's data folders: never anything a report did not list.
        if (fs::remove(store.pathOf(relative), ec)) ++removed;
        const fs::path parent = fs::path(relative).parent_path();
        if (parent.has_parent_path()) fs::remove(store.pathOf(parent.string()), ec);  // labels/<scan>/ if now empty
    }
    return removed;
}

}  // namespace ipnp
