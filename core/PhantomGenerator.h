#pragma once
// Synthetic CT-like abdominal scans with exact ground truth, so that training, evaluation and the
// whole UI can be exercised without patient data. Each case is a smoothly deformed copy of one
// hand-made anatomy (AMOS organ indices), with partial-volume blur and CT-like noise.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ImageGeometry.h"
#include "Specialist.h"
#include "Volume.h"

namespace ipnp {

struct PhantomOptions {
    std::array<std::size_t, 3> size{96, 96, 96};  // voxels
    Vec3 spacing{2.0, 2.0, 2.0};                  // mm
    std::uint64_t seed = 1;
};

struct PhantomCase {
    ScanVolume image;  // Hounsfield units
    LabelMap truth;    // AMOS organ index per voxel, 0 = background
};

// What a case looks like (tests check this, so treat it as a contract):
//  - LPS world coordinates, identity direction, the volume centred on world (0, 0, 0);
//  - air (-1000 HU) outside an elliptic body; subcutaneous fat, a muscle wall, spine and ribs;
//  - the organs of organs(), in their usual places, each one 6-connected component;
//  - liver/postcava and spleen/pancreas touch in every case with mean HU less than 20 apart;
//  - Gaussian partial-volume blur (sigma 0.7 voxel), then iid Gaussian noise of SD 15 HU.
// The anatomy is defined in millimetres for a 320 x 240 mm body; a field of view too small for
// that body with a margin scales the anatomy down so the whole body fits in-plane (see the .cpp).
class PhantomGenerator {
public:
    explicit PhantomGenerator(PhantomOptions options);

    const PhantomOptions& options() const { return options_; }

    // Deterministic in (seed, caseIndex), also across platforms (no std distributions);
    // thread-safe: it only reads the options.
    PhantomCase generate(int caseIndex) const;

    // Case `caseIndex` as a specialist training case named "phantomN": HU as float, every organ
    // labeled (tests and benchmarks that train without a project).
    SpecialistTrainingCase trainingCase(int caseIndex) const;

    // The organs the phantoms contain: AMOS label index and AMOS name.
    static std::vector<std::pair<int, std::string>> organs();

private:
    PhantomOptions options_;
};

}  // namespace ipnp
