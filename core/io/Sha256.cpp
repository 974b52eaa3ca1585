#include "Sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "Error.h"

namespace ipnp {

// OpenSSL's EVP uses the CPU's SHA extensions where present (several GB/s): hashing must not be
// the slow part of importing a scan.
struct Sha256::State {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    ~State() { EVP_MD_CTX_free(context); }
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
    if (!state_->context || EVP_DigestInit_ex(state_->context, EVP_sha256(), nullptr) != 1)
        throw Error("SHA-256: OpenSSL could not initialise the digest");
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t size) {
    EVP_DigestUpdate(state_->context, data, size);
}

std::string Sha256::hexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(state_->context, digest, &length);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (unsigned int n = 0; n < length; ++n) {
        out += kHex[digest[n] >> 4];
        out += kHex[digest[n] & 15];
    }
    return out;
}

std::string Sha256::ofFile(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
    Sha256 hash;
    std::vector<char> buffer(1 << 20);
    std::size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) hash.update(buffer.data(), got);
    const bool failed = std::ferror(file);
    std::fclose(file);
    if (failed) throw Error(path, "read error while hashing");
    return hash.hexDigest();
}

std::string Sha256::ofBytes(const void* data, std::size_t size) {
    Sha256 hash;
    hash.update(data, size);
    return hash.hexDigest();
}

}  // namespace ipnp
