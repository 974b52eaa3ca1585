#include "AtomicFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "Error.h"
#include "Sha256.h"

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

std::string temporarySiblingPath(const std::string& destination) {
    static std::atomic<unsigned> counter{0};
    const fs::path target(destination);
    return (target.parent_path() / ("." + imageStem(destination) + ".tmp-" + std::to_string(::getpid()) +
                                    "-" + std::to_string(counter++) + imageExtension(destination)))
        .string();
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

std::string copyFileAtomically(const std::string& source, const std::string& destination,
                               const std::function<void(const char* data, std::size_t size)>& observe) {
    std::string digest;
    writeFileAtomically(destination, [&](const std::string& temp) {
        std::FILE* in = std::fopen(source.c_str(), "rb");
        if (!in) throw Error(source, std::string("cannot open: ") + std::strerror(errno));
        std::FILE* out = std::fopen(temp.c_str(), "wb");
        if (!out) {
            std::fclose(in);
            throw Error(temp, std::string("cannot create: ") + std::strerror(errno));
        }
        Sha256 hash;
        std::vector<char> buffer(4 << 20);
        bool failed = false;
        std::size_t got = 0;
        while ((got = std::fread(buffer.data(), 1, buffer.size(), in)) > 0) {
            hash.update(buffer.data(), got);
            if (observe) observe(buffer.data(), got);
            if (std::fwrite(buffer.data(), 1, got, out) != got) {
                failed = true;
                break;
            }
        }
        failed = failed || std::ferror(in);
        const bool closeFailed = std::fclose(out) != 0;
        std::fclose(in);
        if (failed || closeFailed) throw Error(destination, "copy failed (disk full or read error?)");
        digest = hash.hexDigest();
    });
    return digest;
}

}  // namespace ipnp
