// MaskMorphology (distances, components, surfaces, balls) and the mask metrics (Dice, HD95).
// Expected values are worked out by hand in the comments on tiny grids with anisotropic spacing
// (1 x 2 x 3 mm unless said otherwise); the last two tests compare against an independent brute
// force in numpy (/usr/bin/python3): every voxel against every site, every surface voxel against
// every surface voxel.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <limits>
#include <vector>

#include "MaskMorphology.h"
#include "Metrics.h"
#include "TestSupport.h"

using namespace ipnp;

namespace {

ImageGeometry grid(std::size_t nx, std::size_t ny, std::size_t nz, Vec3 spacing = {1.0, 2.0, 3.0}) {
    ImageGeometry g;
    g.size = {nx, ny, nz};
    g.spacing = spacing;
    return g;
}

// The test's own count (independent of MaskMorphology's countSet).
std::size_t setVoxelCount(const Mask& mask) {
    std::size_t n = 0;
    for (std::uint8_t v : mask.voxels()) n += v != 0;
    return n;
}

bool near(double a, double b, double tolerance = 1e-5) { return std::abs(a - b) <= tolerance; }

// A deterministic pseudo-random sequence (64-bit LCG, top bits), independent of the code under test.
class Lcg {
public:
    explicit Lcg(std::uint64_t seed) : state_(seed) {}
    double uniform() {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(state_ >> 11) / double(1ULL << 53);
    }

private:
    std::uint64_t state_;
};

// A union of random ellipsoids with a few random voxels flipped: blobs with ragged surfaces.
Mask randomBlobs(const ImageGeometry& g, std::uint64_t seed, int blobs, double flip) {
    Lcg random(seed);
    Mask mask(g, 0);
    for (int b = 0; b < blobs; ++b) {
        double centre[3], radius[3];
        for (int a = 0; a < 3; ++a) {
            centre[a] = random.uniform() * double(g.size[std::size_t(a)]);
            radius[a] = 1.5 + random.uniform() * double(g.size[std::size_t(a)]) / 4.0;
        }
        for (std::size_t k = 0; k < g.size[2]; ++k)
            for (std::size_t j = 0; j < g.size[1]; ++j)
                for (std::size_t i = 0; i < g.size[0]; ++i) {
                    const double x = (double(i) - centre[0]) / radius[0], y = (double(j) - centre[1]) / radius[1],
                                 z = (double(k) - centre[2]) / radius[2];
                    if (x * x + y * y + z * z <= 1.0) mask.at(i, j, k) = 1;
                }
    }
    for (std::uint8_t& v : mask.voxels())
        if (random.uniform() < flip) v = std::uint8_t(1 - v);
    return mask;
}

void writeRaw(const QString& path, const Mask& mask) {
    std::ofstream out(path.toStdString(), std::ios::binary);
    out.write(reinterpret_cast<const char*>(mask.data()), std::streamsize(mask.voxelCount()));
}

std::vector<double> readDoubles(const QString& path, std::size_t count) {
    std::vector<double> values(count);
    std::ifstream in(path.toStdString(), std::ios::binary);
    in.read(reinterpret_cast<char*>(values.data()), std::streamsize(count * sizeof(double)));
    if (!in) values.clear();
    return values;
}

// The independent reference: numpy only, brute force. Arguments: mode nx ny nz sx sy sz files...
//  edt A OUT       distance from every voxel to the nearest set voxel of A (float64, memory order)
//  inside A OUT    distance from every voxel of A to the nearest voxel outside A, the grid padded
//                  by one outside voxel on every side (0 outside A)
//  surface A OUT   A minus its 6-connected erosion, outside the grid counting as outside (uint8)
//  hd95 A B        prints the 95th percentile of the pooled surface-to-surface distances
const char* const kReference = R"PY(
import sys
import numpy as np
mode = sys.argv[1]
nx, ny, nz = map(int, sys.argv[2:5])
sx, sy, sz = map(float, sys.argv[5:8])
def load(path):
    return np.fromfile(path, dtype=np.uint8).reshape(nz, ny, nx) != 0
def coords(m, shift=0):
    k, j, i = np.nonzero(m)   # C order: k slowest, i fastest, the same memory order as Volume
    return np.stack([(i + shift) * sx, (j + shift) * sy, (k + shift) * sz], axis=1)
def nearest(a, b):
    out = np.full(len(a), np.inf)
    if len(b) == 0:
        return out
    for s in range(0, len(a), 256):
        d = ((a[s:s + 256, None, :] - b[None, :, :]) ** 2).sum(-1)
        out[s:s + 256] = np.sqrt(d.min(1))
    return out
def surface(m):
    p = np.pad(m, 1)
    inner = (p[1:-1, 1:-1, 1:-1] & p[:-2, 1:-1, 1:-1] & p[2:, 1:-1, 1:-1] & p[1:-1, :-2, 1:-1]
             & p[1:-1, 2:, 1:-1] & p[1:-1, 1:-1, :-2] & p[1:-1, 1:-1, 2:])
    return m & ~inner
a = load(sys.argv[8])
if mode == 'edt':
    nearest(coords(np.ones_like(a)), coords(a)).astype(np.float64).tofile(sys.argv[9])
elif mode == 'inside':
    out = np.zeros(a.shape)
    outside = ~np.pad(a, 1)
    out[a] = nearest(coords(a), coords(outside, shift=-1))
    out.astype(np.float64).tofile(sys.argv[9])
elif mode == 'surface':
    surface(a).astype(np.uint8).tofile(sys.argv[9])
elif mode == 'hd95':
    b = load(sys.argv[9])
    sa, sb = coords(surface(a)), coords(surface(b))
    pooled = np.concatenate([nearest(sa, sb), nearest(sb, sa)])
    print(repr(float(np.percentile(pooled, 95))))
)PY";

QStringList referenceArguments(const char* mode, const ImageGeometry& g) {
    return {"-c", kReference, mode, QString::number(g.size[0]), QString::number(g.size[1]),
            QString::number(g.size[2]), QString::number(g.spacing[0], 'g', 17),
            QString::number(g.spacing[1], 'g', 17), QString::number(g.spacing[2], 'g', 17)};
}

bool numpyAvailable() { return test::runProgram("/usr/bin/python3", {"-c", "import numpy"}).exitCode == 0; }

}  // namespace

class MaskMorphologyTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void coarsenByBlocksTakesTheBlockMajority() {
        // 5 x 2 x 1 voxels, blocks of 2: [i 0..1] x [j 0..1] has 3 of 4 set -> set; [i 2..3] has
        // 2 of 4 (not more than half) -> clear; the edge block [i 4] has 1 of 2 -> clear.
        ImageGeometry g;
        g.size = {5, 2, 1};
        Mask mask(g, 0);
        mask.at(0, 0, 0) = mask.at(1, 0, 0) = mask.at(0, 1, 0) = 1;
        mask.at(2, 0, 0) = mask.at(3, 1, 0) = 1;
        mask.at(4, 0, 0) = 1;
        const Mask coarse = coarsenByBlocks(mask, 2);
        const std::vector<int> expected{1, 1, 0, 0, 0, 1, 1, 0, 0, 0};
        QCOMPARE(std::vector<int>(coarse.voxels().begin(), coarse.voxels().end()), expected);
    }

    void distanceToSitesIsExactEuclideanInMillimetres() {
        // 5 x 4 x 3 voxels of 1 x 2 x 3 mm, one site at (0,0,0): d(i,j,k) = sqrt(i^2 + 4 j^2 + 9 k^2).
        Mask sites(grid(5, 4, 3), 0);
        sites.at(0, 0, 0) = 1;
        FloatVolume d = distanceToSites(sites);
        QCOMPARE(d.at(0, 0, 0), 0.0f);
        QVERIFY(near(d.at(1, 0, 0), 1.0));
        QVERIFY(near(d.at(0, 1, 0), 2.0));
        QVERIFY(near(d.at(0, 0, 1), 3.0));
        QVERIFY(near(d.at(1, 1, 1), std::sqrt(14.0)));   // 1 + 4 + 9
        QVERIFY(near(d.at(4, 3, 2), std::sqrt(88.0)));   // 16 + 36 + 36
        QVERIFY(near(d.at(3, 0, 2), std::sqrt(45.0)));   // 9 + 0 + 36
        // A second site at the far corner (4,3,2): each voxel takes the nearer one.
        sites.at(4, 3, 2) = 1;
        d = distanceToSites(sites);
        // (2,1,1): to (0,0,0) sqrt(4 + 4 + 9) = sqrt 17; to (4,3,2) sqrt(4 + 16 + 9) = sqrt 29.
        QVERIFY(near(d.at(2, 1, 1), std::sqrt(17.0)));
        // (3,2,1): to (0,0,0) sqrt(9 + 16 + 9) = sqrt 34; to (4,3,2) sqrt(1 + 4 + 9) = sqrt 14.
        QVERIFY(near(d.at(3, 2, 1), std::sqrt(14.0)));
        // (4,0,2): to (0,0,0) sqrt(16 + 36) = sqrt 52; to (4,3,2) sqrt(0 + 36 + 0) = 6.
        QVERIFY(near(d.at(4, 0, 2), 6.0));
        QCOMPARE(d.at(4, 3, 2), 0.0f);
        // Where the nearest site changes along a line (the lower envelope): sites at i = 0 and 6
        // of a 7 x 1 x 1 line at 1.5 mm: 0, 1.5, 3, 4.5, 3, 1.5, 0.
        Mask line(grid(7, 1, 1, {1.5, 1.0, 1.0}), 0);
        line.at(0, 0, 0) = line.at(6, 0, 0) = 1;
        const FloatVolume dl = distanceToSites(line);
        const double expected[7] = {0, 1.5, 3, 4.5, 3, 1.5, 0};
        for (std::size_t i = 0; i < 7; ++i) QVERIFY2(near(dl.at(i, 0, 0), expected[i]), qPrintable(QString::number(i)));
    }

    void noSiteMeansInfinity() {
        const FloatVolume d = distanceToSites(Mask(grid(3, 2, 2), 0));
        for (float v : d.voxels()) QVERIFY(std::isinf(v) && v > 0);
        QVERIFY(setVoxelCount(dilateBy(Mask(grid(3, 2, 2), 0), 10.0)) == 0);
    }

    void distanceInsideCountsBeyondTheEdgeAsOutside() {
        // A 3 x 3 x 3 cube at [1,3]^3 of a 5 x 5 x 5 grid (1 x 2 x 3 mm).
        Mask mask(grid(5, 5, 5), 0);
        for (std::size_t k = 1; k <= 3; ++k)
            for (std::size_t j = 1; j <= 3; ++j)
                for (std::size_t i = 1; i <= 3; ++i) mask.at(i, j, k) = 1;
        FloatVolume d = distanceInside(mask);
        // Centre (2,2,2): outside at i = 0 (2 x 1 mm), j = 0 (2 x 2 mm), k = 0 (2 x 3 mm): 2 mm.
        QVERIFY(near(d.at(2, 2, 2), 2.0));
        QVERIFY(near(d.at(1, 2, 2), 1.0));   // i = 0 is 1 mm away
        QVERIFY(near(d.at(2, 1, 2), 2.0));   // j = 0 is 2 mm away, i = 0 is 2 mm away too
        QVERIFY(near(d.at(2, 2, 1), 2.0));   // k = 0 is 3 mm away, but i = 0 is 2 mm
        QCOMPARE(d.at(0, 0, 0), 0.0f);       // outside the mask
        // The same cube filling a 3 x 3 x 3 grid: beyond the edge is outside, so nothing changes.
        Mask full(grid(3, 3, 3), 1);
        d = distanceInside(full);
        QVERIFY(near(d.at(1, 1, 1), 2.0));
        QVERIFY(near(d.at(0, 0, 0), 1.0));
        QVERIFY(near(d.at(1, 0, 1), 2.0));   // j = -1 is 2 mm away; i = -1 is 2 mm away
        QVERIFY(near(d.at(1, 1, 0), 2.0));   // k = -1 is 3 mm away; i = -1 is 2 mm away
    }

    void largestComponentIs26Connected() {
        Mask mask(grid(6, 4, 3), 0);
        // A diagonal chain of 3 voxels (26-connected only) and a 6-connected pair elsewhere.
        mask.at(0, 0, 0) = mask.at(1, 1, 1) = mask.at(2, 2, 2) = 1;
        mask.at(5, 0, 0) = mask.at(5, 1, 0) = 1;
        Mask largest = largestComponent(mask);
        QCOMPARE(setVoxelCount(largest), std::size_t(3));
        QCOMPARE(int(largest.at(1, 1, 1)), 1);
        QCOMPARE(int(largest.at(5, 0, 0)), 0);
        // A tie, 3 and 3: the component whose first voxel comes first in memory order wins.
        // X = (4,0,0),(5,0,0),(5,1,0) starts at index 4; Y = (0,1,0),(1,2,1),(2,3,2) at index 6.
        Mask tie(grid(6, 4, 3), 0);
        tie.at(4, 0, 0) = tie.at(5, 0, 0) = tie.at(5, 1, 0) = 1;
        tie.at(0, 1, 0) = tie.at(1, 2, 1) = tie.at(2, 3, 2) = 1;
        largest = largestComponent(tie);
        QCOMPARE(setVoxelCount(largest), std::size_t(3));
        QCOMPARE(int(largest.at(4, 0, 0)), 1);
        QCOMPARE(int(largest.at(0, 1, 0)), 0);
        tie.at(3, 3, 2) = 1;  // Y grows to 4 and wins
        largest = largestComponent(tie);
        QCOMPARE(setVoxelCount(largest), std::size_t(4));
        QCOMPARE(int(largest.at(0, 1, 0)), 1);
        QCOMPARE(int(largest.at(4, 0, 0)), 0);
        QCOMPARE(setVoxelCount(largestComponent(Mask(grid(2, 2, 2), 0))), std::size_t(0));
    }

    void largestComponentOfALongSnakeNeedsNoRecursion() {
        // A 6-connected serpentine through a 400 x 400 x 3 grid: every even row j of slice 0 and one
        // voxel joining each row to the next at alternate ends, 200 x 400 + 200 = 80,200 voxels in
        // one path (a recursive flood fill would run out of stack), plus one voxel two slices up.
        Mask mask(grid(400, 400, 3), 0);
        for (std::size_t j = 0; j < 400; j += 2)
            for (std::size_t i = 0; i < 400; ++i) mask.at(i, j, 0) = 1;
        for (std::size_t j = 1; j < 400; j += 2) mask.at(j % 4 == 1 ? 399 : 0, j, 0) = 1;
        mask.at(7, 7, 2) = 1;  // touches nothing: slice 1 is empty
        QCOMPARE(setVoxelCount(mask), std::size_t(80201));
        const Mask largest = largestComponent(mask);
        QCOMPARE(setVoxelCount(largest), setVoxelCount(mask) - 1);
    }

    void largestComponentMatchesAPlainFloodFill() {
        // Random speckle (10 % set, near the 26-connected percolation threshold: many components of
        // all shapes and sizes) against a breadth-first flood fill written here, 26 neighbours
        // checked one by one, ties to the component met first in memory order.
        for (std::uint64_t seed : {3u, 4u, 5u}) {
            const ImageGeometry g = grid(23, 17, 11);
            Mask mask(g, 0);
            Lcg random(seed);
            for (std::uint8_t& v : mask.voxels()) v = random.uniform() < 0.1 ? 1 : 0;
            std::vector<int> component(mask.voxelCount(), -1);
            std::vector<std::size_t> sizes;
            for (std::size_t start = 0; start < mask.voxelCount(); ++start) {
                if (!mask.data()[start] || component[start] >= 0) continue;
                const int id = int(sizes.size());
                std::vector<std::size_t> queue{start};
                component[start] = id;
                for (std::size_t at = 0; at < queue.size(); ++at) {
                    const std::size_t n = queue[at];
                    const long i = long(n % 23), j = long(n / 23 % 17), k = long(n / (23 * 17));
                    for (long dk = -1; dk <= 1; ++dk)
                        for (long dj = -1; dj <= 1; ++dj)
                            for (long di = -1; di <= 1; ++di) {
                                const long a = i + di, b = j + dj, c = k + dk;
                                if (a < 0 || b < 0 || c < 0 || a >= 23 || b >= 17 || c >= 11) continue;
                                const std::size_t q = std::size_t(a + 23 * (b + 17 * c));
                                if (mask.data()[q] && component[q] < 0) {
                                    component[q] = id;
                                    queue.push_back(q);
                                }
                            }
                }
                sizes.push_back(queue.size());
            }
            QVERIFY(sizes.size() > 10);
            std::vector<std::size_t> sorted = sizes;
            std::sort(sorted.rbegin(), sorted.rend());
            qInfo("seed %d: %zu components, the largest %zu, %zu, %zu voxels", int(seed), sizes.size(), sorted[0],
                  sorted[1], sorted[2]);
            const int best = int(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());  // first of the largest
            const Mask largest = largestComponent(mask);
            for (std::size_t n = 0; n < mask.voxelCount(); ++n)
                QCOMPARE(int(largest.data()[n]), component[n] == best ? 1 : 0);
        }
    }

    void surfaceIsTheMaskMinusIts6ConnectedErosion() {
        Mask mask(grid(5, 5, 5), 0);
        for (std::size_t k = 1; k <= 3; ++k)
            for (std::size_t j = 1; j <= 3; ++j)
                for (std::size_t i = 1; i <= 3; ++i) mask.at(i, j, k) = 1;
        // 27 voxels, only the centre has all 6 face neighbours inside: 26 surface voxels.
        Mask surface = surfaceOf(mask);
        QCOMPARE(setVoxelCount(surface), std::size_t(26));
        QCOMPARE(int(surface.at(2, 2, 2)), 0);
        QCOMPARE(int(surface.at(1, 1, 1)), 1);
        // Beyond the edge counts as outside: a full 3 x 3 x 3 grid has the same 26.
        surface = surfaceOf(Mask(grid(3, 3, 3), 1));
        QCOMPARE(setVoxelCount(surface), std::size_t(26));
        QCOMPARE(int(surface.at(1, 1, 1)), 0);
        // A 5 x 5 x 1 slab: every voxel touches k = -1 or k = 1 outside: all 25 are surface.
        QCOMPARE(setVoxelCount(surfaceOf(Mask(grid(5, 5, 1), 1))), std::size_t(25));
    }

    void dilateAndErodeByExactDistance() {
        // One voxel at the centre of a 7 x 7 x 7 grid (1 x 2 x 3 mm); offsets (a,b,c) within r mm
        // when a^2 + 4 b^2 + 9 c^2 <= r^2.
        Mask dot(grid(7, 7, 7), 0);
        dot.at(3, 3, 3) = 1;
        // r = 2: (0,0,0), (+-1,0,0), (+-2,0,0) [4 <= 4, exactly 2 mm, counts], (0,+-1,0) [4]: 7.
        Mask dilated = dilateBy(dot, 2.0);
        QCOMPARE(setVoxelCount(dilated), std::size_t(7));
        QCOMPARE(int(dilated.at(5, 3, 3)), 1);
        QCOMPARE(int(dilated.at(3, 4, 3)), 1);
        QCOMPARE(int(dilated.at(4, 4, 3)), 0);  // 1 + 4 = 5 > 4
        // r = 3: c = 0, b = 0: a in -3..3 (7); c = 0, b = +-1: a^2 <= 5, a in -2..2 (2 x 5);
        // c = +-1: 9 <= 9 only with a = b = 0 (2). 7 + 10 + 2 = 19.
        dilated = dilateBy(dot, 3.0);
        QCOMPARE(setVoxelCount(dilated), std::size_t(19));
        QCOMPARE(int(dilated.at(3, 3, 4)), 1);
        QCOMPARE(int(dilated.at(6, 3, 3)), 1);
        QCOMPARE(setVoxelCount(dilateBy(dot, 0.0)), std::size_t(1));

        // A 5 x 5 x 5 cube at [1,5]^3 of the 7^3 grid, eroded by 2 mm: a voxel stays when its
        // nearest outside voxel is farther than 2 mm. That voxel lies along an axis (a box):
        // i steps to outside 1,2,3,2,1 x 1 mm, j 1,2,3,2,1 x 2 mm, k x 3 mm. Kept: i = 3 only
        // (2 steps = 2 mm is within, so removed), j in 2..4 (2 mm at j = 1, 5), every k (>= 3 mm):
        // 1 x 3 x 5 = 15 voxels.
        Mask cube(grid(7, 7, 7), 0);
        for (std::size_t k = 1; k <= 5; ++k)
            for (std::size_t j = 1; j <= 5; ++j)
                for (std::size_t i = 1; i <= 5; ++i) cube.at(i, j, k) = 1;
        const Mask eroded = erodeBy(cube, 2.0);
        QCOMPARE(setVoxelCount(eroded), std::size_t(15));
        QCOMPARE(int(eroded.at(3, 2, 1)), 1);
        QCOMPARE(int(eroded.at(3, 1, 3)), 0);
        QCOMPARE(int(eroded.at(2, 3, 3)), 0);
        QCOMPARE(setVoxelCount(erodeBy(cube, 0.0)), std::size_t(125));
        QVERIFY(!test::errorOf([&] { dilateBy(cube, -1.0); }).isEmpty());
    }

    void organMaskPicksOneLabel() {
        LabelMap labels(grid(3, 1, 1), 0);
        labels.at(0, 0, 0) = 2;
        labels.at(2, 0, 0) = 5;
        const Mask m = organMask(labels, 5);
        QCOMPARE(m.voxels(), (std::vector<std::uint8_t>{0, 0, 1}));
    }

    void countSetCountsNonZeroVoxels() {
        Mask m(grid(6, 1, 1), 0);
        m.voxels() = {0, 1, 2, 0, 255, 0};  // 3 set, whatever their value
        QCOMPARE(countSet(m), std::size_t(3));
        QCOMPARE(countSet(Mask(grid(2, 2, 2), 0)), std::size_t(0));
    }

    void boundingBoxIsTheTightBoxOfTheSetVoxels() {
        // Set voxels at i 1..4, j 1..3, k 2..3, counted by hand.
        Mask m(grid(6, 5, 4), 0);
        m.at(1, 3, 2) = 1;
        m.at(4, 1, 2) = 7;  // any non-zero value counts
        m.at(2, 2, 3) = 1;
        const VoxelRegion box = boundingBox(m);  // end exclusive
        QCOMPARE(box.first, (Index3{1, 1, 2}));
        QCOMPARE(box.end, (Index3{5, 4, 4}));
        QVERIFY(boundingBox(Mask(grid(3, 3, 3), 0)).empty());
    }

    void diceOfMasks() {
        Mask a(grid(4, 1, 1), 0), b(grid(4, 1, 1), 0);
        a.at(0, 0, 0) = a.at(1, 0, 0) = a.at(2, 0, 0) = 1;  // |A| = 3
        b.at(2, 0, 0) = b.at(3, 0, 0) = 1;                  // |B| = 2, |A n B| = 1
        QVERIFY(near(dice(a, b), 2.0 * 1 / 5));
        QCOMPARE(dice(Mask(grid(4, 1, 1), 0), Mask(grid(4, 1, 1), 0)), 1.0);
        QCOMPARE(dice(a, a), 1.0);
        QVERIFY(!test::errorOf([&] { dice(a, Mask(grid(3, 1, 1), 0)); }).isEmpty());
    }

    void hausdorff95ByHand() {
        // A line of 10 voxels at 1.5 mm (1 voxel across, so every voxel is surface). A = i 0..3,
        // B = i 2..7. A to B: 2, 1, 0, 0 voxels; B to A: 0, 0, 1, 2, 3, 4. Pooled and sorted:
        // 0 0 0 0 1 1 2 2 3 4; rank 0.95 x 9 = 8.55: 3 + 0.55 x (4 - 3) = 3.55 voxels = 5.325 mm.
        const ImageGeometry g = grid(10, 1, 1, {1.5, 2.0, 3.0});
        Mask a(g, 0), b(g, 0);
        for (std::size_t i = 0; i <= 3; ++i) a.at(i, 0, 0) = 1;
        for (std::size_t i = 2; i <= 7; ++i) b.at(i, 0, 0) = 1;
        QVERIFY(near(hausdorff95(a, b).value(), 5.325));
        QVERIFY(near(hausdorff95(b, a).value(), 5.325));
        QCOMPARE(hausdorff95(a, a).value(), 0.0);
        // One voxel each at (0,0,0) and (1,1,1) of a 1 x 2 x 3 mm grid: sqrt(1 + 4 + 9) both ways.
        Mask p(grid(3, 3, 3), 0), q(grid(3, 3, 3), 0);
        p.at(0, 0, 0) = 1;
        q.at(1, 1, 1) = 1;
        QVERIFY(near(hausdorff95(p, q).value(), std::sqrt(14.0)));
        // Undefined when either mask is empty.
        QVERIFY(!hausdorff95(p, Mask(grid(3, 3, 3), 0)).has_value());
        QVERIFY(!hausdorff95(Mask(grid(3, 3, 3), 0), Mask(grid(3, 3, 3), 0)).has_value());
        // The label-map overload: organ 4 as A, organ 4 in the other map as B.
        LabelMap la(g, 1), lb(g, 1);
        for (std::size_t i = 0; i <= 3; ++i) la.at(i, 0, 0) = 4;
        for (std::size_t i = 2; i <= 7; ++i) lb.at(i, 0, 0) = 4;
        QVERIFY(near(hausdorff95(la, lb, 4).value(), 5.325));
        QVERIFY(!hausdorff95(la, lb, 9).has_value());
        QCOMPARE(hausdorff95(la, lb, 1).value(), hausdorff95(organMask(la, 1), organMask(lb, 1)).value());
    }

    void hausdorff95OfAShiftedCube() {
        // A 4 x 4 x 4 cube A at i, j in 2..5, k in 1..4 and the same cube B one slice higher
        // (k in 2..5) in an 8^3 grid of 1 x 2 x 3 mm. Each surface: 64 - 8 interior = 56 voxels:
        // bottom face 16, top face 16, side rings of 12 on the 2 middle slices.
        // A to B's surface: A's bottom (k = 1, 16 voxels) is 3 mm below B's bottom face; A's side
        // rings at k = 2, 3 (24) and the ring of A's top at k = 4 (12) lie on B's side walls: 0;
        // the 4 centre voxels of A's top (i, j in 3..4, k = 4) are inside B, 1 mm (one i step)
        // from B's side wall. So 16 x 3, 4 x 1, 36 x 0; B to A the same by symmetry.
        // Pooled, n = 112: 72 zeros, 8 ones, 32 threes; rank 0.95 x 111 = 105.45 falls among the
        // threes (indices 80..111): HD95 = 3 mm.
        Mask a(grid(8, 8, 8), 0), b(grid(8, 8, 8), 0);
        for (std::size_t k = 0; k < 4; ++k)
            for (std::size_t j = 2; j < 6; ++j)
                for (std::size_t i = 2; i < 6; ++i) {
                    a.at(i, j, k + 1) = 1;
                    b.at(i, j, k + 2) = 1;
                }
        QCOMPARE(setVoxelCount(surfaceOf(a)), std::size_t(56));
        QVERIFY(near(hausdorff95(a, b).value(), 3.0));
        // Dice: |A n B| = 3 slices of 16 = 48; 2 x 48 / (64 + 64) = 0.75.
        QVERIFY(near(dice(a, b), 0.75));
    }

    void distancesMatchABruteForceInNumpy() {
        if (!numpyAvailable()) QSKIP("/usr/bin/python3 lacks numpy (apt-get install python3-numpy)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const ImageGeometry g = grid(17, 20, 13, {0.8, 1.3, 2.1});
        // Sparse random sites (about 1 %): the EDT's envelope switches sites everywhere.
        Mask sites(g, 0);
        Lcg random(11);
        for (std::uint8_t& v : sites.voxels()) v = random.uniform() < 0.01 ? 1 : 0;
        sites.at(16, 19, 12) = 1;
        writeRaw(dir.filePath("sites.raw"), sites);
        auto result = test::runProgram("/usr/bin/python3", referenceArguments("edt", g) << dir.filePath("sites.raw")
                                                                                         << dir.filePath("edt.f64"));
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const std::vector<double> expected = readDoubles(dir.filePath("edt.f64"), g.voxelCount());
        QCOMPARE(expected.size(), g.voxelCount());
        const FloatVolume d = distanceToSites(sites);
        double worst = 0;
        for (std::size_t n = 0; n < expected.size(); ++n) worst = std::max(worst, std::abs(double(d.data()[n]) - expected[n]));
        QVERIFY2(worst < 1e-4, qPrintable(QString("largest difference %1 mm").arg(worst)));

        // distanceInside and the surface of random blobs.
        const Mask blobs = randomBlobs(g, 5, 4, 0.02);
        writeRaw(dir.filePath("blobs.raw"), blobs);
        result = test::runProgram("/usr/bin/python3", referenceArguments("inside", g) << dir.filePath("blobs.raw")
                                                                                       << dir.filePath("inside.f64"));
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const std::vector<double> inside = readDoubles(dir.filePath("inside.f64"), g.voxelCount());
        QCOMPARE(inside.size(), g.voxelCount());
        const FloatVolume di = distanceInside(blobs);
        worst = 0;
        for (std::size_t n = 0; n < inside.size(); ++n) worst = std::max(worst, std::abs(double(di.data()[n]) - inside[n]));
        QVERIFY2(worst < 1e-4, qPrintable(QString("largest difference %1 mm").arg(worst)));

        result = test::runProgram("/usr/bin/python3", referenceArguments("surface", g) << dir.filePath("blobs.raw")
                                                                                        << dir.filePath("surface.raw"));
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QFile surfaceFile(dir.filePath("surface.raw"));
        QVERIFY(surfaceFile.open(QIODevice::ReadOnly));
        const QByteArray surface = surfaceFile.readAll();
        const Mask ours = surfaceOf(blobs);
        QCOMPARE(std::size_t(surface.size()), g.voxelCount());
        QVERIFY(std::equal(ours.voxels().begin(), ours.voxels().end(), reinterpret_cast<const std::uint8_t*>(surface.data())));
    }

    void hausdorff95MatchesABruteForceInNumpy() {
        if (!numpyAvailable()) QSKIP("/usr/bin/python3 lacks numpy (apt-get install python3-numpy)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const ImageGeometry g = grid(21, 18, 16, {0.9, 1.4, 2.5});
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            const Mask a = randomBlobs(g, seed * 2, 3, 0.01);
            const Mask b = randomBlobs(g, seed * 2 + 1, 3, 0.01);
            writeRaw(dir.filePath("a.raw"), a);
            writeRaw(dir.filePath("b.raw"), b);
            const auto result = test::runProgram("/usr/bin/python3", referenceArguments("hd95", g)
                                                                         << dir.filePath("a.raw") << dir.filePath("b.raw"));
            QVERIFY2(result.exitCode == 0, qPrintable(result.err));
            const double expected = result.out.trimmed().toDouble();
            const double ours = hausdorff95(a, b).value();
            qInfo("seed %d: %zu and %zu voxels, surfaces %zu and %zu, HD95 %.4f mm (numpy %.4f)", int(seed), setVoxelCount(a),
                  setVoxelCount(b), setVoxelCount(surfaceOf(a)), setVoxelCount(surfaceOf(b)), ours, expected);
            QVERIFY2(near(ours, expected, 1e-4), qPrintable(QString("seed %1: %2 vs numpy %3").arg(seed).arg(ours).arg(expected)));
        }
    }
};

QTEST_GUILESS_MAIN(MaskMorphologyTest)
#include "MaskMorphologyTest.moc"
