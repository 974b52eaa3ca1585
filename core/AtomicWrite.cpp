#include "AtomicWrite.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "Error.h"

namespace ipnp {

namespace fs = std::filesystem;

std::string imageExtension(const std::string& path) {
    const std::string name = fs::path(path).filename().string();
    auto endsWith = [&](const std::string& suffix) {
        return name.size() >= suffix.size() &&
               name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    for (const char* double_ : {".nii.gz", ".img.gz"})
        if (endsWith(double_)) return double_;
    const auto dot = name.rfind('.');
    return dot == std::string::npos || dot == 0 ? std::string() : name.substr(dot);
}

std::string imageStem(const std::string& path) {
    const std::string name = fs::path(path).filename().string();
    return name.substr(0, name.size() - imageExtension(path).size());
}

namespace {
std::string temporaryPrefix(const std::string& destination) { return "." + imageStem(destination) + ".tmp-"; }
}  // namespace

std::string temporarySiblingPath(const std::string& destination) {
    static std::atomic<unsigned> counter{0};
    const fs::path target(destination);
    return (target.parent_path() / (temporaryPrefix(destination) + std::to_string(::getpid()) + "-" +
                                    std::to_string(counter++) + imageExtension(destination)))
        .string();
}

bool isTemporarySiblingName(const std::string& name, const std::string& destination) {
    const std::string prefix = temporaryPrefix(destination), suffix = imageExtension(destination);
    return name.size() > prefix.size() + suffix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void syncFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw Error(path, std::string("cannot open to flush: ") + std::strerror(errno));
    const int result = ::fsync(fd);
    ::close(fd);
    if (result != 0) throw Error(path, std::string("cannot flush to disk: ") + std::strerror(errno));
}

void syncDirectory(const std::string& directory) {
    const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;  // not fatal: the rename itself already happened
    ::fsync(fd);
    ::close(fd);
}

void writeFileAtomically(const std::string& destination,
                         const std::function<void(const std::string& tempPath)>& write) {
    const std::string temp = temporarySiblingPath(destination);
    try {
        write(temp);
        syncFile(temp);
        fs::rename(temp, destination);
    } catch (const fs::filesystem_error& error) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw Error(destination, std::string("cannot put the file in place: ") + error.code().message());
    } catch (...) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw;
    }
    syncDirectory(fs::path(destination).parent_path().string());
}

}  // namespace ipnp
