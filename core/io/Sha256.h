#pragma once
// SHA-256 of files and byte ranges, as lowercase hex (the same text `sha256sum` prints).
#include <cstddef>
#include <memory>
#include <string>

namespace ipnp {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t size);
    std::string hexDigest();  // finishes the hash; call once

    static std::string ofFile(const std::string& path);  // throws ipnp::Error naming the file
    static std::string ofBytes(const void* data, std::size_t size);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace ipnp
