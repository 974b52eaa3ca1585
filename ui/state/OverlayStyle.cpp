#include "OverlayStyle.h"

#include <algorithm>

namespace ipnp {

LabelMap pendingDisplayPattern(const LabelMap& pending, int hatchPeriod) {
    LabelMap out(pending.geometry(), 0);
    const auto& size = pending.size();
    updatePendingDisplayPattern(pending, out, {0, 0, 0}, {long(size[0]), long(size[1]), long(size[2])}, hatchPeriod);
    return out;
}

void updatePendingDisplayPattern(const LabelMap& pending, LabelMap& out, const Index3& from, const Index3& to,
                                 int hatchPeriod) {
    const auto& size = pending.size();
    const long n[3] = {long(size[0]), long(size[1]), long(size[2])};
    for (long k = std::max(0L, from[2]); k < std::min(n[2], to[2]); ++k)
        for (long j = std::max(0L, from[1]); j < std::min(n[1], to[1]); ++j)
            for (long i = std::max(0L, from[0]); i < std::min(n[0], to[0]); ++i) {
                const std::uint8_t value = pending.at(std::size_t(i), std::size_t(j), std::size_t(k));
                out.at(std::size_t(i), std::size_t(j), std::size_t(k)) = 0;
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
}

}  // namespace ipnp
