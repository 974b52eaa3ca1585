// The CORE_ONLY check (no Qt): generates a phantom in memory, splits its labels into per-organ
// masks and back, and plans a partial-label protocol. Exits non-zero on any mismatch.
#include <algorithm>
#include <cstdio>

#include "LabelMaskOps.h"
#include "PartialLabelProtocol.h"
#include "PhantomGenerator.h"

using namespace ipnp;

namespace {
int failures = 0;
void expect(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "FAILED: %s\n", what);
        ++failures;
    }
}
}  // namespace

int main() {
    PhantomOptions options;
    options.size = {48, 48, 48};
    options.spacing = {4, 4, 4};
    const PhantomCase phantom = PhantomGenerator(options).generate(0);
    const auto extents = labelExtents(phantom.truth);
    expect(extents.size() == PhantomGenerator::organs().size(), "every phantom organ is present");

    LabelMap rebuilt(phantom.truth.geometry(), 0);
    for (const LabelExtent& extent : extents)
        pasteMask(rebuilt, cropMask(phantom.truth, extent), extent.first, static_cast<std::uint8_t>(extent.label));
    expect(rebuilt.voxels() == phantom.truth.voxels(), "masks rebuild the label map");

    std::vector<ScanLabels> scans;
    for (int n = 0; n < 6; ++n) {
        ScanLabels scan{"case" + std::to_string(n), {}};
        for (const LabelExtent& extent : extents) scan.labeledOrgans.push_back(extent.label);
        scans.push_back(scan);
    }
    PartialLabelOptions protocol;
    protocol.testFraction = 1.0 / 3;
    protocol.keepFraction = 0.5;
    const PartialLabelPlan plan = planPartialLabels(scans, protocol);
    expect(std::count(plan.isTest.begin(), plan.isTest.end(), true) == 2, "two of six scans are held out");

    std::printf("%s: %zu organs, %d failure(s)\n", failures ? "FAILED" : "ok", extents.size(), failures);
    return failures ? 1 : 0;
}
