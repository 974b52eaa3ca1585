#pragma once
// Files written by a batch that has not committed yet; removed unless the batch commits (a failed
// import or a crash before the database transaction leaves the project folder as it was).
#include <filesystem>
#include <string>
#include <vector>

namespace ipnp {

class StagedFiles {
public:
    StagedFiles() = default;
    StagedFiles(const StagedFiles&) = delete;
    StagedFiles& operator=(const StagedFiles&) = delete;
    ~StagedFiles() {
        if (committed_) return;
        std::error_code ignored;
        for (const std::string& path : paths_) std::filesystem::remove(path, ignored);
        for (const std::string& folder : folders_) std::filesystem::remove(folder, ignored);  // only if empty
    }
    void add(const std::string& path) { paths_.push_back(path); }
    void addFolder(const std::string& folder) { folders_.push_back(folder); }
    void commit() { committed_ = true; }

private:
    std::vector<std::string> paths_;
    std::vector<std::string> folders_;
    bool committed_ = false;
};

}  // namespace ipnp
