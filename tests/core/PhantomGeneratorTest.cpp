// Checks the phantom's contract from the generated voxels alone: every number here is measured on
// the image and truth, none is read back from the generator.
#include <QElapsedTimer>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "Error.h"
#include "PhantomGenerator.h"
#include "Volume.h"

namespace {

using ipnp::LabelMap;
using ipnp::PhantomCase;
using ipnp::PhantomGenerator;
using ipnp::PhantomOptions;
using ipnp::ScanVolume;

constexpr int kSpleen = 1, kRightKidney = 2, kLeftKidney = 3, kGallbladder = 4, kLiver = 6,
              kStomach = 7, kAorta = 8, kPostcava = 9, kPancreas = 10;

PhantomOptions smallOptions(std::uint64_t seed = 1) {
    PhantomOptions options;
    options.size = {64, 64, 64};
    options.spacing = {3.0, 3.0, 3.0};
    options.seed = seed;
    return options;
}

// The 6 face neighbours of a voxel that lie inside the volume.
template <typename Visit>
void forEachNeighbour(const std::array<std::size_t, 3>& n, std::size_t at, Visit visit) {
    const std::size_t slice = n[0] * n[1];
    const std::size_t i = at % n[0], j = (at / n[0]) % n[1], k = at / slice;
    if (i > 0) visit(at - 1);
    if (i + 1 < n[0]) visit(at + 1);
    if (j > 0) visit(at - n[0]);
    if (j + 1 < n[1]) visit(at + n[0]);
    if (k > 0) visit(at - slice);
    if (k + 1 < n[2]) visit(at + slice);
}

std::vector<std::size_t> voxelsOf(const LabelMap& truth, int label) {
    std::vector<std::size_t> voxels;
    for (std::size_t at = 0; at < truth.voxelCount(); ++at)
        if (truth.data()[at] == label) voxels.push_back(at);
    return voxels;
}

int componentCount(const LabelMap& truth, int label) {
    std::vector<bool> seen(truth.voxelCount(), false);
    int components = 0;
    for (std::size_t start : voxelsOf(truth, label)) {
        if (seen[start]) continue;
        ++components;
        std::vector<std::size_t> stack{start};
        seen[start] = true;
        while (!stack.empty()) {
            const std::size_t at = stack.back();
            stack.pop_back();
            forEachNeighbour(truth.size(), at, [&](std::size_t next) {
                if (!seen[next] && truth.data()[next] == label) {
                    seen[next] = true;
                    stack.push_back(next);
                }
            });
        }
    }
    return components;
}

bool touch(const LabelMap& truth, int a, int b) {
    for (std::size_t at : voxelsOf(truth, a)) {
        bool found = false;
        forEachNeighbour(truth.size(), at, [&](std::size_t next) {
            if (truth.data()[next] == b) found = true;
        });
        if (found) return true;
    }
    return false;
}

// Voxels of `label` whose whole 6-neighbourhood, repeated `steps` times, is `label`: erosion by
// a diamond of radius `steps`. Border voxels never survive.
std::vector<std::size_t> eroded(const LabelMap& truth, int label, int steps) {
    const auto& n = truth.size();
    std::vector<std::uint8_t> inside(truth.voxelCount(), 0);
    for (std::size_t at : voxelsOf(truth, label)) inside[at] = 1;
    for (int step = 0; step < steps; ++step) {
        std::vector<std::uint8_t> next(inside.size(), 0);
        for (std::size_t at = 0; at < inside.size(); ++at) {
            if (!inside[at]) continue;
            int neighbours = 0;
            forEachNeighbour(n, at, [&](std::size_t m) { neighbours += inside[m]; });
            next[at] = neighbours == 6 ? 1 : 0;
        }
        inside.swap(next);
    }
    std::vector<std::size_t> voxels;
    for (std::size_t at = 0; at < inside.size(); ++at)
        if (inside[at]) voxels.push_back(at);
    return voxels;
}

double mean(const ScanVolume& image, const std::vector<std::size_t>& voxels) {
    double sum = 0;
    for (std::size_t at : voxels) sum += image.data()[at];
    return voxels.empty() ? 0.0 : sum / static_cast<double>(voxels.size());
}

double standardDeviation(const ScanVolume& image, const std::vector<std::size_t>& voxels) {
    const double m = mean(image, voxels);
    double sum = 0;
    for (std::size_t at : voxels) sum += (image.data()[at] - m) * (image.data()[at] - m);
    return voxels.size() < 2 ? 0.0 : std::sqrt(sum / static_cast<double>(voxels.size() - 1));
}

// Mean voxel index along `axis` of an organ.
double meanIndex(const LabelMap& truth, int label, int axis) {
    const auto& n = truth.size();
    double sum = 0;
    const std::vector<std::size_t> voxels = voxelsOf(truth, label);
    for (std::size_t at : voxels) {
        const std::size_t index[3] = {at % n[0], (at / n[0]) % n[1], at / (n[0] * n[1])};
        sum += static_cast<double>(index[axis]);
    }
    return voxels.empty() ? -1.0 : sum / static_cast<double>(voxels.size());
}

// The voxels of the 4 edge columns (along k) of the volume, 4 x 4 voxels each: far outside the
// body, which must fit in-plane with a margin.
std::vector<std::size_t> cornerVoxels(const std::array<std::size_t, 3>& n) {
    std::vector<std::size_t> voxels;
    for (std::size_t k = 0; k < n[2]; ++k)
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t i = 0; i < 4; ++i)
                for (std::size_t jj : {j, n[1] - 1 - j})
                    for (std::size_t ii : {i, n[0] - 1 - i})
                        voxels.push_back(ii + n[0] * (jj + n[1] * k));
    return voxels;
}

}  // namespace

class PhantomGeneratorTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void organsAreTheAmosOnes();
    void geometryIsCentredLpsWithTheRequestedGrid();
    void everyOrganIsOneComponentOfReasonableSizeInEveryCase();
    void sameSeedAndCaseGiveIdenticalVoxels();
    void differentCasesAndSeedsDiffer();
    void hardPairsTouchAndHaveSimilarIntensity();
    void organIntensitiesAreCtLike();
    void noiseIsPresent();
    void organsAreOnTheirAnatomicalSide();
    void outsideTheBodyIsAir();
    void otherSizesAndSpacingsWork();
    void invalidOptionsAreRejected();
    void timingOfOneDefaultCase();

private:
    std::vector<PhantomCase> threeCases();
};

std::vector<PhantomCase> PhantomGeneratorTest::threeCases() {
    const PhantomGenerator generator(smallOptions());
    return {generator.generate(0), generator.generate(1), generator.generate(2)};
}

void PhantomGeneratorTest::organsAreTheAmosOnes() {
    const auto organs = PhantomGenerator::organs();
    const std::vector<std::pair<int, std::string>> expected{
        {1, "spleen"},  {2, "right kidney"}, {3, "left kidney"}, {4, "gall bladder"}, {6, "liver"},
        {7, "stomach"}, {8, "aorta"},        {9, "postcava"},    {10, "pancreas"}};
    QCOMPARE(organs.size(), expected.size());
    for (const auto& organ : expected)
        QVERIFY2(std::find(organs.begin(), organs.end(), organ) != organs.end(),
                 organ.second.c_str());
}

void PhantomGeneratorTest::geometryIsCentredLpsWithTheRequestedGrid() {
    PhantomOptions options;
    options.size = {40, 30, 20};
    options.spacing = {2.5, 3.0, 4.0};
    const PhantomCase phantom = PhantomGenerator(options).generate(0);
    for (const auto* geometry : {&phantom.image.geometry(), &phantom.truth.geometry()}) {
        QVERIFY(geometry->size == options.size);
        QVERIFY(geometry->spacing == options.spacing);
        QVERIFY(geometry->direction == (ipnp::Mat3{1, 0, 0, 0, 1, 0, 0, 0, 1}));
        const ipnp::Vec3 centre = geometry->indexToWorld({19.5, 14.5, 9.5});
        for (double c : centre) QVERIFY(std::abs(c) < 1e-9);
    }
    QCOMPARE(phantom.image.voxelCount(), std::size_t{40 * 30 * 20});
    QCOMPARE(phantom.truth.voxelCount(), std::size_t{40 * 30 * 20});
}

void PhantomGeneratorTest::everyOrganIsOneComponentOfReasonableSizeInEveryCase() {
    std::set<int> known;
    for (const auto& organ : PhantomGenerator::organs()) known.insert(organ.first);
    const std::vector<PhantomCase> cases = threeCases();
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const LabelMap& truth = cases[c].truth;
        for (std::size_t at = 0; at < truth.voxelCount(); ++at)
            if (truth.data()[at] != 0) QVERIFY(known.count(truth.data()[at]) == 1);
        for (int label : known) {
            const QByteArray what = QByteArray("case ") + QByteArray::number(int(c)) + " label " +
                                    QByteArray::number(label);
            const std::size_t count = voxelsOf(truth, label).size();
            QVERIFY2(count >= 50,
                     what + " has " + QByteArray::number(qulonglong(count)) + " voxels");
            QVERIFY2(count < truth.voxelCount() / 10, what + " is implausibly large");
            QVERIFY2(componentCount(truth, label) == 1, what + " is not one connected component");
        }
    }
}

void PhantomGeneratorTest::sameSeedAndCaseGiveIdenticalVoxels() {
    const PhantomCase a = PhantomGenerator(smallOptions(7)).generate(3);
    const PhantomCase b = PhantomGenerator(smallOptions(7)).generate(3);
    QVERIFY(a.image.voxels() == b.image.voxels());
    QVERIFY(a.truth.voxels() == b.truth.voxels());
}

void PhantomGeneratorTest::differentCasesAndSeedsDiffer() {
    const PhantomCase first = PhantomGenerator(smallOptions(1)).generate(0);
    const PhantomCase otherCase = PhantomGenerator(smallOptions(1)).generate(1);
    const PhantomCase otherSeed = PhantomGenerator(smallOptions(2)).generate(0);
    QVERIFY(first.truth.voxels() != otherCase.truth.voxels());
    QVERIFY(first.truth.voxels() != otherSeed.truth.voxels());
    QVERIFY(first.image.voxels() != otherCase.image.voxels());
}

void PhantomGeneratorTest::hardPairsTouchAndHaveSimilarIntensity() {
    const std::vector<std::pair<int, int>> pairs{{kLiver, kPostcava}, {kSpleen, kPancreas}};
    const std::vector<PhantomCase> cases = threeCases();
    for (const PhantomCase& phantom : cases) {
        for (const auto& [a, b] : pairs) {
            const QByteArray what = QByteArray::number(a) + "/" + QByteArray::number(b);
            QVERIFY2(touch(phantom.truth, a, b), what + " do not touch");
            const std::vector<std::size_t> coreA = eroded(phantom.truth, a, 1);
            const std::vector<std::size_t> coreB = eroded(phantom.truth, b, 1);
            QVERIFY2(coreA.size() >= 5 && coreB.size() >= 5, what + ": too thin to measure");
            const double difference =
                std::abs(mean(phantom.image, coreA) - mean(phantom.image, coreB));
            QVERIFY2(difference < 20.0,
                     what + " differ by " + QByteArray::number(difference) + " HU");
        }
    }
}

// Contract values of the brief, with room for texture, blur and noise: a stomach at ~30 HU, a
// liver brighter than both kidneys, fluid in the gallbladder, dense bone in the spine.
void PhantomGeneratorTest::organIntensitiesAreCtLike() {
    const PhantomCase phantom = PhantomGenerator(smallOptions()).generate(0);
    const auto organMean = [&](int label) {
        return mean(phantom.image, eroded(phantom.truth, label, 1));
    };
    const double liver = organMean(kLiver);
    QVERIFY2(liver > 40 && liver < 80, QByteArray::number(liver));
    const double stomach = organMean(kStomach);
    QVERIFY2(stomach > 15 && stomach < 45, QByteArray::number(stomach));
    const double gallbladder = organMean(kGallbladder);
    QVERIFY2(gallbladder > -15 && gallbladder < 30, QByteArray::number(gallbladder));
    QVERIFY(organMean(kRightKidney) < liver - 10);
    QVERIFY(organMean(kLeftKidney) < liver - 10);

    // Behind the aorta, on the midline, the vertebral body: some voxel above 300 HU on every
    // row of voxels from the aorta's centre backwards, at the aorta's mean height.
    const auto& n = phantom.image.size();
    const auto i = static_cast<std::size_t>(n[0] / 2);
    const auto jAorta = static_cast<std::size_t>(meanIndex(phantom.truth, kAorta, 1));
    const auto k = static_cast<std::size_t>(meanIndex(phantom.truth, kAorta, 2));
    int maxHu = -2000;
    for (std::size_t j = jAorta; j < n[1]; ++j)
        maxHu = std::max<int>(maxHu, phantom.image.at(i, j, k));
    QVERIFY2(maxHu > 300, QByteArray::number(maxHu));
}

void PhantomGeneratorTest::noiseIsPresent() {
    const PhantomCase phantom = PhantomGenerator(smallOptions()).generate(0);
    const std::vector<std::size_t> liverCore = eroded(phantom.truth, kLiver, 2);
    QVERIFY(liverCore.size() > 100);
    const double liverSd = standardDeviation(phantom.image, liverCore);
    QVERIFY2(liverSd >= 10.0 && liverSd < 30.0, QByteArray::number(liverSd));

    // In air (flat apart from the noise) neighbour differences give the noise alone.
    const auto& n = phantom.image.size();
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t at : cornerVoxels(n)) {
        if (at % n[0] + 1 >= n[0]) continue;
        const double d = phantom.image.data()[at + 1] - phantom.image.data()[at];
        sum += d * d;
        ++count;
    }
    const double noiseSd = std::sqrt(sum / static_cast<double>(count) / 2.0);
    QVERIFY2(noiseSd > 12.0 && noiseSd < 18.0, QByteArray::number(noiseSd));
}

void PhantomGeneratorTest::organsAreOnTheirAnatomicalSide() {
    // LPS: i grows to the patient's left, j to posterior.
    for (const PhantomCase& phantom : threeCases()) {
        const LabelMap& truth = phantom.truth;
        QVERIFY(meanIndex(truth, kRightKidney, 0) < meanIndex(truth, kLeftKidney, 0));
        QVERIFY(meanIndex(truth, kLiver, 0) < meanIndex(truth, kSpleen, 0));
        QVERIFY(meanIndex(truth, kPostcava, 0) < meanIndex(truth, kAorta, 0));
        QVERIFY(meanIndex(truth, kLiver, 0) < static_cast<double>(truth.size()[0]) / 2);
        QVERIFY(meanIndex(truth, kStomach, 1) < meanIndex(truth, kLeftKidney, 1));
        QVERIFY(meanIndex(truth, kAorta, 1) < meanIndex(truth, kLeftKidney, 1));
    }
}

void PhantomGeneratorTest::outsideTheBodyIsAir() {
    const PhantomCase phantom = PhantomGenerator(smallOptions()).generate(1);
    const std::vector<std::size_t> corners = cornerVoxels(phantom.image.size());
    for (std::size_t at : corners) QCOMPARE(int(phantom.truth.data()[at]), 0);
    const double airMean = mean(phantom.image, corners);
    const double airSd = standardDeviation(phantom.image, corners);
    QVERIFY2(std::abs(airMean + 1000.0) < 3.0, QByteArray::number(airMean));
    QVERIFY2(airSd > 12.0 && airSd < 18.0, QByteArray::number(airSd));
}

void PhantomGeneratorTest::otherSizesAndSpacingsWork() {
    PhantomOptions coarse;
    coarse.size = {48, 48, 48};
    coarse.spacing = {4.0, 4.0, 4.0};
    PhantomOptions flat;
    flat.size = {64, 64, 32};
    flat.spacing = {3.0, 3.0, 3.0};
    for (const PhantomOptions& options : {coarse, flat}) {
        const PhantomCase phantom = PhantomGenerator(options).generate(5);
        QVERIFY(phantom.image.size() == options.size);
        QVERIFY(phantom.truth.size() == options.size);
        for (const auto& organ : PhantomGenerator::organs()) {
            QVERIFY2(!voxelsOf(phantom.truth, organ.first).empty(), organ.second.c_str());
            QVERIFY2(componentCount(phantom.truth, organ.first) == 1, organ.second.c_str());
        }
        QVERIFY(touch(phantom.truth, kLiver, kPostcava));
        QVERIFY(touch(phantom.truth, kSpleen, kPancreas));
    }
}

void PhantomGeneratorTest::invalidOptionsAreRejected() {
    PhantomOptions empty;
    empty.size = {0, 10, 10};
    QVERIFY_THROWS_EXCEPTION(ipnp::Error, PhantomGenerator{empty});
    PhantomOptions negative;
    negative.spacing = {1.0, -1.0, 1.0};
    QVERIFY_THROWS_EXCEPTION(ipnp::Error, PhantomGenerator{negative});
}

void PhantomGeneratorTest::timingOfOneDefaultCase() {
    const PhantomGenerator generator{PhantomOptions{}};
    QElapsedTimer timer;
    timer.start();
    const PhantomCase phantom = generator.generate(0);
    qDebug("one 96^3 phantom case: %lld ms", static_cast<long long>(timer.elapsed()));
    QCOMPARE(phantom.image.voxelCount(), std::size_t{96 * 96 * 96});
}

QTEST_APPLESS_MAIN(PhantomGeneratorTest)
#include "PhantomGeneratorTest.moc"
