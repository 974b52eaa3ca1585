#include "RemoveTree.h"

#include <ftw.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

#include "Error.h"

namespace ipnp {

namespace {
// nftw's callback takes no context: the count and first error of the walk in progress live here
// (one walk per thread at a time).
thread_local std::uintmax_t removedCount = 0;
thread_local int firstError = 0;

int removeEntry(const char* path, const struct stat*, int, struct FTW*) {
    if (std::remove(path) != 0) {
        firstError = errno;
        return 1;  // stops the walk
    }
    ++removedCount;
    return 0;
}
}  // namespace

std::uintmax_t removeTree(const std::string& path, std::error_code& error) {
    error.clear();
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        if (errno != ENOENT) error.assign(errno, std::generic_category());
        return 0;
    }
    removedCount = 0;
    firstError = 0;
    // Depth first (a folder after what it holds), without following symbolic links.
    if (::nftw(path.c_str(), removeEntry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        error.assign(firstError ? firstError : errno, std::generic_category());
    return removedCount;
}

std::uintmax_t removeTree(const std::string& path) {
    std::error_code error;
    const std::uintmax_t removed = removeTree(path, error);
    if (error) throw Error(path, "cannot delete: " + error.message());
    return removed;
}

}  // namespace ipnp
