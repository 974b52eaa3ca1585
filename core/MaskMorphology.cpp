#include "MaskMorphology.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "Error.h"

namespace ipnp {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Relative slack when a distance is compared with a radius, so that a voxel at exactly `mm`
// (e.g. 2 spacings of 1.5 mm: 3.0 mm) is not lost to the float rounding of the squared distance.
constexpr double kRadiusSlack = 1e-6;

// One line of the separable squared EDT (Felzenszwalb & Huttenlocher 2012, the lower envelope of
// parabolas; Meijster et al. 2000 is the same idea): out[p] = min_q f[q] + w (p - q)^2 for p, q in
// [0, n), with w = spacing^2 of the axis. f[q] = +inf means "no site reaches q yet". When
// `borderSites` is set, positions -1 and n are extra sites with f = 0 (voxels beyond the grid's
// edge counted as sites: distanceInside's "outside"). O(n).
class LineTransform {
public:
    void run(const double* f, double* out, long n, double w, bool borderSites) {
        v_.resize(std::size_t(n) + 2);
        z_.resize(std::size_t(n) + 3);
        fv_.resize(std::size_t(n) + 2);
        long k = -1;
        // Adds the parabola of site q (positions come in increasing order) to the lower envelope.
        auto add = [&](long q, double fq) {
            if (k < 0) {
                k = 0;
                v_[0] = q;
                fv_[0] = fq;
                z_[0] = -kInfinity;
                z_[1] = kInfinity;
                return;
            }
            const double gq = fq + w * double(q) * double(q);
            double s = 0;
            for (;;) {
                const long vk = v_[std::size_t(k)];
                const double gv = fv_[std::size_t(k)] + w * double(vk) * double(vk);
                // Where the parabolas of vk and q cross; finite, so never <= z_[0] = -inf.
                s = (gq - gv) / (2.0 * w * double(q - vk));
                if (s > z_[std::size_t(k)]) break;
                --k;
            }
            ++k;
            v_[std::size_t(k)] = q;
            fv_[std::size_t(k)] = fq;
            z_[std::size_t(k)] = s;
            z_[std::size_t(k) + 1] = kInfinity;
        };
        if (borderSites) add(-1, 0.0);
        for (long q = 0; q < n; ++q)
            if (f[q] < kInfinity) add(q, f[q]);
        if (borderSites) add(n, 0.0);
        if (k < 0) {
            for (long p = 0; p < n; ++p) out[p] = kInfinity;
            return;
        }
        long j = 0;
        for (long p = 0; p < n; ++p) {
            while (z_[std::size_t(j) + 1] < double(p)) ++j;
            const double d = double(p - v_[std::size_t(j)]);
            out[p] = w * d * d + fv_[std::size_t(j)];
        }
    }

private:
    std::vector<long> v_;
    std::vector<double> fv_;
    std::vector<double> z_;
};

// Squared distance in mm^2 from every voxel to the nearest voxel where isSite(n) holds (plus the
// voxels beyond the grid's edge when borderSites); +inf where there is none. Passes along i, j, k.
template <typename IsSite>
std::vector<float> squaredDistance(const ImageGeometry& g, IsSite isSite, bool borderSites) {
    const long nx = long(g.size[0]), ny = long(g.size[1]), nz = long(g.size[2]);
    const std::size_t count = g.voxelCount();
    std::vector<float> d2(count);
    if (count == 0) return d2;
    const long longest = std::max({nx, ny, nz});
    std::vector<double> f(static_cast<std::size_t>(longest)), out(static_cast<std::size_t>(longest));
    LineTransform line;

    // Along i, from the sites themselves: the distance to the nearest site of the row, by a sweep
    // each way (the lower envelope of parabolas of height 0 is just that).
    const double sx = g.spacing[0];
    constexpr long kNone = std::numeric_limits<long>::max() / 4;
    std::vector<long> gap(static_cast<std::size_t>(nx));
    for (long k = 0; k < nz; ++k)
        for (long j = 0; j < ny; ++j) {
            const std::size_t base = std::size_t(nx) * (std::size_t(j) + std::size_t(ny) * std::size_t(k));
            long last = borderSites ? -1 : -kNone;  // position of the last site seen
            for (long i = 0; i < nx; ++i) {
                if (isSite(base + std::size_t(i))) last = i;
                gap[std::size_t(i)] = i - last;
            }
            last = borderSites ? nx : nx + kNone;
            for (long i = nx - 1; i >= 0; --i) {
                if (isSite(base + std::size_t(i))) last = i;
                const long steps = std::min(gap[std::size_t(i)], last - i);
                const double mm = double(steps) * sx;
                d2[base + std::size_t(i)] = steps >= kNone ? float(kInfinity) : float(mm * mm);
            }
        }
    // Along j, then k: gather a line, transform it, scatter it back.
    auto pass = [&](long n, double w, std::size_t stride, long outerA, long outerB, std::size_t strideA,
                    std::size_t strideB) {
        for (long b = 0; b < outerB; ++b)
            for (long a = 0; a < outerA; ++a) {
                const std::size_t base = std::size_t(a) * strideA + std::size_t(b) * strideB;
                for (long q = 0; q < n; ++q) f[std::size_t(q)] = double(d2[base + std::size_t(q) * stride]);
                line.run(f.data(), out.data(), n, w, borderSites);
                for (long q = 0; q < n; ++q) d2[base + std::size_t(q) * stride] = float(out[std::size_t(q)]);
            }
    };
    const std::size_t sliceStride = std::size_t(nx) * std::size_t(ny);
    pass(ny, g.spacing[1] * g.spacing[1], std::size_t(nx), nx, nz, 1, sliceStride);
    pass(nz, g.spacing[2] * g.spacing[2], sliceStride, nx, ny, 1, std::size_t(nx));
    return d2;
}

bool withinRadius(float squared, double mm) {
    return double(squared) <= mm * mm * (1.0 + kRadiusSlack) + 1e-12;
}

}  // namespace

FloatVolume distanceToSites(const Mask& sites) {
    const std::uint8_t* s = sites.data();
    const std::vector<float> d2 =
        squaredDistance(sites.geometry(), [s](std::size_t n) { return s[n] != 0; }, false);
    FloatVolume result(sites.geometry());
    float* r = result.data();
    for (std::size_t n = 0; n < d2.size(); ++n) r[n] = std::sqrt(d2[n]);
    return result;
}

FloatVolume distanceInside(const Mask& mask) {
    const std::uint8_t* m = mask.data();
    const std::vector<float> d2 = squaredDistance(mask.geometry(), [m](std::size_t n) { return m[n] == 0; }, true);
    FloatVolume result(mask.geometry());
    float* r = result.data();
    for (std::size_t n = 0; n < d2.size(); ++n) r[n] = m[n] ? std::sqrt(d2[n]) : 0.0f;
    return result;
}

Mask largestComponent(const Mask& mask) {
    // Runs of set voxels along i, joined by union-find: a run touches (26-connectivity) the runs of
    // the 8 neighbouring rows whose i-range overlaps its own grown by one voxel. Iterative, O(runs).
    const auto& g = mask.geometry();
    const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
    const std::uint8_t* m = mask.data();
    struct Run {
        std::size_t row;     // j + ny k
        std::size_t first;   // i of its first voxel
        std::size_t end;     // i past its last voxel
    };
    std::vector<Run> runs;
    std::vector<std::size_t> rowStart(ny * nz + 1, 0);  // runs of row r: [rowStart[r], rowStart[r + 1])
    for (std::size_t row = 0; row < ny * nz; ++row) {
        rowStart[row] = runs.size();
        const std::uint8_t* line = m + row * nx;
        for (std::size_t i = 0; i < nx;) {
            if (!line[i]) {
                ++i;
                continue;
            }
            const std::size_t first = i;
            while (i < nx && line[i]) ++i;
            runs.push_back({row, first, i});
        }
    }
    rowStart[ny * nz] = runs.size();
    Mask result(g, 0);
    if (runs.empty()) return result;

    std::vector<std::size_t> parent(runs.size());
    for (std::size_t r = 0; r < runs.size(); ++r) parent[r] = r;
    auto find = [&](std::size_t r) {
        std::size_t root = r;
        while (parent[root] != root) root = parent[root];
        while (parent[r] != root) {
            const std::size_t next = parent[r];
            parent[r] = root;
            r = next;
        }
        return root;
    };
    // The smaller index becomes the root: a root is then its component's first run in memory order.
    auto unite = [&](std::size_t a, std::size_t b) {
        a = find(a);
        b = find(b);
        if (a == b) return;
        if (b < a) std::swap(a, b);
        parent[b] = a;
    };
    // Join each row with the earlier rows among its neighbours: (j-1, k), and (j-1..j+1, k-1).
    for (std::size_t k = 0; k < nz; ++k)
        for (std::size_t j = 0; j < ny; ++j) {
            const std::size_t row = j + ny * k;
            if (rowStart[row] == rowStart[row + 1]) continue;
            std::size_t others[4];
            int count = 0;
            if (j > 0) others[count++] = row - 1;
            if (k > 0) {
                if (j > 0) others[count++] = row - ny - 1;
                others[count++] = row - ny;
                if (j + 1 < ny) others[count++] = row - ny + 1;
            }
            for (int o = 0; o < count; ++o) {
                std::size_t a = rowStart[row], b = rowStart[others[o]];
                const std::size_t aEnd = rowStart[row + 1], bEnd = rowStart[others[o] + 1];
                while (a < aEnd && b < bEnd) {
                    // Touching: [first, end) ranges overlap once one of them is grown by a voxel.
                    if (runs[a].first <= runs[b].end && runs[b].first <= runs[a].end) unite(a, b);
                    if (runs[a].end < runs[b].end)
                        ++a;
                    else
                        ++b;
                }
            }
        }
    std::vector<std::size_t> size(runs.size(), 0);
    for (std::size_t r = 0; r < runs.size(); ++r) size[find(r)] += runs[r].end - runs[r].first;
    std::size_t best = 0;  // roots are first runs in memory order: the strict > keeps the first on ties
    for (std::size_t r = 0; r < runs.size(); ++r)
        if (parent[r] == r && size[r] > size[best]) best = r;
    std::uint8_t* out = result.data();
    for (std::size_t r = 0; r < runs.size(); ++r)
        if (find(r) == best) std::fill(out + runs[r].row * nx + runs[r].first, out + runs[r].row * nx + runs[r].end, 1);
    return result;
}

Mask surfaceOf(const Mask& mask) {
    const auto& g = mask.geometry();
    const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
    const std::uint8_t* m = mask.data();
    Mask result(g, 0);
    std::uint8_t* r = result.data();
    const std::size_t sx = 1, sy = nx, sz = nx * ny;
    for (std::size_t k = 0; k < nz; ++k)
        for (std::size_t j = 0; j < ny; ++j)
            for (std::size_t i = 0; i < nx; ++i) {
                const std::size_t n = g.linearIndex(i, j, k);
                if (!m[n]) continue;
                const bool interior = i > 0 && i + 1 < nx && j > 0 && j + 1 < ny && k > 0 && k + 1 < nz &&
                                      m[n - sx] && m[n + sx] && m[n - sy] && m[n + sy] && m[n - sz] && m[n + sz];
                r[n] = interior ? 0 : 1;
            }
    return result;
}

Mask dilateBy(const Mask& mask, double mm) {
    if (!(mm >= 0)) throw Error("dilateBy: the radius must be a non-negative number of mm");
    const std::uint8_t* m = mask.data();
    const std::vector<float> d2 = squaredDistance(mask.geometry(), [m](std::size_t n) { return m[n] != 0; }, false);
    Mask result(mask.geometry(), 0);
    std::uint8_t* r = result.data();
    for (std::size_t n = 0; n < d2.size(); ++n) r[n] = withinRadius(d2[n], mm) ? 1 : 0;
    return result;
}

Mask erodeBy(const Mask& mask, double mm) {
    if (!(mm >= 0)) throw Error("erodeBy: the radius must be a non-negative number of mm");
    const std::uint8_t* m = mask.data();
    const std::vector<float> d2 = squaredDistance(mask.geometry(), [m](std::size_t n) { return m[n] == 0; }, true);
    Mask result(mask.geometry(), 0);
    std::uint8_t* r = result.data();
    for (std::size_t n = 0; n < d2.size(); ++n) r[n] = (m[n] && !withinRadius(d2[n], mm)) ? 1 : 0;
    return result;
}

Mask organMask(const LabelMap& labels, int organ) {
    Mask result(labels.geometry(), 0);
    const std::uint8_t* l = labels.data();
    std::uint8_t* r = result.data();
    for (std::size_t n = 0; n < labels.voxelCount(); ++n) r[n] = l[n] == organ ? 1 : 0;
    return result;
}

Mask coarsenByBlocks(const Mask& mask, std::size_t block) {
    const auto& size = mask.size();
    Mask result(mask.geometry(), 0);
    for (std::size_t bk = 0; bk < size[2]; bk += block)
        for (std::size_t bj = 0; bj < size[1]; bj += block)
            for (std::size_t bi = 0; bi < size[0]; bi += block) {
                const std::size_t ek = std::min(size[2], bk + block), ej = std::min(size[1], bj + block),
                                  ei = std::min(size[0], bi + block);
                std::size_t inside = 0, all = 0;
                for (std::size_t k = bk; k < ek; ++k)
                    for (std::size_t j = bj; j < ej; ++j)
                        for (std::size_t i = bi; i < ei; ++i) {
                            ++all;
                            inside += mask.at(i, j, k) != 0;
                        }
                if (2 * inside <= all) continue;
                for (std::size_t k = bk; k < ek; ++k)
                    for (std::size_t j = bj; j < ej; ++j)
                        for (std::size_t i = bi; i < ei; ++i) result.at(i, j, k) = 1;
            }
    return result;
}

std::size_t countSet(const Mask& mask) {
    return std::size_t(std::count_if(mask.voxels().begin(), mask.voxels().end(), [](std::uint8_t v) { return v != 0; }));
}

VoxelRegion boundingBox(const Mask& mask) {
    const auto& size = mask.size();
    VoxelRegion box{{long(size[0]), long(size[1]), long(size[2])}, {0, 0, 0}};
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i)
                if (mask.at(i, j, k)) {
                    const long at[3] = {long(i), long(j), long(k)};
                    for (int a = 0; a < 3; ++a) {
                        box.first[a] = std::min(box.first[a], at[a]);
                        box.end[a] = std::max(box.end[a], at[a] + 1);
                    }
                }
    return box.empty() ? VoxelRegion{} : box;
}

}  // namespace ipnp
