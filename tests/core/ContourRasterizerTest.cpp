// Closed planar contours onto a voxel grid: every count below is worked out by hand from which
// voxel centres lie inside the polygon.
#include <QtTest>

#include "ContourRasterizer.h"
#include "ContourTracer.h"

using namespace ipnp;

namespace {

// An axis-aligned rectangle in world x/y at height z, as a closed contour.
ClosedContour rectangle(double x0, double y0, double x1, double y1, double z) {
    return {{x0, y0, z}, {x1, y0, z}, {x1, y1, z}, {x0, y1, z}};
}

std::size_t count(const Mask& mask) {
    std::size_t n = 0;
    for (std::uint8_t v : mask.voxels()) n += v != 0;
    return n;
}

ImageGeometry unitGrid() {
    ImageGeometry g;
    g.size = {20, 20, 5};
    return g;  // spacing 1, origin 0, identity: world = index
}

}  // namespace

class ContourRasterizerTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void squareCoversTheCentresInside() {
        // x and y 2.5..7.5 hold the centres 3..7: 5 x 5 voxels, all on slice 2.
        const RasterizedContours r = rasterizeClosedContours({rectangle(2.5, 2.5, 7.5, 7.5, 2)}, unitGrid());
        QCOMPARE(count(r.mask), std::size_t(25));
        QCOMPARE(int(r.mask.at(3, 3, 2)), 1);
        QCOMPARE(int(r.mask.at(7, 7, 2)), 1);
        QCOMPARE(int(r.mask.at(8, 7, 2)), 0);
        QCOMPARE(int(r.mask.at(3, 3, 1)), 0);
        QVERIFY(r.warnings.empty());
    }

    void innerContourIsAHole() {
        // Outer 1.5..10.5 holds centres 2..10 (9 x 9 = 81), inner 4.5..7.5 holds 5..7 (3 x 3 = 9): 72.
        const RasterizedContours r =
            rasterizeClosedContours({rectangle(1.5, 1.5, 10.5, 10.5, 1), rectangle(4.5, 4.5, 7.5, 7.5, 1)}, unitGrid());
        QCOMPARE(count(r.mask), std::size_t(72));
        QCOMPARE(int(r.mask.at(6, 6, 1)), 0);
        QCOMPARE(int(r.mask.at(4, 6, 1)), 1);
    }

    void separateContoursOnASliceAndOnOthers() {
        // Two parts on slice 3 (2 x 2 and 3 x 1 centres) and one on slice 4 (1 x 1): 4 + 3 + 1.
        const RasterizedContours r = rasterizeClosedContours(
            {rectangle(0.5, 0.5, 2.5, 2.5, 3), rectangle(10.2, 10.6, 13.4, 11.4, 3), rectangle(5.9, 5.9, 6.1, 6.1, 4)},
            unitGrid());
        QCOMPARE(count(r.mask), std::size_t(8));
        QCOMPARE(int(r.mask.at(11, 11, 3)), 1);
        QCOMPARE(int(r.mask.at(13, 11, 3)), 1);
        QCOMPARE(int(r.mask.at(6, 6, 4)), 1);
    }

    void triangleByHand() {
        // Right triangle (0,0)-(10,0)-(0,10) at z 0: centre (i, j) inside when i + j < 10 (the
        // hypotenuse itself excluded by the half-open rule: x < 10 - j), i, j >= 0 with the left
        // and bottom edges on the centres included. Row j holds i = 0 .. 9 - j: 10 + 9 + ... + 1 = 55.
        const RasterizedContours r = rasterizeClosedContours({{{0, 0, 0}, {10, 0, 0}, {0, 10, 0}}}, unitGrid());
        QCOMPARE(count(r.mask), std::size_t(55));
        QCOMPARE(int(r.mask.at(9, 0, 0)), 1);
        QCOMPARE(int(r.mask.at(5, 5, 0)), 0);
    }

    void anisotropicObliqueFreeGrid() {
        // Spacing 0.5 x 0.5 x 2 mm, origin (-10, -10, 4): x -9.1..-7.9 mm -> index 1.8..4.2 (centres
        // 2, 3, 4); y -10..-9.4 mm -> index 0..1.2 (centres 0, 1); z 8 mm -> slice 2. 3 x 2 = 6.
        ImageGeometry g;
        g.size = {10, 10, 4};
        g.spacing = {0.5, 0.5, 2};
        g.origin = {-10, -10, 4};
        const RasterizedContours r = rasterizeClosedContours({rectangle(-9.1, -10, -7.9, -9.4, 8)}, g);
        QCOMPARE(count(r.mask), std::size_t(6));
        QCOMPARE(int(r.mask.at(2, 0, 2)), 1);
        QCOMPARE(int(r.mask.at(4, 1, 2)), 1);
    }

    void tracedOutlinesRasteriseToTheSameVoxels() {
        // A ring with a hole, two touching diagonal voxels, and a separate blob, on an oblique,
        // anisotropic grid: traced, then rasterised again, the voxels are exactly the same.
        ImageGeometry g;
        g.size = {16, 12, 3};
        g.spacing = {0.7, 0.9, 2.5};
        g.origin = {-5, 3, 11};
        g.direction = {0.8, -0.6, 0, 0.6, 0.8, 0, 0, 0, 1};
        LabelMap labels(g, 0);
        for (std::size_t j = 1; j < 8; ++j)
            for (std::size_t i = 1; i < 8; ++i) labels.at(i, j, 1) = (i == 4 && j == 4) ? 0 : 3;  // hole at (4, 4)
        labels.at(10, 2, 1) = labels.at(11, 3, 1) = 3;  // touching at a corner only
        labels.at(13, 9, 2) = 3;
        labels.at(5, 5, 0) = 2;  // another organ: not traced
        const std::vector<SliceContours> slices = traceContours(labels, 3);
        QCOMPARE(slices.size(), std::size_t(2));
        std::vector<ClosedContour> all;
        for (const SliceContours& s : slices) all.insert(all.end(), s.contours.begin(), s.contours.end());
        QCOMPARE(slices[0].slice, std::size_t(1));
        QCOMPARE(slices[0].contours[0].size(), std::size_t(4));  // the square's outline: its 4 corners only
        const RasterizedContours back = rasterizeClosedContours(all, g);
        QVERIFY(back.warnings.empty());
        for (std::size_t v = 0; v < labels.voxelCount(); ++v) QCOMPARE(int(back.mask.data()[v]), labels.data()[v] == 3 ? 1 : 0);
        QCOMPARE(count(back.mask), std::size_t(48 + 2 + 1));  // 7 x 7 - 1, two diagonal voxels, one blob
    }

    void contoursOffTheGridAreSkippedWithAWarning() {
        const RasterizedContours r = rasterizeClosedContours(
            {rectangle(2, 2, 5, 5, 2.5), rectangle(2, 2, 5, 5, 9), {{1, 1, 1}, {2, 2, 1}}}, unitGrid());
        QCOMPARE(count(r.mask), std::size_t(0));
        QCOMPARE(r.warnings.size(), std::size_t(3));
        QVERIFY(QString::fromStdString(r.warnings[0]).contains("slice plane"));
        QVERIFY(QString::fromStdString(r.warnings[1]).contains("outside"));
        QVERIFY(QString::fromStdString(r.warnings[2]).contains("fewer than 3"));
    }
};

QTEST_APPLESS_MAIN(ContourRasterizerTest)
#include "ContourRasterizerTest.moc"
