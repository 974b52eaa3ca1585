// bench_make_ct_volume OUT.nii.gz [LEVEL]: the input of the import benchmark. One phantom case at
// the size of a clinical abdominal CT (512 x 512 x 300 int16, 0.8 x 0.8 x 1.0 mm), compressed at
// gzip's default level 6 unless LEVEL says otherwise, so that the file decompresses like a
// scanner or PACS export would (level 1 files inflate faster and would flatter the import).
#include <chrono>
#include <cstdio>
#include <string>

#include "ImageFile.h"
#include "PhantomGenerator.h"

using namespace ipnp;

namespace {

constexpr int kDefaultLevel = 6;

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int usage() {
    std::fprintf(stderr, "usage: bench_make_ct_volume OUT.nii.gz [LEVEL 1..9, default %d]\n", kDefaultLevel);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) return usage();
    const std::string out = argv[1];
    const int level = argc == 3 ? std::atoi(argv[2]) : kDefaultLevel;
    if (level < 1 || level > 9) return usage();
    try {
        PhantomOptions options;
        options.size = {512, 512, 300};
        options.spacing = {0.8, 0.8, 1.0};
        options.seed = 2024;

        auto start = std::chrono::steady_clock::now();
        const PhantomCase phantom = PhantomGenerator(options).generate(0);
        std::fprintf(stderr, "generated 512x512x300 phantom in %.1f s\n", secondsSince(start));

        start = std::chrono::steady_clock::now();
        writeVolume(phantom.image, out, level);
        std::fprintf(stderr, "wrote %s (gzip level %d) in %.1f s\n", out.c_str(), level, secondsSince(start));
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_make_ct_volume: %s\n", error.what());
        return 1;
    }
}
