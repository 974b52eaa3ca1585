#pragma once
// DICOM CT series written by tests with DCMTK, every value and position chosen by hand.
#include <QString>
#include <functional>
#include <string>
#include <vector>

#include "ImageGeometry.h"

namespace ipnp::test {

struct SliceSpec {
    std::string series = "1.2.826.0.1.3680043.10.1001.1";
    std::string description = "abdomen";
    int seriesNumber = 3;
    Vec3 position{-10, 20, 30};
    std::string orientation = "1\\0\\0\\0\\1\\0";
    double slope = 1, intercept = -1024;
    bool signedPixels = false;
    double gantryTilt = 0;
    int columns = 6, rows = 5;
};

// A CT slice (16-bit, little endian explicit) whose stored value at (column i, row j) is raw(i, j).
// Returns false when DCMTK cannot write the file.
bool writeSlice(const QString& path, const SliceSpec& spec, int instance, const std::function<int(int, int)>& raw);

// Four axial slices 2.5 mm apart from spec.position, written in reverse name order (slice_9.dcm
// is the first); raw value 1000 + 100k + 10j + i.
bool writeRegularSeries(const QString& folder, SliceSpec spec = {});

struct RoiSpec {
    int number = 1;
    std::string name;
    std::vector<std::vector<Vec3>> contours;  // closed planar, world mm (LPS)
};

// An RT Structure Set for the series `seriesUid` of writeSlice's study and frame of reference.
bool writeRtStruct(const QString& path, const std::string& seriesUid, const std::vector<RoiSpec>& rois);

}  // namespace ipnp::test
