#include "OverlayStyle.h"

namespace ipnp {

LabelMap pendingDisplayPattern(const LabelMap& pending, int hatchPeriod) {
    LabelMap out(pending.geometry(), 0);
    const auto& size = pending.size();
    const long n[3] = {long(size[0]), long(size[1]), long(size[2])};
    for (long k = 0; k < n[2]; ++k)
        for (long j = 0; j < n[1]; ++j)
            for (long i = 0; i < n[0]; ++i) {
                const std::uint8_t value = pending.at(std::size_t(i), std::size_t(j), std::size_t(k));
                if (value == 0) continue;
                bool drawn = (i + j + k) % hatchPeriod == 0;
                const long neighbours[6][3] = {{i - 1, j, k}, {i + 1, j, k}, {i, j - 1, k},
                                               {i, j + 1, k}, {i, j, k - 1}, {i, j, k + 1}};
                for (const auto& q : neighbours) {
                    if (drawn) break;
                    const bool inside = q[0] >= 0 && q[1] >= 0 && q[2] >= 0 && q[0] < n[0] && q[1] < n[1] && q[2] < n[2];
                    drawn = !inside || pending.at(std::size_t(q[0]), std::size_t(q[1]), std::size_t(q[2])) != value;
                }
                if (drawn) out.at(std::size_t(i), std::size_t(j), std::size_t(k)) = value;
            }
    return out;
}

}  // namespace ipnp
