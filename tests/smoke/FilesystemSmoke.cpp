// The std::filesystem calls the code makes (both the throwing and the error_code overloads, which
// are separate symbols), in a program linked against LibTorch as the app is
// (the CORE_ONLY check, run on GPU machines by tests/smoke/cuda_check.sh). pip's CUDA LibTorch
// exports its own copies of libstdc++'s filesystem functions (pytorch/pytorch#133437), and the
// dynamic linker may bind the program's calls to them: its remove_all crashed on an H200 (so the
// code uses core's removeTree). Each step prints a line before the next, so a crash names the
// call that did it; the counts are of the tree made here.
#include <torch/cuda.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "CrashTrace.h"
#include "RemoveTree.h"

namespace fs = std::filesystem;

namespace {
int failures = 0;
void expect(bool condition, const std::string& what) {
    std::printf("%s: %s\n", condition ? "ok" : "FAILED", what.c_str());
    failures += !condition;
}
void writeFile(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
}  // namespace

int main() {
    ipnp::smoke::installCrashTrace();
    // Also keeps LibTorch among the program's libraries (as the app has it), whatever --as-needed does.
    std::printf("LibTorch with CUDA: %s\n", torch::cuda::is_available() ? "yes" : "no");
    try {
        const fs::path root = fs::temp_directory_path() / ("ipnp-filesystem-smoke-" + std::to_string(::getpid()));
        expect(fs::create_directories(root / "a" / "b"), "create_directories");
        fs::create_directories(root / "c");
        writeFile(root / "a" / "one.txt", "12345");
        writeFile(root / "a" / "b" / "two.txt", "x");
        writeFile(root / "c" / "three.txt", "");
        expect(fs::exists(root / "a" / "one.txt") && fs::is_regular_file(root / "a" / "one.txt") &&
                   fs::is_directory(root / "a" / "b"),
               "exists, is_regular_file, is_directory");
        int entries = 0;
        for (const auto& entry : fs::directory_iterator(root)) entries += entry.is_directory();
        expect(entries == 2, "directory_iterator: 2 folders at the top (a, c)");
        int files = 0, all = 0;
        for (const auto& entry : fs::recursive_directory_iterator(root)) {
            ++all;
            files += entry.is_regular_file();
        }
        expect(all == 6 && files == 3, "recursive_directory_iterator: 6 entries, 3 files");
        expect(fs::file_size(root / "a" / "one.txt") == 5, "file_size");
        fs::resize_file(root / "a" / "one.txt", 2);
        expect(fs::file_size(root / "a" / "one.txt") == 2, "resize_file");
        fs::create_hard_link(root / "a" / "one.txt", root / "c" / "link.txt");
        expect(fs::hard_link_count(root / "a" / "one.txt") == 2, "create_hard_link");
        fs::rename(root / "c" / "link.txt", root / "c" / "renamed.txt");
        expect(fs::exists(root / "c" / "renamed.txt") && !fs::exists(root / "c" / "link.txt"), "rename");
        expect(fs::relative(root / "a" / "b", root) == fs::path("a") / "b", "relative");
        expect(fs::absolute(root).is_absolute(), "absolute");
        expect(fs::remove(root / "c" / "three.txt") && fs::is_empty(root / "a" / "b") == false, "remove, is_empty");
        // The error_code overloads.
        std::error_code ec;
        const fs::path d = root / "d";
        expect(fs::create_directories(d / "e", ec) && !ec, "create_directories(ec)");
        writeFile(d / "f.txt", "abc");
        expect(fs::exists(d / "f.txt", ec) && fs::is_directory(d / "e", ec) && !fs::is_empty(d, ec) && !ec,
               "exists(ec), is_directory(ec), is_empty(ec)");
        int inD = 0;
        for (const auto& entry : fs::directory_iterator(d, ec)) inD += entry.path().filename() == "f.txt";
        expect(inD == 1 && !ec, "directory_iterator(ec)");
        fs::resize_file(d / "f.txt", 1, ec);
        expect(!ec && fs::file_size(d / "f.txt") == 1, "resize_file(ec)");
        fs::rename(d / "f.txt", d / "g.txt", ec);
        expect(!ec && fs::exists(d / "g.txt"), "rename(ec)");
        expect(fs::remove(d / "g.txt", ec) && !ec && !fs::remove(d / "g.txt", ec) && !ec, "remove(ec), twice");
        // root, a, b, c, d, e, a/one.txt, a/b/two.txt, c/renamed.txt
        expect(ipnp::removeTree(root.string()) == 9 && !fs::exists(root), "removeTree: 9 entries");
    } catch (const std::exception& error) {
        std::fprintf(stderr, "FAILED: %s\n", error.what());
        return 1;
    }
    return failures == 0 ? 0 : 1;
}
