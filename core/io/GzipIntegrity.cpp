#include "GzipIntegrity.h"

#include <zlib.h>

#include <cstdio>
#include <vector>

#include "Error.h"

namespace ipnp {

struct GzipIntegrity::State {
    z_stream stream{};
    std::vector<unsigned char> sink = std::vector<unsigned char>(1 << 18);
    bool memberOpen = false;   // inside a member that has not reached its end yet
    bool sawData = false;
    std::string error;
    State() { inflateInit2(&stream, 16 + MAX_WBITS); }  // 16: expect a gzip wrapper
    ~State() { inflateEnd(&stream); }
};

GzipIntegrity::GzipIntegrity() : state_(std::make_unique<State>()) {}
GzipIntegrity::~GzipIntegrity() = default;

void GzipIntegrity::update(const char* data, std::size_t size) {
    State& s = *state_;
    if (!s.error.empty() || size == 0) return;
    s.sawData = true;
    s.stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    s.stream.avail_in = static_cast<uInt>(size);
    while (s.stream.avail_in > 0) {
        s.memberOpen = true;
        s.stream.next_out = s.sink.data();
        s.stream.avail_out = static_cast<uInt>(s.sink.size());
        const int result = inflate(&s.stream, Z_NO_FLUSH);
        if (result == Z_STREAM_END) {
            s.memberOpen = false;
            inflateReset(&s.stream);  // another member may follow (bgzip, concatenated files)
        } else if (result != Z_OK && result != Z_BUF_ERROR) {
            s.error = std::string("the compressed data is corrupt (") + (s.stream.msg ? s.stream.msg : "zlib error") + ")";
            return;
        } else if (result == Z_BUF_ERROR && s.stream.avail_out == s.sink.size()) {
            break;  // no progress possible without more input
        }
    }
}

std::string GzipIntegrity::problem() const {
    if (!state_->error.empty()) return state_->error;
    if (!state_->sawData) return "the file is empty";
    if (state_->memberOpen) return "the compressed data ends before it is complete (truncated file?)";
    return {};
}

bool GzipIntegrity::isGzipFileName(const std::string& path) {
    return path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

void GzipIntegrity::requireWholeFile(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) throw Error(path, "cannot open");
    GzipIntegrity check;
    std::vector<char> buffer(1 << 20);
    std::size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) check.update(buffer.data(), got);
    std::fclose(file);
    if (const std::string problem = check.problem(); !problem.empty()) throw Error(path, problem);
}

}  // namespace ipnp
