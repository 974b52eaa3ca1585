#pragma once
// Checks that a gzip stream is whole: every member inflates to its end and its CRC-32 matches.
// ITK's NIfTI reader stops once it has the voxels it expects and fills a truncated file's missing
// voxels silently, so a cut-off download would otherwise import as a scan with a black tail.
#include <memory>
#include <string>

namespace ipnp {

class GzipIntegrity {
public:
    GzipIntegrity();
    ~GzipIntegrity();
    GzipIntegrity(const GzipIntegrity&) = delete;
    GzipIntegrity& operator=(const GzipIntegrity&) = delete;

    // Feed the compressed bytes in order; the inflated output is discarded.
    void update(const char* data, std::size_t size);
    // Empty when the stream was whole, else what is wrong ("ends before its data is complete").
    std::string problem() const;

    static bool isGzipFileName(const std::string& path);  // ".gz" at the end
    // Reads and checks a whole file; throws ipnp::Error naming it when the stream is damaged.
    static void requireWholeFile(const std::string& path);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace ipnp
