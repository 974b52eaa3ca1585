// The simulated partial-label protocol: counts follow from the options by arithmetic.
#include <QtTest>

#include <set>

#include "Error.h"
#include "PartialLabelProtocol.h"

using namespace ipnp;

namespace {
std::vector<ScanLabels> tenFullScans() {
    std::vector<ScanLabels> scans;
    for (int n = 0; n < 10; ++n) scans.push_back({"s" + std::to_string(n), {1, 2, 3, 4, 6, 7, 8, 9, 10}});
    return scans;
}
}  // namespace

class PartialLabelProtocolTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keepFractionHidesTheRest() {
        PartialLabelOptions options;
        options.testFraction = 0.2;
        options.keepFraction = 0.67;  // round(0.67 * 9) = 6 kept, 3 hidden
        options.seed = 11;
        const PartialLabelPlan plan = planPartialLabels(tenFullScans(), options);
        QCOMPARE(std::count(plan.isTest.begin(), plan.isTest.end(), true), 2L);  // round(0.2 * 10)
        for (std::size_t n = 0; n < 10; ++n) QCOMPARE(plan.hidden[n].size(), plan.isTest[n] ? std::size_t(0) : std::size_t(3));
    }

    void keepsAtLeastOneOrgan() {
        PartialLabelOptions options;
        options.testFraction = 0;
        options.keepFraction = 0.01;
        const PartialLabelPlan plan = planPartialLabels(tenFullScans(), options);
        for (const auto& hidden : plan.hidden) QCOMPARE(hidden.size(), std::size_t(8));
    }

    void sameSeedSamePlanOtherSeedOtherPlan() {
        PartialLabelOptions options;
        options.keepFraction = 0.5;
        options.seed = 3;
        const auto a = planPartialLabels(tenFullScans(), options);
        const auto b = planPartialLabels(tenFullScans(), options);
        QVERIFY(a.hidden == b.hidden && a.isTest == b.isTest);
        options.seed = 4;
        const auto c = planPartialLabels(tenFullScans(), options);
        QVERIFY(a.hidden != c.hidden || a.isTest != c.isTest);
    }

    void groupsPartitionTheOrgans() {
        PartialLabelOptions options;
        options.testFraction = 0.1;  // 1 test scan, 9 training scans -> 3 per group
        options.groups = 3;          // 9 organs -> groups of 3
        options.seed = 5;
        const auto scans = tenFullScans();
        const PartialLabelPlan plan = planPartialLabels(scans, options);
        std::map<std::set<int>, int> keptSets;
        for (std::size_t n = 0; n < scans.size(); ++n) {
            if (plan.isTest[n]) continue;
            std::set<int> kept(scans[n].labeledOrgans.begin(), scans[n].labeledOrgans.end());
            for (int organ : plan.hidden[n]) kept.erase(organ);
            QCOMPARE(kept.size(), std::size_t(3));
            ++keptSets[kept];
        }
        QCOMPARE(keptSets.size(), std::size_t(3));
        std::set<int> all;
        for (const auto& [kept, count] : keptSets) {
            QCOMPARE(count, 3);
            all.insert(kept.begin(), kept.end());
        }
        QCOMPARE(all.size(), std::size_t(9));  // disjoint groups covering every organ
    }

    void badOptionsAreRefused() {
        PartialLabelOptions options;
        QVERIFY_THROWS_EXCEPTION(Error, planPartialLabels(tenFullScans(), options));  // neither mode
        options.keepFraction = 1.5;
        QVERIFY_THROWS_EXCEPTION(Error, planPartialLabels(tenFullScans(), options));
        options.keepFraction = 0.5;
        options.testFraction = 1.0;
        QVERIFY_THROWS_EXCEPTION(Error, planPartialLabels(tenFullScans(), options));
        options.testFraction = 0.2;
        options.groups = 2;
        QVERIFY_THROWS_EXCEPTION(Error, planPartialLabels(tenFullScans(), options));  // both modes
        options.keepFraction.reset();
        options.groups = 10;
        QVERIFY_THROWS_EXCEPTION(Error, planPartialLabels(tenFullScans(), options));  // more groups than organs
    }
};

QTEST_APPLESS_MAIN(PartialLabelProtocolTest)
#include "PartialLabelProtocolTest.moc"
