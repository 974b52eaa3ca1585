#include "Metrics.h"

#include "Error.h"

namespace ipnp {

double dice(const LabelMap& a, const LabelMap& b, int organ) {
    if (a.voxelCount() != b.voxelCount()) throw Error("Dice: the label maps have different sizes");
    std::size_t inA = 0, inB = 0, both = 0;
    const std::uint8_t* pa = a.data();
    const std::uint8_t* pb = b.data();
    for (std::size_t n = 0; n < a.voxelCount(); ++n) {
        const bool x = pa[n] == organ, y = pb[n] == organ;
        inA += x;
        inB += y;
        both += x && y;
    }
    return inA + inB == 0 ? 1.0 : 2.0 * double(both) / double(inA + inB);
}

}  // namespace ipnp
