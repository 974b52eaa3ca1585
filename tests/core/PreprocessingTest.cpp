// Resampling, median spacing and intensity normalisation. Expected values are worked out by hand
// (the comments show how) or come from numpy run by /usr/bin/python3 on the same inputs.
#include <QProcess>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <set>

#include "Error.h"
#include "Preprocessing.h"

using namespace ipnp;

namespace {

ImageGeometry grid(std::array<std::size_t, 3> size, Vec3 spacing, Vec3 origin = {0, 0, 0}) {
    ImageGeometry g;
    g.size = size;
    g.spacing = spacing;
    g.origin = origin;
    return g;
}

constexpr double kPi = 3.14159265358979323846;

// Voxel axes rotated by `degrees` about z (an oblique in-plane orientation).
Mat3 rotationAboutZ(double degrees) {
    const double a = degrees * kPi / 180, c = std::cos(a), s = std::sin(a);
    return {c, -s, 0, s, c, 0, 0, 0, 1};
}

template <typename T>
Volume<T> filled(const ImageGeometry& g, const std::function<T(std::size_t, std::size_t, std::size_t)>& value) {
    Volume<T> v(g);
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i) v.at(i, j, k) = value(i, j, k);
    return v;
}

// The linear function trilinear interpolation must reproduce exactly.
double ramp(double i, double j, double k) { return 2 * i + 3 * j - k + 5; }

FloatVolume rampVolume(const ImageGeometry& g) {
    return filled<float>(g, [](std::size_t i, std::size_t j, std::size_t k) { return float(ramp(i, j, k)); });
}

FloatVolume volumeOf(const std::vector<float>& values) {
    FloatVolume v(grid({values.size(), 1, 1}, {1, 1, 1}));
    v.voxels() = values;
    return v;
}

bool near(double actual, double expected, double tolerance) { return std::abs(actual - expected) <= tolerance; }

QString describe(double actual, double expected) {
    return QStringLiteral("got %1, expected %2").arg(actual, 0, 'g', 17).arg(expected, 0, 'g', 17);
}

QString joined(const std::vector<float>& values) {
    QStringList parts;
    for (const float v : values) parts << QString::number(double(v), 'g', 17);  // exact: float -> double
    return parts.join(',');
}

// Runs /usr/bin/python3 -c script args; the numbers it prints, or nothing when it failed.
std::optional<std::vector<double>> runPython(const QString& script, const QStringList& args) {
    QProcess python;
    python.start("/usr/bin/python3", QStringList{"-c", script} + args);
    if (!python.waitForFinished(30000) || python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0)
        return std::nullopt;
    std::vector<double> numbers;
    for (const QString& word : QString::fromUtf8(python.readAllStandardOutput()).split(' ', Qt::SkipEmptyParts))
        numbers.push_back(word.trimmed().toDouble());
    return numbers;
}

bool numpyAvailable() {
    static const bool available = runPython("import numpy", {}).has_value();  // one interpreter start, not one per test
    return available;
}

}  // namespace

class PreprocessingTest : public QObject {
    Q_OBJECT
private:
    using SourceIndex = std::function<Vec3(std::size_t, std::size_t, std::size_t)>;

    // Each target voxel against the ramp at its continuous source index.
    static void compareRamp(const FloatVolume& result, const SourceIndex& sourceIndex) {
        const auto& n = result.size();
        for (std::size_t k = 0; k < n[2]; ++k)
            for (std::size_t j = 0; j < n[1]; ++j)
                for (std::size_t i = 0; i < n[0]; ++i) {
                    const Vec3 s = sourceIndex(i, j, k);
                    const double expected = ramp(s[0], s[1], s[2]);
                    QVERIFY2(near(result.at(i, j, k), expected, 1e-4),
                             qPrintable(QStringLiteral("(%1,%2,%3): ").arg(i).arg(j).arg(k) +
                                        describe(result.at(i, j, k), expected)));
                }
    }

private Q_SLOTS:
    void resampledGeometrySizesByHand() {
        ImageGeometry source = grid({10, 7, 5}, {1.5, 1, 1}, {3, -4, 5});
        source.direction = rotationAboutZ(90);
        // 10 * 1.5 / 3 = 5; 7 * 1 / 2 = 3.5 -> std::lround (half away from zero) -> 4; 5 * 1 / 2 = 2.5 -> 3.
        const ImageGeometry target = resampledGeometry(source, {3, 2, 2});
        QCOMPARE(target.size[0], std::size_t(5));
        QCOMPARE(target.size[1], std::size_t(4));
        QCOMPARE(target.size[2], std::size_t(3));
        QCOMPARE(target.spacing, (Vec3{3, 2, 2}));
        QCOMPARE(target.origin, source.origin);
        QCOMPARE(target.direction, source.direction);
        // 5 * 1 / 5 = 1; 5 * 1 / 20 = 0.25 -> 0, but an axis keeps at least one voxel.
        QCOMPARE(resampledGeometry(source, {1.5, 5, 20}).size[2], std::size_t(1));
        QCOMPARE(resampledGeometry(source, {1.5, 5, 20}).size[1], std::size_t(1));
    }

    void resampledGeometryRejectsBadSpacing() {
        const ImageGeometry source = grid({4, 4, 4}, {1, 1, 1});
        QVERIFY_THROWS_EXCEPTION(Error, resampledGeometry(source, {0, 1, 1}));
        QVERIFY_THROWS_EXCEPTION(Error, resampledGeometry(source, {1, -2, 1}));
        QVERIFY_THROWS_EXCEPTION(Error, resampledGeometry(source, {1, 1, std::nan("")}));
    }

    void linearReproducesRampOnCoarserGrid() {
        const ImageGeometry source = grid({10, 10, 10}, {1, 0.8, 2}, {10, -5, 3});
        const ImageGeometry target = resampledGeometry(source, {1.5, 1.5, 1.5});
        // 10*1/1.5 = 6.67 -> 7; 10*0.8/1.5 = 5.33 -> 5; 10*2/1.5 = 13.3 -> 13.
        QCOMPARE(target.size, (std::array<std::size_t, 3>{7, 5, 13}));
        // Same origin and axes: source index = target index * 1.5 / source spacing, all inside [0, 9].
        compareRamp(resampleLinear(rampVolume(source), target), [](std::size_t i, std::size_t j, std::size_t k) {
            return Vec3{1.5 * i, 1.875 * j, 0.75 * k};
        });
    }

    void linearFollowsFlippedShiftedTarget() {
        const ImageGeometry source = grid({10, 10, 10}, {1, 1, 1});
        // i reversed, origin at source index (8.5, 0.25, 1): source index = (8.5 - i, 0.25 + j, 1 + k).
        ImageGeometry target = grid({8, 8, 8}, {1, 1, 1}, {8.5, 0.25, 1});
        target.direction = {-1, 0, 0, 0, 1, 0, 0, 0, 1};
        compareRamp(resampleLinear(rampVolume(source), target), [](std::size_t i, std::size_t j, std::size_t k) {
            return Vec3{8.5 - double(i), 0.25 + double(j), 1.0 + double(k)};
        });
    }

    void linearOnObliqueTarget() {
        const ImageGeometry source = grid({12, 12, 6}, {1, 1, 1});
        // 30 degrees in plane, 4x4 voxels of 1.2 mm around the source centre: all within the source.
        ImageGeometry target = grid({4, 4, 3}, {1.2, 1.2, 1.5}, {4.5, 3.5, 1.25});
        target.direction = rotationAboutZ(30);
        const SourceIndex sourceIndex = [&](std::size_t i, std::size_t j, std::size_t k) {
            return source.worldToIndex(target.indexToWorld({double(i), double(j), double(k)}));
        };
        // The premise (no clamping): the map is affine, so the target's corners bound its source indices.
        for (std::size_t corner = 0; corner < 8; ++corner) {
            const Vec3 s = sourceIndex(corner & 1 ? 3 : 0, corner & 2 ? 3 : 0, corner & 4 ? 2 : 0);
            QVERIFY(s[0] >= 0 && s[0] <= 11 && s[1] >= 0 && s[1] <= 11 && s[2] >= 0 && s[2] <= 5);
        }
        compareRamp(resampleLinear(rampVolume(source), target), sourceIndex);
    }

    void linearClampsOutsideSource() {
        const ImageGeometry source = grid({10, 2, 2}, {1, 1, 1});
        // Target i = 0..13 sits at source i = -3..10: outside, the edge voxel's value (clamped index).
        const ImageGeometry target = grid({14, 2, 2}, {1, 1, 1}, {-3, 0, 0});
        compareRamp(resampleLinear(rampVolume(source), target), [](std::size_t i, std::size_t j, std::size_t k) {
            return Vec3{std::clamp(double(i) - 3, 0.0, 9.0), double(j), double(k)};
        });
    }

    void identityResamplingIsExact() {
        ImageGeometry g = grid({7, 5, 4}, {0.7, 0.9, 1.3}, {-12.3, 4.1, 7.7});
        g.direction = rotationAboutZ(30);
        const FloatVolume image = filled<float>(g, [](std::size_t i, std::size_t j, std::size_t k) {
            return float(std::sin(1.0 + i * 0.37 + j * 1.91 + k * 0.53) * 1000);
        });
        QCOMPARE(resampleLinear(image, g).voxels(), image.voxels());
        const LabelMap labels = filled<std::uint8_t>(g, [](std::size_t i, std::size_t j, std::size_t k) {
            return std::uint8_t((i * 7 + j * 3 + k) % 5);
        });
        QCOMPARE(resampleNearest(labels, g).voxels(), labels.voxels());
    }

    void nearestCoarsensBlocks() {
        // 2x2x2 blocks, each its own label 1 + bi + 4 bj + 16 bk (bi = i / 2), 64 labels.
        const ImageGeometry source = grid({8, 8, 8}, {1, 1, 1}, {2, 3, 4});
        const LabelMap labels = filled<std::uint8_t>(source, [](std::size_t i, std::size_t j, std::size_t k) {
            return std::uint8_t(1 + i / 2 + 4 * (j / 2) + 16 * (k / 2));
        });
        const ImageGeometry target = resampledGeometry(source, {2, 2, 2});
        QCOMPARE(target.size, (std::array<std::size_t, 3>{4, 4, 4}));
        // Target voxel t sits on source voxel 2t, inside block t.
        const LabelMap result = resampleNearest(labels, target);
        for (std::size_t k = 0; k < 4; ++k)
            for (std::size_t j = 0; j < 4; ++j)
                for (std::size_t i = 0; i < 4; ++i) QCOMPARE(int(result.at(i, j, k)), int(1 + i + 4 * j + 16 * k));
    }

    void nearestPicksClosestVoxel() {
        const ImageGeometry source = grid({5, 1, 1}, {1, 1, 1});
        LabelMap labels(source);
        labels.voxels() = {10, 20, 30, 40, 50};
        // Shift 0.4: source i + 0.4 -> voxel i. Shift 0.6: voxel i + 1, the last one clamped.
        QCOMPARE(resampleNearest(labels, grid({5, 1, 1}, {1, 1, 1}, {0.4, 0, 0})).voxels(),
                 (std::vector<std::uint8_t>{10, 20, 30, 40, 50}));
        QCOMPARE(resampleNearest(labels, grid({5, 1, 1}, {1, 1, 1}, {0.6, 0, 0})).voxels(),
                 (std::vector<std::uint8_t>{20, 30, 40, 50, 50}));
    }

    void nearestNeverBlendsLabels() {
        const ImageGeometry source = grid({9, 9, 9}, {1, 1, 1});
        const LabelMap labels = filled<std::uint8_t>(source, [](std::size_t i, std::size_t j, std::size_t k) {
            const std::uint8_t values[] = {0, 5, 200};
            return values[(i / 3 + j / 3 + k / 3) % 3];
        });
        ImageGeometry oblique = grid({11, 11, 11}, {0.7, 0.8, 0.9}, {0.35, 0.15, 0.45});
        oblique.direction = rotationAboutZ(17);
        for (const ImageGeometry& target : {resampledGeometry(source, {0.7, 1.3, 2.1}), oblique}) {
            const LabelMap result = resampleNearest(labels, target);
            const std::set<std::uint8_t> seen(result.voxels().begin(), result.voxels().end());
            QCOMPARE(seen, (std::set<std::uint8_t>{0, 5, 200}));
        }
    }

    void resamplingRejectsEmptySource() {
        QVERIFY_THROWS_EXCEPTION(Error, resampleLinear(FloatVolume(), grid({2, 2, 2}, {1, 1, 1})));
        QVERIFY_THROWS_EXCEPTION(Error, resampleNearest(LabelMap(), grid({2, 2, 2}, {1, 1, 1})));
    }

    void medianSpacingByHand() {
        std::vector<ImageGeometry> scans{grid({1, 1, 1}, {0.8, 0.8, 5}), grid({1, 1, 1}, {0.7, 0.9, 2.5}),
                                         grid({1, 1, 1}, {1.0, 0.6, 3})};
        // Sorted per axis: x 0.7 0.8 1.0, y 0.6 0.8 0.9, z 2.5 3 5.
        QCOMPARE(medianSpacing(scans), (Vec3{0.8, 0.8, 3}));
        // A fourth scan: the mean of the middle two, x (0.8 + 0.9) / 2, y (0.8 + 0.9) / 2, z (2.5 + 3) / 2.
        scans.push_back(grid({1, 1, 1}, {0.9, 1.0, 1.0}));
        const Vec3 even = medianSpacing(scans);
        QVERIFY(near(even[0], 0.85, 1e-12) && near(even[1], 0.85, 1e-12) && near(even[2], 2.75, 1e-12));
        QVERIFY_THROWS_EXCEPTION(Error, medianSpacing({}));
    }

    void percentileByHand() {
        // Sorted 1 2 3 4; rank = 3p/100: p 50 -> 1.5 -> 2.5; p 0.5 -> 0.015 -> 1.015; p 99.5 -> 2.985 -> 3.985.
        const std::vector<float> values{4, 1, 3, 2};
        const std::vector<std::pair<double, double>> cases{{0, 1}, {100, 4}, {50, 2.5}, {0.5, 1.015}, {99.5, 3.985}};
        for (const auto& [p, expected] : cases) {
            std::vector<float> copy = values;
            const double actual = percentile(copy, p);
            QVERIFY2(near(actual, expected, 1e-12),
                     qPrintable(QStringLiteral("p %1: ").arg(p) + describe(actual, expected)));
        }
        std::vector<float> single{7};
        QCOMPARE(percentile(single, 37), 7.0);
    }

    void percentileMatchesNumpy() {
        if (!numpyAvailable()) QSKIP("/usr/bin/python3 lacks numpy (apt-get install python3-numpy)");
        std::vector<float> values;
        for (int n = 0; n < 37; ++n) values.push_back(float(std::sin(n * 1.7) * 300 + (n % 7) * 11));
        values.push_back(values[3]);  // ties
        values.push_back(values[3]);
        const std::vector<double> ps{0, 0.5, 1, 12.5, 25, 33.3, 50, 66.7, 75, 99, 99.5, 100};
        QStringList psText;
        for (double p : ps) psText << QString::number(p, 'g', 17);
        const auto expected = runPython("import sys, numpy\n"
                                        "v = numpy.array([float(x) for x in sys.argv[1].split(',')])\n"
                                        "ps = [float(p) for p in sys.argv[2].split(',')]\n"
                                        "print(' '.join(repr(float(numpy.percentile(v, p))) for p in ps))\n",
                                        {joined(values), psText.join(',')});
        QVERIFY(expected && expected->size() == ps.size());
        for (std::size_t n = 0; n < ps.size(); ++n) {
            std::vector<float> copy = values;
            const double actual = percentile(copy, ps[n]);
            QVERIFY2(near(actual, (*expected)[n], 1e-9 * std::max(1.0, std::abs((*expected)[n]))),
                     qPrintable(QStringLiteral("p %1: ").arg(ps[n]) + describe(actual, (*expected)[n])));
        }
    }

    void percentileRejectsBadInput() {
        std::vector<float> none;
        QVERIFY_THROWS_EXCEPTION(Error, percentile(none, 50));
        std::vector<float> some{1, 2};
        QVERIFY_THROWS_EXCEPTION(Error, percentile(some, -1));
        QVERIFY_THROWS_EXCEPTION(Error, percentile(some, 100.5));
        QVERIFY_THROWS_EXCEPTION(Error, percentile(some, std::nan("")));
    }

    void ctPlanSubsamplesAndMatchesNumpy() {
        // Scan A: values 0 10 .. 90, voxels 3 and 7 unlabeled -> 8 labeled (voxels 0 1 2 4 5 6 8 9). Five
        // samples at ordinals floor(s * 8 / 5) = 0 1 3 4 6 -> voxels 0 1 4 5 8 -> values 0 10 40 50 80.
        FloatVolume imageA = volumeOf({0, 10, 20, 30, 40, 50, 60, 70, 80, 90});
        LabelMap labelsA(imageA.geometry(), 1);
        labelsA.voxels()[3] = labelsA.voxels()[7] = 0;
        // Scan B: four labeled voxels, fewer than five, so all of them: 5 7 3000 11.
        FloatVolume imageB = volumeOf({-1000, 5, 7, 3000, 9, 11});
        LabelMap labelsB(imageB.geometry());
        labelsB.voxels() = {0, 2, 2, 1, 0, 3};
        const std::vector<float> pooled{0, 10, 40, 50, 80, 5, 7, 3000, 11};

        const auto plan = planCtNormalization({&imageA, &imageB}, {&labelsA, &labelsB}, 5);
        QVERIFY(plan.mode == IntensityNormalization::Mode::CtForeground);
        // Sorted 0 5 7 10 11 40 50 80 3000: rank 0.04 -> 0.2; rank 7.96 -> 80 + 0.96 * 2920 = 2883.2.
        QVERIFY2(near(plan.clipLow, 0.2, 1e-9), qPrintable(describe(plan.clipLow, 0.2)));
        QVERIFY2(near(plan.clipHigh, 2883.2, 1e-9), qPrintable(describe(plan.clipHigh, 2883.2)));

        if (!numpyAvailable()) QSKIP("/usr/bin/python3 lacks numpy (apt-get install python3-numpy)");
        const auto expected = runPython("import sys, numpy\n"
                                        "v = numpy.array([float(x) for x in sys.argv[1].split(',')])\n"
                                        "lo, hi = numpy.percentile(v, [0.5, 99.5])\n"
                                        "c = numpy.clip(v, lo, hi)\n"
                                        "print(repr(float(lo)), repr(float(hi)), repr(float(c.mean())), "
                                        "repr(float(c.std())))\n",
                                        {joined(pooled)});
        QVERIFY(expected && expected->size() == 4);
        const double actual[] = {plan.clipLow, plan.clipHigh, plan.mean, plan.sd};
        for (std::size_t n = 0; n < 4; ++n)
            QVERIFY2(near(actual[n], (*expected)[n], 1e-9 * std::max(1.0, std::abs((*expected)[n]))),
                     qPrintable(QStringLiteral("statistic %1: ").arg(n) + describe(actual[n], (*expected)[n])));

        // Deterministic: the same inputs give the same plan.
        const auto again = planCtNormalization({&imageA, &imageB}, {&labelsA, &labelsB}, 5);
        QCOMPARE(again.mean, plan.mean);
        QCOMPARE(again.sd, plan.sd);
    }

    void ctPlanRejectsUnusableInput() {
        const FloatVolume image = volumeOf({1, 2, 3});
        const LabelMap unlabeled(image.geometry(), 0);
        QVERIFY_THROWS_EXCEPTION(Error, planCtNormalization({&image}, {&unlabeled}));
        const LabelMap otherSize(grid({2, 1, 1}, {1, 1, 1}), 1);
        QVERIFY_THROWS_EXCEPTION(Error, planCtNormalization({&image}, {&otherSize}));
        QVERIFY_THROWS_EXCEPTION(Error, planCtNormalization({&image}, {}));
        QVERIFY_THROWS_EXCEPTION(Error, planCtNormalization({}, {}));
    }

    void constantForegroundNormalisesToZero() {
        FloatVolume image = volumeOf({50, 50, 50, 50});
        const LabelMap labels(image.geometry(), 1);
        const auto plan = planCtNormalization({&image}, {&labels});
        QCOMPARE(plan.sd, 0.0);
        normalizeIntensities(image, plan);  // (50 - 50) / max(0, 1e-8): no division by zero
        QCOMPARE(image.voxels(), (std::vector<float>{0, 0, 0, 0}));
    }

    void normalizeCtByHand() {
        FloatVolume image = volumeOf({-5, 0, 4, 10, 20, 8});
        IntensityNormalization plan;
        plan.mode = IntensityNormalization::Mode::CtForeground;
        plan.clipLow = 0;
        plan.clipHigh = 10;
        plan.mean = 4;
        plan.sd = 2;
        // Clipped 0 0 4 10 10 8, then (v - 4) / 2.
        normalizeIntensities(image, plan);
        QCOMPARE(image.voxels(), (std::vector<float>{-2, -2, 0, 3, 3, 2}));
    }

    void normalizePerScanByHand() {
        // Mean 40 / 8 = 5; squared deviations 9 1 1 1 0 0 4 16 sum 32, population SD sqrt(32 / 8) = 2.
        FloatVolume image = volumeOf({2, 4, 4, 4, 5, 5, 7, 9});
        IntensityNormalization plan;
        plan.mode = IntensityNormalization::Mode::PerScanZScore;
        plan.mean = 100;  // ignored: the scan's own statistics count
        plan.sd = 100;
        normalizeIntensities(image, plan);
        QCOMPARE(image.voxels(), (std::vector<float>{-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2}));

        FloatVolume constant = volumeOf({3, 3, 3});
        normalizeIntensities(constant, plan);
        QCOMPARE(constant.voxels(), (std::vector<float>{0, 0, 0}));
    }
};

QTEST_APPLESS_MAIN(PreprocessingTest)
#include "PreprocessingTest.moc"
