#include <QtTest>

#include "CoverageState.h"
#include "Error.h"
#include "OrganSchema.h"

using namespace ipnp;

class OrganSchemaTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesMatchIgnoringCaseSpacesAndSeparators() {
        const OrganSchema schema("test", {{2, "right kidney", {1, 2, 3}, {"Kidney_R"}}, {9, "inferior vena cava", {}, {"postcava"}}});
        QCOMPARE(schema.byName("Right_Kidney")->index, 2);
        QCOMPARE(schema.byName("kidney_r")->index, 2);
        QCOMPARE(schema.byName("POSTCAVA")->index, 9);
        QCOMPARE(schema.byName("Inferior-Vena Cava")->index, 9);
        QVERIFY(schema.byName("liver") == nullptr);
        QCOMPARE(schema.byIndex(9)->name, std::string("inferior vena cava"));
        QVERIFY(schema.byIndex(3) == nullptr);
    }

    void collisionsAreRefused() {
        QVERIFY_THROWS_EXCEPTION(Error, OrganSchema("s", {{1, "liver", {}, {}}, {1, "spleen", {}, {}}}));
        QVERIFY_THROWS_EXCEPTION(Error, OrganSchema("s", {{1, "liver", {}, {}}, {2, "Liver", {}, {}}}));
        QVERIFY_THROWS_EXCEPTION(Error, OrganSchema("s", {{1, "liver", {}, {"x"}}, {2, "spleen", {}, {"X"}}}));
        QVERIFY_THROWS_EXCEPTION(Error, OrganSchema("s", {{0, "liver", {}, {}}}));
        QVERIFY_THROWS_EXCEPTION(Error, OrganSchema("s", {{256, "liver", {}, {}}}));
    }

    void coverageStatesHaveStableSpellings() {
        QCOMPARE(std::string(toString(CoverageState::PseudoAccepted)), std::string("pseudo-accepted"));
        for (CoverageState state : kAllCoverageStates) {
            QCOMPARE(*coverageStateFromString(toString(state)), state);
            QCOMPARE(coverageStateFromText(toString(state)), state);
        }
        QVERIFY(!coverageStateFromString("accepted").has_value());
        QVERIFY(isKnownForTraining(CoverageState::Absent));
        QVERIFY(!isKnownForTraining(CoverageState::Rejected));
    }
};

QTEST_APPLESS_MAIN(OrganSchemaTest)
#include "OrganSchemaTest.moc"
