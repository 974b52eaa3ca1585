// The headless workflow a new user runs: make-phantoms, init, import, status, simulate-partial,
// export, check. Expected numbers come from the phantom contract (9 organs of AMOS's 15 in every
// case) and the protocol's arithmetic, not from the program's output.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "TestSupport.h"

using namespace ipnp::test;

namespace {
const QStringList kPhantomOrgans{"spleen",  "right kidney", "left kidney",        "gallbladder", "liver",
                                 "stomach", "aorta",        "inferior vena cava", "pancreas"};

QJsonObject statusJson(const QString& project) {
    const ProcessResult result = runIpnp({"status", "--json", "-p", project});
    if (result.exitCode != 0) qWarning("%s", qPrintable(result.err));
    return QJsonDocument::fromJson(result.out.toUtf8()).object();
}

// The first "Round N: C candidate(s) on S scan(s) (A absent), K auto-accepted" line of `ipnp demo`
// or `ipnp loop` (all -1 when there is none).
struct RoundLine {
    int candidates = -1, absent = -1, autoAccepted = -1;
};
RoundLine roundLine(const QString& out) {
    static const QRegularExpression line(
        R"(Round \d+: (\d+) candidate\(s\) on \d+ scan\(s\) \((\d+) absent\), (\d+) auto-accepted)");
    const QRegularExpressionMatch match = line.match(out);
    if (!match.hasMatch()) return {};
    return {match.captured(1).toInt(), match.captured(2).toInt(), match.captured(3).toInt()};
}
}  // namespace

class CliEndToEndTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;

private Q_SLOTS:
    void everySubcommandHasHelp() {
        for (const QStringList& command :
             {QStringList{}, {"init"}, {"import"}, {"schema"}, {"status"}, {"simulate-partial"}, {"export"},
              {"export", "labels"}, {"export", "nnunet"}, {"make-phantoms"}, {"check"}, {"demo"}}) {
            const ProcessResult result = runIpnp(command + QStringList{"--help"});
            QVERIFY2(result.exitCode == 0 && result.out.contains("Usage"), qPrintable(command.join(' ')));
        }
    }

    void wholeWorkflow() {
        const QString phantoms = dir.filePath("phantoms"), project = dir.filePath("project");
        ProcessResult result = runIpnp({"make-phantoms", phantoms, "--count", "6", "--size", "32", "--spacing", "6", "--seed", "4"});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(result.err.contains("[6/6]"));  // progress on stderr
        QCOMPARE(QDir(phantoms + "/imagesTr").entryList(QDir::Files).size(), 6);

        QCOMPARE(runIpnp({"init", project}).exitCode, 0);
        result = runIpnp({"import", phantoms, "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));

        QJsonObject status = statusJson(project);
        QCOMPARE(status["schema"].toString(), QString("amos15"));
        QCOMPARE(status["splits"].toObject()["train"].toInt(), 6);
        const QJsonObject counts = status["counts"].toObject();
        QCOMPARE(counts.size(), 15);
        for (const QString& organ : counts.keys()) {
            const int manual = kPhantomOrgans.contains(organ) ? 6 : 0;
            QCOMPARE(counts[organ].toObject()["manual"].toInt(), manual);
            QCOMPARE(counts[organ].toObject()["unknown"].toInt(), 6 - manual);
        }
        QCOMPARE(status["totals"].toObject()["manual"].toInt(), 6 * 9);
        QCOMPARE(status["scans"].toArray().size(), 6);

        // Inside the project folder, -p is not needed; the table shows one row per scan.
        result = runIpnp({"status"}, project);
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains("phantom_0005") && result.out.contains("Legend"));

        // 6 scans, test fraction 0.34 -> round(2.04) = 2 test; keep 0.67 of 9 -> 6 kept, 3 hidden.
        result = runIpnp({"simulate-partial", "--test-fraction", "0.34", "--keep-fraction", "0.67", "--seed", "3", "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        status = statusJson(project);
        QCOMPARE(status["splits"].toObject()["train"].toInt(), 4);
        QCOMPARE(status["splits"].toObject()["test"].toInt(), 2);
        QCOMPARE(status["totals"].toObject()["manual"].toInt(), 4 * 6);
        QCOMPARE(QDir(project + "/truth").entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 6);

        // Label maps for the 4 training scans that still have labels.
        result = runIpnp({"export", "labels", dir.filePath("labels_out"), "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QCOMPARE(QDir(dir.filePath("labels_out")).entryList(QDir::Files).size(), 4);

        // No training scan is complete: nnU-Net export refuses unless partial scans are asked for.
        result = runIpnp({"export", "nnunet", dir.filePath("nn"), "-p", project});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.err.contains("--include-partial"));
        result = runIpnp({"export", "nnunet", dir.filePath("nn"), "--include-partial", "--dataset-id", "12", "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(result.err.contains("warning") && result.err.contains("partially labeled"));
        QCOMPARE(QDir(dir.filePath("nn/Dataset012_IPnP/labelsTr")).entryList(QDir::Files).size(), 4);

        result = runIpnp({"check", "-p", project});
        QVERIFY2(result.exitCode == 0 && result.out.contains("integrity: ok"), qPrintable(result.out + result.err));

        result = runIpnp({"schema", "--json", "-p", project});
        QCOMPARE(QJsonDocument::fromJson(result.out.toUtf8()).object()["organs"].toArray().size(), 15);
    }

    void schemaAndRoundTripThroughNnUNet() {
        const QString phantoms = dir.filePath("rt_phantoms"), project = dir.filePath("rt_project");
        // Its message is printed when it fails (it did once under the full suite's load, exit 1).
        const ProcessResult made = runIpnp({"make-phantoms", phantoms, "--count", "3", "--size", "32", "--spacing", "6"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        QCOMPARE(runIpnp({"init", project}).exitCode, 0);
        QCOMPARE(runIpnp({"import", phantoms, "--fully-labeled", "-p", project}).exitCode, 0);

        // Another organ set under the same indices would relabel the spleen as the brainstem: refused.
        ProcessResult result = runIpnp({"schema", "--set", "head-neck-oar", "-p", project});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("labels there are 'spleen'"), qPrintable(result.err));
        // An extra organ is fine, and starts unknown in every scan.
        QFile extended(dir.filePath("extended.json"));
        QVERIFY(extended.open(QIODevice::WriteOnly));
        QJsonObject schema = QJsonDocument::fromJson(runIpnp({"schema", "--json", "-p", project}).out.toUtf8()).object();
        QJsonArray organs = schema["organs"].toArray();
        organs.append(QJsonObject{{"index", 16}, {"name", "portal vein"}, {"colour", "#3050d0"}});
        schema["organs"] = organs;
        extended.write(QJsonDocument(schema).toJson());
        extended.close();
        result = runIpnp({"schema", "--set", extended.fileName(), "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QJsonObject counts = statusJson(project)["counts"].toObject();
        QCOMPARE(counts.size(), 16);
        QCOMPARE(counts["portal vein"].toObject()["unknown"].toInt(), 3);

        // With the portal vein unknown no scan is complete: export them as partial, then import the
        // nnU-Net dataset into a new project with the same schema.
        result = runIpnp({"export", "nnunet", dir.filePath("rt_nn"), "--include-partial", "--name", "RoundTrip", "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QString second = dir.filePath("rt_second");
        QCOMPARE(runIpnp({"init", second, "--schema", extended.fileName()}).exitCode, 0);
        result = runIpnp({"import", dir.filePath("rt_nn/Dataset501_RoundTrip"), "-p", second});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QJsonObject again = statusJson(second);
        QCOMPARE(again["totals"].toObject()["manual"].toInt(), 3 * 9);
        QVERIFY(!again["counts"].toObject().contains("postcava"));  // names are the schema's
        QCOMPARE(again["counts"].toObject()["inferior vena cava"].toObject()["manual"].toInt(), 3);
        // The label maps survive the trip voxel for voxel.
        QCOMPARE(runIpnp({"export", "labels", dir.filePath("rt_labels"), "-p", second}).exitCode, 0);
        for (int n = 0; n < 3; ++n) {
            const QString name = QString("phantom_%1.nii.gz").arg(n, 4, 10, QChar('0'));
            if (!debianPythonHasNibabel()) break;
            const auto same = runProgram("/usr/bin/python3", {"-c",
                "import sys, nibabel as nib, numpy as np\n"
                "a = np.asarray(nib.load(sys.argv[1]).dataobj); b = np.asarray(nib.load(sys.argv[2]).dataobj)\n"
                "print('same' if a.shape == b.shape and (a == b).all() else 'differ')",
                dir.filePath("rt_labels/") + name, phantoms + "/labelsTr/" + name});
            QCOMPARE(same.out.trimmed(), QString("same"));
        }
    }

    void folderOfImagesImportsWithoutLabels() {
        const QString phantoms = dir.filePath("fo_phantoms"), project = dir.filePath("fo_project");
        QCOMPARE(runIpnp({"make-phantoms", phantoms, "--count", "2", "--size", "24", "--spacing", "8"}).exitCode, 0);
        QCOMPARE(runIpnp({"init", project, "--schema", "head-neck-oar"}).exitCode, 0);
        const ProcessResult result = runIpnp({"import", phantoms + "/imagesTr", "--modality", "CT", "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QJsonObject status = statusJson(project);
        QCOMPARE(status["scans"].toArray().size(), 2);
        QCOMPARE(status["totals"].toObject()["unknown"].toInt(), 2 * 24);
    }

    void demoWritesItsReport() {
        const QString out = dir.filePath("demo");
        // A tiny budget: this checks the pipeline's wiring; bench/ipnp_loop_bench.sh measures what it achieves.
        const QStringList tiny{"--count", "4",  "--test-scans", "1", "--size", "32", "--iterations", "3",
                               "--patch", "16", "--rounds",     "1", "--seed", "5",  "--headless"};
        // The auto-accept policy is the demo's to set: at agreement >= 0 and a volume range widened
        // 1000-fold every mask candidate passes but an empty one (never a label); at agreement >= 1
        // (the rerun below) none does.
        ProcessResult result = runIpnp(QStringList{"demo", "--out", out, "--auto-accept-dice", "0", "--volume-widening",
                                                   "1000"} + tiny);
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(result.out.contains("Report: " + out + "/report.md"));
        const RoundLine acceptAll = roundLine(result.out);
        QVERIFY2(acceptAll.candidates > acceptAll.absent, qPrintable(result.out));
        const int empty = queryRows(out + "/project/project.ipnp",
                                    "SELECT COUNT(*) FROM candidates WHERE kind = 'mask' AND voxel_count = 0")
                              .value(0)
                              .toInt();
        QCOMPARE(acceptAll.autoAccepted, acceptAll.candidates - acceptAll.absent - empty);
        QFile report(out + "/report.md");
        QVERIFY(report.open(QIODevice::ReadOnly));
        const QByteArray text = report.readAll();
        QVERIFY(text.contains("Coverage matrix"));
        QVERIFY(text.contains("| baseline |"));
        QVERIFY(text.contains("| reference |"));
        QVERIFY(text.contains("from training seed 5 (`--seed`)"));
        QVERIFY(text.contains("(specialist-generalist Dice >= 0, volume within the labeled range widened by 100000 %)"));
        for (const char* file : {"evaluation.json", "evaluation.md", "test_dice.png", "pseudo_label_dice.png"})
            QVERIFY2(QFile::exists(out + "/report/" + file), file);
        // A rerun replaces its own folder; a foreign folder is never touched.
        result = runIpnp(QStringList{"demo", "--out", out, "--auto-accept-dice", "1"} + tiny);
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(roundLine(result.out).autoAccepted, 0);
        QDir().mkpath(dir.filePath("mine"));
        QFile mine(dir.filePath("mine/keep.txt"));
        QVERIFY(mine.open(QIODevice::WriteOnly));
        mine.close();
        QCOMPARE(runIpnp({"demo", "--out", dir.filePath("mine"), "--count", "4", "--test-scans", "1", "--size", "32"})
                     .exitCode,
                 1);
        QVERIFY(QFile::exists(dir.filePath("mine/keep.txt")));
    }

    void demoRefusesATestSplitThatLeavesTooFewTrainingScans() {
        // 4 phantoms, 3 of them for testing: 1 training scan is too few; a command-line mistake
        // (exit 2), refused before the demo's folder is made (or a previous demo's replaced).
        const QString out = dir.filePath("demo-split");
        const ProcessResult result = runIpnp({"demo", "--out", out, "--count", "4", "--test-scans", "3", "--size", "32"});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains("--count/--test-scans") && result.err.contains("fewer than 2 training scans"),
                 qPrintable(result.err));
        QVERIFY(!QFile::exists(out));
    }

    void demoSetupOnlyLeavesTheRoundsToTheApp() {
        // The desktop demo's first half: the partially labeled project, no round, the demo's budget,
        // warm start (off: the demo trains every round from scratch) and auto-accept policy saved as
        // the project's (the app's rounds, `ipnp round` and `ipnp loop` run with them).
        const QString out = dir.filePath("demo-setup");
        ProcessResult result = runIpnp({"demo", "--out", out, "--count", "4", "--test-scans", "1", "--size", "32",
                                         "--iterations", "7", "--volume-widening", "0.75", "--auto-accept-dice", "0.65",
                                         "--setup-only"});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(result.out.contains("rounds not run yet"));
        QVERIFY(!QFile::exists(out + "/report.md"));
        const QString project = out + "/project";
        QCOMPARE(statusJson(project)["scans"].toArray().size(), 4);
        const QStringList dump = logicalDump(project + "/project.ipnp");
        QVERIFY(dump.filter(QRegularExpression("^rounds: ")).isEmpty());
        const QStringList settings = dump.filter(QRegularExpression("^settings: round_training \\|"));
        QCOMPARE(settings.size(), 1);
        QVERIFY2(settings.first().contains("\"iterations\":7"), qPrintable(settings.first()));
        QCOMPARE(dump.filter(QRegularExpression("^settings: rounds_warm_start \\| 0 \\|")).size(), 1);
        QCOMPARE(dump.filter(QRegularExpression("^settings: auto_accept_volume_widening \\| 0.75 \\|")).size(), 1);
        QCOMPARE(dump.filter(QRegularExpression("^settings: auto_accept_dice \\| 0.65(0*\\d*)? \\|")).size(), 1);
        QCOMPARE(dump.filter(QRegularExpression("^settings: rounds_auto_accept \\| 1 \\|")).size(), 1);

        // `ipnp round` without the options runs as the project says; given, they win for that round.
        auto roundSettings = [&](int number) {
            const QStringList rows = logicalDump(project + "/project.ipnp")
                                         .filter(QRegularExpression(QString("^rounds: \\d+ \\| %1 \\|").arg(number)));
            return rows.size() == 1 ? rows.first() : QString("(%1 rows)").arg(rows.size());
        };
        result = runIpnp({"round", "--threads", "1", "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(roundSettings(1).contains("\"warm_start\":false") && roundSettings(1).contains("\"range_widening\":0.75"),
                 qPrintable(roundSettings(1)));
        QCOMPARE(runIpnp({"rounds", "rollback", "1", "-p", project}).exitCode, 0);
        result = runIpnp({"round", "--threads", "1", "--warm-start", "--volume-widening", "0.25", "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(roundSettings(2).contains("\"warm_start\":true") && roundSettings(2).contains("\"range_widening\":0.25"),
                 qPrintable(roundSettings(2)));
        // `ipnp loop` without --auto-accept-dice accepts at the project's threshold, and its own
        // --rounds is not a training option: it trains with the project's budget too.
        QCOMPARE(runIpnp({"rounds", "rollback", "2", "-p", project}).exitCode, 0);
        result = runIpnp({"loop", "--rounds", "1", "--threads", "1", "-p", project});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(roundSettings(3).contains("\"minimum_dice\":0.65") && roundSettings(3).contains("\"auto_accept\":true"),
                 qPrintable(roundSettings(3)));
        QVERIFY2(roundSettings(3).contains("\"iterations\":7"), qPrintable(roundSettings(3)));
        QVERIFY2(result.err.contains("[7/7]") && !result.err.contains("[8/"), qPrintable(result.err.left(2000)));
    }
};

QTEST_APPLESS_MAIN(CliEndToEndTest)
#include "CliEndToEndTest.moc"
