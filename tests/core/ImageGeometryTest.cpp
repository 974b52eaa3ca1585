// Index <-> world transforms against values worked out by hand.
#include <QtTest>

#include "ImageGeometry.h"

using namespace ipnp;

class ImageGeometryTest : public QObject {
    Q_OBJECT
private:
    // Voxel axes rotated 90 degrees about z: i points along +y (P), j along -x (R), k along +z (S).
    static ImageGeometry rotatedGrid() {
        ImageGeometry g;
        g.size = {4, 5, 6};
        g.spacing = {2, 3, 4};
        g.origin = {10, 20, 30};
        g.direction = {0, -1, 0,  //
                       1, 0, 0,   //
                       0, 0, 1};
        return g;
    }

private Q_SLOTS:
    void indexToWorldByHand() {
        const ImageGeometry g = rotatedGrid();
        // world = origin + i*2*(0,1,0) + j*3*(-1,0,0) + k*4*(0,0,1); for (1,1,1): (10-3, 20+2, 30+4)
        const Vec3 world = g.indexToWorld({1, 1, 1});
        QCOMPARE(world[0], 7.0);
        QCOMPARE(world[1], 22.0);
        QCOMPARE(world[2], 34.0);
    }

    void worldToIndexInvertsIt() {
        const ImageGeometry g = rotatedGrid();
        const Vec3 index = g.worldToIndex({7, 22, 34});
        QVERIFY(std::abs(index[0] - 1) < 1e-12 && std::abs(index[1] - 1) < 1e-12 && std::abs(index[2] - 1) < 1e-12);
        const Vec3 half = g.worldToIndex({10 - 1.5, 20 + 5, 30});  // j = 0.5, i = 2.5
        QVERIFY(std::abs(half[0] - 2.5) < 1e-12 && std::abs(half[1] - 0.5) < 1e-12 && std::abs(half[2]) < 1e-12);
    }

    void regionStartsAtItsFirstVoxel() {
        const ImageGeometry sub = rotatedGrid().region({1, 1, 1}, {2, 2, 2});
        QCOMPARE(sub.origin[0], 7.0);
        QCOMPARE(sub.origin[1], 22.0);
        QCOMPARE(sub.origin[2], 34.0);
        QCOMPARE(sub.voxelCount(), std::size_t(8));
    }

    void linearIndexIsXFastest() {
        const ImageGeometry g = rotatedGrid();
        QCOMPARE(g.linearIndex(1, 0, 0), std::size_t(1));
        QCOMPARE(g.linearIndex(0, 1, 0), std::size_t(4));
        QCOMPARE(g.linearIndex(0, 0, 1), std::size_t(20));
    }

    void differencesAreNamed() {
        ImageGeometry a = rotatedGrid(), b = rotatedGrid();
        QVERIFY(a.describeDifference(b).empty());
        b.spacing[0] = 1.5;
        QVERIFY(QString::fromStdString(a.describeDifference(b)).startsWith("spacing 2x3x4 vs 1.5x3x4 mm"));
        b = a;
        b.size[2] = 7;
        QVERIFY(QString::fromStdString(a.describeDifference(b)).contains("size 4x5x6 vs 4x5x7"));
        b = a;
        b.origin[1] += 0.01;
        QVERIFY(QString::fromStdString(a.describeDifference(b)).contains("origin"));
        QVERIFY(a.sameGrid(b, 0.1));
    }

    void orthonormalityIsChecked() {
        QVERIFY(isOrthonormal(rotatedGrid().direction));
        QVERIFY(!isOrthonormal({1, 0.2, 0, 0, 1, 0, 0, 0, 1}));
    }
};

QTEST_APPLESS_MAIN(ImageGeometryTest)
#include "ImageGeometryTest.moc"
