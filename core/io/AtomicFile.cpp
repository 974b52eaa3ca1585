#include "AtomicFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "Error.h"
#include "Sha256.h"

namespace ipnp {

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
