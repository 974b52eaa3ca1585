#include <QtTest>

#include "LabelMaskOps.h"

using namespace ipnp;

class LabelMaskOpsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void extentsCropAndPasteRoundTrip() {
        ImageGeometry g;
        g.size = {5, 4, 3};
        g.spacing = {1, 2, 3};
        LabelMap labels(g, 0);
        // Organ 3: voxels (1,1,0), (2,1,0), (2,2,1) -> box i 1..2, j 1..2, k 0..1, 3 voxels.
        labels.at(1, 1, 0) = 3;
        labels.at(2, 1, 0) = 3;
        labels.at(2, 2, 1) = 3;
        // Organ 7: a single voxel at the far corner.
        labels.at(4, 3, 2) = 7;
        const auto extents = labelExtents(labels);
        QCOMPARE(extents.size(), std::size_t(2));
        QCOMPARE(extents[0].label, 3);
        QCOMPARE(extents[0].voxelCount, std::size_t(3));
        QCOMPARE(extents[0].first, (Index3{1, 1, 0}));
        QCOMPARE(extents[0].last, (Index3{2, 2, 1}));
        QCOMPARE(extents[1].label, 7);
        QCOMPARE(extents[1].first, (Index3{4, 3, 2}));

        const Mask mask = cropMask(labels, extents[0]);
        QCOMPARE(mask.size(), (std::array<std::size_t, 3>{2, 2, 2}));
        // The crop's origin is voxel (1,1,0) of the parent: (1*1, 1*2, 0) mm.
        QCOMPARE(mask.geometry().origin[0], 1.0);
        QCOMPARE(mask.geometry().origin[1], 2.0);
        QCOMPARE(int(mask.at(0, 0, 0)), 1);
        QCOMPARE(int(mask.at(1, 0, 0)), 1);
        QCOMPARE(int(mask.at(0, 1, 0)), 0);
        QCOMPARE(int(mask.at(1, 1, 1)), 1);

        LabelMap rebuilt(g, 0);
        pasteMask(rebuilt, mask, extents[0].first, 3);
        pasteMask(rebuilt, cropMask(labels, extents[1]), extents[1].first, 7);
        QCOMPARE(rebuilt.voxels(), labels.voxels());
    }
};

QTEST_APPLESS_MAIN(LabelMaskOpsTest)
#include "LabelMaskOpsTest.moc"
