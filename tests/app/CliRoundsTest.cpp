// The IPnP loop as a user drives it from the command line: a round, the review queue and its
// decisions, an edited mask, rollback, a killed round resumed, the unattended loop, the evaluation
// files, a round with a TorchScript generalist, and the loop's bad inputs (each a clear error, exit
// 1, the project unchanged).
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>

#include "TestSupport.h"

using namespace ipnp::test;

namespace {
// A network and budget small enough for seconds per round on one core; quality is not the point.
const QStringList kTiny{"--iterations", "12", "--checkpoint-every", "4", "--patch", "32", "--stages", "3",
                        "--base-width", "4", "--threads", "1", "--seed", "3"};

// Ids of the pending candidates (`ipnp review --json`); with `masks`, only those with a mask, else
// only the absent ones. Worst specialist-generalist Dice first.
QStringList pendingIds(const QString& project, std::optional<bool> masks = std::nullopt) {
    const ProcessResult list = runIpnp({"review", "--json", "-p", project});
    std::vector<std::pair<double, QString>> found;
    for (const QJsonValue& value : QJsonDocument::fromJson(list.out.toUtf8()).array()) {
        const QJsonObject c = value.toObject();
        const bool isMask = c["kind"].toString() == "mask";
        if (c["status"].toString() == "pending" && (!masks || *masks == isMask))
            found.push_back({c["scores"].toObject()["specialist_generalist_dice"].toDouble(),
                             QString::number(c["id"].toInteger())});
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    QStringList ids;
    for (const auto& entry : found) ids << entry.second;
    return ids;
}

QJsonObject totals(const QString& project) {
    const ProcessResult status = runIpnp({"status", "--json", "-p", project});
    return QJsonDocument::fromJson(status.out.toUtf8()).object()["totals"].toObject();
}
}  // namespace

class CliRoundsTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString phantoms;

    QString newProject(const QString& name, bool partial = true) {
        const QString project = dir.filePath(name);
        if (runIpnp({"init", project}).exitCode != 0) return {};
        if (runIpnp({"import", phantoms, "-p", project}).exitCode != 0) return {};
        if (partial && runIpnp({"simulate-partial", "--test-fraction", "0.25", "--keep-fraction", "0.5", "--seed", "2",
                                "-p", project}).exitCode != 0)
            return {};
        return project;
    }
    QString database(const QString& project) { return project + "/project.ipnp"; }

private Q_SLOTS:
    void initTestCase() {
        phantoms = dir.filePath("phantoms");
        QCOMPARE(runIpnp({"make-phantoms", phantoms, "--count", "5", "--size", "32", "--spacing", "6"}).exitCode, 0);
    }

    void roundReviewEditAndRollback() {
        const QString project = newProject("review");
        QVERIFY(!project.isEmpty());
        const QJsonObject before = totals(project);
        const ProcessResult round = runIpnp(QStringList{"round", "-p", project} + kTiny);
        QVERIFY2(round.exitCode == 0, qPrintable(round.err));
        QVERIFY2(round.out.contains("Round 1: "), qPrintable(round.out));

        const ProcessResult list = runIpnp({"review", "--sort", "worst", "-p", project});
        QVERIFY2(list.exitCode == 0, qPrintable(list.err));
        const QStringList ids = pendingIds(project);
        QVERIFY2(ids.size() >= 3, qPrintable(list.out));
        // Every unknown training cell became a pending candidate.
        QCOMPARE(totals(project)["pseudo-pending"].toInt(), int(ids.size()));
        QCOMPARE(totals(project)["unknown"].toInt(), before["unknown"].toInt() - int(ids.size()));

        // A tiny specialist misses organs: those come as "absent" candidates. Decide two with masks
        // and one absent one.
        const QStringList masks = pendingIds(project, true), absents = pendingIds(project, false);
        QVERIFY2(masks.size() >= 3, qPrintable(list.out));
        QCOMPARE(runIpnp({"review", "--accept", masks[0], "-p", project}).exitCode, 0);
        QCOMPARE(runIpnp({"review", "--reject", masks[1], "-p", project}).exitCode, 0);
        if (!absents.isEmpty()) QCOMPARE(runIpnp({"review", "--accept", absents[0], "-p", project}).exitCode, 0);
        // Deciding again is refused and changes nothing.
        const QStringList dump = logicalDump(database(project));
        const ProcessResult again = runIpnp({"review", "--accept", masks[0], "-p", project});
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("candidate " + masks[0]) && again.err.contains("already accepted"), qPrintable(again.err));
        QCOMPARE(runIpnp({"review", "--reject", masks[1], "-p", project}).exitCode, 1);
        // A list with one decided candidate decides none of them (masks[2] stays pending).
        const ProcessResult mixed = runIpnp({"review", "--accept", masks[2], masks[0], "-p", project});
        QCOMPARE(mixed.exitCode, 1);
        QVERIFY2(mixed.err.contains("candidate " + masks[0]) && mixed.err.contains("already accepted") &&
                     !mixed.out.contains("Accepted"),
                 qPrintable(mixed.err + mixed.out));
        // Command-line mistakes (exit 2), refused before anything is decided: a candidate named
        // twice, --dry-run beside a decision (it would have decided for real), unknown values.
        const ProcessResult twice = runIpnp({"review", "--accept", masks[2], "--reject", masks[2], "-p", project});
        QCOMPARE(twice.exitCode, 2);
        QVERIFY2(twice.err.contains("candidate " + masks[2] + " is named twice"), qPrintable(twice.err));
        const ProcessResult dryDecision = runIpnp({"review", "--accept", masks[2], "--dry-run", "-p", project});
        QCOMPARE(dryDecision.exitCode, 2);
        QVERIFY2(dryDecision.err.contains("--dry-run"), qPrintable(dryDecision.err));
        for (const QStringList& bad : {QStringList{"--status", "bogus"}, QStringList{"--sort", "bogus"},
                                       QStringList{"--accept-all-above", "5"}, QStringList{"--dry-run"}}) {
            const ProcessResult refused = runIpnp(QStringList{"review"} + bad + QStringList{"-p", project});
            QVERIFY2(refused.exitCode == 2 && refused.err.contains(bad.first()),
                     qPrintable(bad.join(' ') + ": " + refused.err));
        }

        // An edited mask must lie on the scan's grid: a 24^3 phantom does not.
        const QString other = dir.filePath("other");
        QCOMPARE(runIpnp({"make-phantoms", other, "--count", "1", "--size", "24", "--spacing", "6"}).exitCode, 0);
        const QString wrongGrid = other + "/labelsTr/phantom_0000.nii.gz";
        const ProcessResult wrong = runIpnp({"review", "--accept", masks[2], "--mask", wrongGrid, "-p", project});
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY2(wrong.err.contains(wrongGrid) && wrong.err.contains("grid"), qPrintable(wrong.err));
        QCOMPARE(logicalDump(database(project)), dump);
        // The specialist's own prediction of that scan serves as the "edited" mask here.
        QVERIFY(runIpnp({"predict", dir.filePath("edited"), "--split", "train", "-p", project}).exitCode == 0);
        const ProcessResult unknownScan =
            runIpnp({"predict", dir.filePath("unknown"), "--scans", "no_such_scan", "-p", project});
        QCOMPARE(unknownScan.exitCode, 1);
        QVERIFY2(unknownScan.err.contains("no scan named 'no_such_scan'"), qPrintable(unknownScan.err));
        QVERIFY(!QFile::exists(dir.filePath("unknown")));  // nothing written
        const QString scanOfCandidate = [&] {
            for (const QJsonValue& value : QJsonDocument::fromJson(runIpnp({"review", "--json", "-p", project}).out.toUtf8()).array())
                if (QString::number(value.toObject()["id"].toInteger()) == masks[2]) return value.toObject()["scan"].toString();
            return QString();
        }();
        const ProcessResult edited = runIpnp({"review", "--accept", masks[2], "--mask",
                                              dir.filePath("edited/" + scanOfCandidate + ".nii.gz"), "-p", project});
        QVERIFY2(edited.exitCode == 0, qPrintable(edited.err));
        const QString accepted = runIpnp({"review", "--status", "accepted", "-p", project}).out;
        QVERIFY(accepted.contains(QString("%1 candidate(s)").arg(absents.isEmpty() ? 2 : 3)));
        QCOMPARE(totals(project)["pseudo-accepted"].toInt(), 2);
        QCOMPARE(totals(project)["rejected"].toInt(), 1);
        QCOMPARE(totals(project)["absent"].toInt(), before["absent"].toInt() + (absents.isEmpty() ? 0 : 1));

        const ProcessResult history = runIpnp({"rounds", "-p", project});
        QVERIFY2(history.out.contains("review") && history.out.contains("    1  "), qPrintable(history.out));
        const ProcessResult missing = runIpnp({"rounds", "rollback", "5", "-p", project});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("round 5 does not exist (rounds 1..1)"), qPrintable(missing.err));
        QCOMPARE(runIpnp({"rounds", "rollback", "1", "-p", project}).exitCode, 0);
        QCOMPARE(totals(project), before);
        QVERIFY(runIpnp({"rounds", "-p", project}).out.contains("rolled-back"));
        const ProcessResult check = runIpnp({"check", "-p", project});
        QVERIFY2(check.exitCode == 0 && !check.out.contains("unnamed"), qPrintable(check.out));
    }

    void killedRoundResumes() {
        const QString project = newProject("killed");
        QVERIFY(!project.isEmpty());
        // Checkpoints every 10 iterations; the kill comes after iteration 12, leaving 8 iterations of
        // margin before the next checkpoint even when this test process is starved on a busy machine.
        QStringList longer = kTiny;
        longer[longer.indexOf("--iterations") + 1] = "40";
        longer[longer.indexOf("--checkpoint-every") + 1] = "10";
        QProcess process;
        process.start(ipnpExecutable(), QStringList{"round", "-p", project} + longer);
        QVERIFY(process.waitForStarted());
        QByteArray progress;
        while (!progress.contains("[12/40]") && process.state() == QProcess::Running) {
            process.waitForReadyRead(200);
            progress += process.readAllStandardError();
        }
        process.kill();  // SIGKILL
        process.waitForFinished();
        progress += process.readAllStandardError();
        QVERIFY2(!progress.contains("[20/40]"), "the round went past its second checkpoint before the kill");
        const ProcessResult resumed = runIpnp({"round", "--threads", "1", "-p", project});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY2(resumed.err.contains("at iteration 10"), qPrintable(resumed.err));
        QVERIFY2(resumed.out.contains("Round 1: "), qPrintable(resumed.out));
        QCOMPARE(logicalDump(database(project)).filter(QRegularExpression("^rounds: ")).size(), 1);
    }

    void loopEvaluationAndReference() {
        const QString project = newProject("loop");
        QVERIFY(!project.isEmpty());
        // Dice >= 0 and a volume range widened 100-fold accept every candidate (this tiny network's
        // masks are far from any labeled volume; what is tested here is the loop, not the policy).
        const ProcessResult loop = runIpnp(QStringList{"loop", "--rounds", "2", "--auto-accept-dice", "0",
                                                       "--volume-widening", "100", "--warm-start", "--bf16", "-p",
                                                       project} +
                                           kTiny);
        QVERIFY2(loop.exitCode == 0, qPrintable(loop.err));
        QVERIFY2(loop.err.contains("closing training"), qPrintable(loop.err));
        // Warm start: round 1 trains from random weights, every later training (round 2 and the
        // closing one) from the final checkpoint of the round before it, and the run records which.
        const QStringList starts = queryRows(
            database(project),
            "SELECT r.number, json_extract(t.settings, '$.initial_weights'), "
            "(SELECT c.file FROM rounds p JOIN checkpoints c ON c.run_id = p.run_id WHERE p.number = r.number - 1) "
            "FROM rounds r JOIN training_runs t ON t.id = r.run_id ORDER BY r.number");
        QCOMPARE(starts.size(), 3);
        QCOMPARE(starts[0], QString("1 |  | NULL"));
        for (int n = 1; n < 3; ++n) {
            const QStringList fields = starts[n].split(" | ");
            QVERIFY2(fields[1].startsWith("checkpoints/") && fields[1] == fields[2], qPrintable(starts[n]));
        }
        QCOMPARE(loop.err.count("starting from the weights of"), 2);
        // The policy's volume widening is recorded with the rounds that used it.
        const QStringList widening =
            queryRows(database(project), "SELECT json_extract(settings, '$.policy.range_widening') FROM rounds WHERE number <= 2");
        QCOMPARE(widening.size(), 2);
        for (const QString& value : widening) QCOMPARE(value.toDouble(), 100.0);
        // Without training options the reference takes the rounds' budget (12 iterations here).
        const ProcessResult reference = runIpnp({"train", "--reference", "--threads", "1", "-p", project});
        QVERIFY2(reference.exitCode == 0, qPrintable(reference.err));
        QVERIFY2(reference.err.contains("[12/12]"), qPrintable(reference.err));
        const ProcessResult eval = runIpnp({"eval", "-p", project});
        QVERIFY2(eval.exitCode == 0, qPrintable(eval.err));
        QVERIFY2(eval.out.contains("| baseline |") && eval.out.contains("| reference |"), qPrintable(eval.out));
        for (const char* file : {"evaluation.json", "evaluation.md", "test_dice.png", "pseudo_label_dice.png"})
            QVERIFY2(QFile::exists(project + "/reports/" + file), file);
        QFile json(project + "/reports/evaluation.json");
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(json.readAll()).object();
        const QJsonArray models = report["models"].toArray();
        QVERIFY(models.size() >= 3);
        QCOMPARE(models.first().toObject()["model"].toString(), QString("baseline"));
        QCOMPARE(models.last().toObject()["model"].toString(), QString("reference"));
        QVERIFY(report["pseudo_labels"].toArray().size() >= 1);
        // Without --bf16 / --no-bf16 the models are scored in the precision the rounds ran with
        // (given on the loop's command line, not saved as the project's settings).
        QCOMPARE(report["prediction_precision"].toString(), QString("bf16"));
        const ProcessResult float32 = runIpnp({"eval", "--no-bf16", "--out", dir.filePath("float32"), "-p", project});
        QVERIFY2(float32.exitCode == 0, qPrintable(float32.err));
        QFile float32Json(dir.filePath("float32/evaluation.json"));
        QVERIFY(float32Json.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(float32Json.readAll()).object()["prediction_precision"].toString(),
                 QString("float32"));
        // Reports are for people: `check` does not call them garbage.
        QVERIFY(!runIpnp({"check", "-p", project}).out.contains("unnamed"));

        // A training option given changes only itself: the reference at 8 iterations keeps the
        // rounds' network (3 stages, width 4), not the built-in one (4 stages, width 16).
        const ProcessResult shorter =
            runIpnp({"train", "--reference", "--iterations", "8", "--threads", "1", "-p", project});
        QVERIFY2(shorter.exitCode == 0 && shorter.err.contains("[8/8]"), qPrintable(shorter.err));
        QCOMPARE(queryRows(database(project), "SELECT json_extract(settings, '$.stages') || ' ' || "
                                              "json_extract(settings, '$.base_width') FROM training_runs "
                                              "WHERE purpose = 'reference' ORDER BY id DESC LIMIT 1"),
                 QStringList{"3 4"});

        // After a rollback the live rounds are not numbered from 1: the report names each model by
        // the round whose labels it learned, as its pseudo-label section numbers them.
        QCOMPARE(runIpnp({"rounds", "rollback", "1", "-p", project}).exitCode, 0);
        const ProcessResult again = runIpnp(QStringList{"loop", "--rounds", "1", "--auto-accept-dice", "0",
                                                        "--volume-widening", "100", "-p", project} +
                                            kTiny);
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        const ProcessResult afterRollback = runIpnp({"eval", "--out", dir.filePath("after-rollback"), "-p", project});
        QVERIFY2(afterRollback.exitCode == 0, qPrintable(afterRollback.err));
        QFile rolledJson(dir.filePath("after-rollback/evaluation.json"));
        QVERIFY(rolledJson.open(QIODevice::ReadOnly));
        const QJsonObject rolled = QJsonDocument::fromJson(rolledJson.readAll()).object();
        QStringList names;
        for (const QJsonValue& model : rolled["models"].toArray()) names << model.toObject()["model"].toString();
        QCOMPARE(names, QStringList({"baseline", "round 4", "reference"}));  // rounds 4 and 5 (closing) live
        const QJsonArray pseudo = rolled["pseudo_labels"].toArray();
        QCOMPARE(pseudo.size(), 1);
        QCOMPARE(pseudo[0].toObject()["round"].toInt(), 4);
        // Without a gap recovery the report says why.
        QCOMPARE(rolled["gap_recovery"].isNull(), afterRollback.out.contains("no gap recovery: "));
    }

    void torchScriptGeneralistRunsARound() {
        // A box2d model that answers "not this organ" everywhere, with its contract next to it
        // (tests/support/MakeTestGeneralist):
        // every candidate it gives must have 0 voxels and a specialist-generalist Dice of 0, and
        // carry the model's identity (its SHA-256 computed here, independently of ipnp).
        const QString pt = dir.filePath("nothing.pt");
        const ProcessResult made = runProgram(buildTreePath("tests/support/ipnp_test_make_generalist"), {pt});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        const QString project = newProject("torchscript");
        QVERIFY(!project.isEmpty());

        // The model goes to the rounds' device: without a GPU, --device cuda fails naming the model
        // (the specialist's own refusal does not name it), before anything is recorded.
        if (made.out.contains("cuda: no")) {
            const QStringList dump = logicalDump(database(project));
            const ProcessResult cuda = runIpnp(QStringList{"round", "--generalist", pt, "-p", project} + kTiny +
                                               QStringList{"--device", "cuda"});
            QCOMPARE(cuda.exitCode, 1);
            QVERIFY2(cuda.err.contains(pt + ": --device cuda"), qPrintable(cuda.err));
            QCOMPARE(logicalDump(database(project)), dump);
        }

        const ProcessResult round = runIpnp(QStringList{"round", "--generalist", pt, "-p", project} + kTiny);
        QVERIFY2(round.exitCode == 0, qPrintable(round.err));
        const QStringList rows = queryRows(database(project), "SELECT voxel_count, generalist, scores FROM candidates "
                                                              "WHERE kind = 'mask'");
        QVERIFY2(!rows.isEmpty(), qPrintable(round.err));
        const QString sha = sha256OfFile(pt);
        for (const QString& row : rows) {
            const QStringList values = row.split(" | ");
            QCOMPARE(values.size(), 3);
            QCOMPARE(values[0], QString("0"));
            const QJsonObject identity = QJsonDocument::fromJson(values[1].toUtf8()).object();
            QCOMPARE(identity["name"].toString(), QString("nothing.pt"));
            QCOMPARE(identity["sha256"].toString(), sha);
            QCOMPARE(identity["contract"].toString(), QString("box2d"));
            const QJsonObject scores = QJsonDocument::fromJson(values[2].toUtf8()).object();
            QCOMPARE(scores["specialist_generalist_dice"].toDouble(), 0.0);
        }

        // Empty masks in review: listed as such, refused as they are (exit 1, naming the candidate,
        // project unchanged), passed by at Dice >= 0, rejected on request.
        const ProcessResult listed = runIpnp({"review", "-p", project});
        QVERIFY2(listed.exitCode == 0 && listed.out.contains(" empty "), qPrintable(listed.out));
        const QString id = queryRows(database(project), "SELECT MIN(id) FROM candidates WHERE kind = 'mask'").value(0);
        const QStringList dump = logicalDump(database(project));
        const ProcessResult accepted = runIpnp({"review", "--accept", id, "-p", project});
        QCOMPARE(accepted.exitCode, 1);
        QVERIFY2(accepted.err.contains("candidate " + id + " (") && accepted.err.contains("empty mask"),
                 qPrintable(accepted.err));
        QCOMPARE(logicalDump(database(project)), dump);
        const ProcessResult all = runIpnp({"review", "--accept-all-above", "0", "-p", project});
        QVERIFY2(all.exitCode == 0, qPrintable(all.err));
        QCOMPARE(logicalDump(database(project)), dump);
        QCOMPARE(runIpnp({"review", "--reject", id, "-p", project}).exitCode, 0);
        QCOMPARE(queryRows(database(project), "SELECT status FROM candidates WHERE id = " + id),
                 QStringList{"rejected"});
    }

    void badInputIsRefusedAndChangesNothing() {
        const QString full = newProject("full", false);
        QVERIFY(!full.isEmpty());
        QStringList dump = logicalDump(database(full));
        const ProcessResult nothing = runIpnp(QStringList{"round", "-p", full} + kTiny);
        QCOMPARE(nothing.exitCode, 1);
        QVERIFY2(nothing.err.contains("nothing left to pseudo-label"), qPrintable(nothing.err));
        QCOMPARE(logicalDump(database(full)), dump);

        const QString project = newProject("bad");
        dump = logicalDump(database(project));
        QFile notAModel(dir.filePath("notamodel.pt"));
        QVERIFY(notAModel.open(QIODevice::WriteOnly));
        notAModel.write("this is text, not TorchScript");
        notAModel.close();
        QFile contract(dir.filePath("notamodel.json"));
        QVERIFY(contract.open(QIODevice::WriteOnly));
        contract.write(R"({"contract": "box2d", "input_size": [64, 64], "channels": 1, "output_size": [64, 64],
                           "normalization": "minmax", "threshold": 0})");
        contract.close();
        const ProcessResult notModel = runIpnp(QStringList{"round", "--generalist", notAModel.fileName(), "-p", project} + kTiny);
        QCOMPARE(notModel.exitCode, 1);
        QVERIFY2(notModel.err.contains("notamodel.pt") && notModel.err.contains("not a TorchScript model"),
                 qPrintable(notModel.err));
        QVERIFY(contract.open(QIODevice::WriteOnly | QIODevice::Truncate));
        contract.write(R"({"contract": "box2d", "input_size": [64, 64], "channels": 1, "output_size": [64, 64],
                           "normalization": "minmax", "threshold": 0, "colour": "blue"})");
        contract.close();
        const ProcessResult unknownKey = runIpnp(QStringList{"round", "--generalist", notAModel.fileName(), "-p", project} + kTiny);
        QCOMPARE(unknownKey.exitCode, 1);
        QVERIFY2(unknownKey.err.contains("notamodel.json") && unknownKey.err.contains("colour"), qPrintable(unknownKey.err));
        const ProcessResult missingModel = runIpnp({"round", "--generalist", dir.filePath("missing.pt"), "-p", project});
        QCOMPARE(missingModel.exitCode, 1);
        QVERIFY2(missingModel.err.contains("missing.pt"), qPrintable(missingModel.err));
        QCOMPARE(runIpnp({"review", "--accept", "1", "-p", project}).exitCode, 1);
        QCOMPARE(runIpnp({"rounds", "rollback", "1", "-p", project}).exitCode, 1);
        const ProcessResult noRounds = runIpnp({"eval", "-p", project});
        QCOMPARE(noRounds.exitCode, 1);
        QVERIFY2(noRounds.err.contains("no trained round"), qPrintable(noRounds.err));
        const ProcessResult negative = runIpnp({"loop", "--volume-widening", "-1", "-p", project});
        QVERIFY(negative.exitCode != 0);
        QVERIFY2(negative.err.contains("--volume-widening") && negative.err.contains("must be a number, 0 or more"),
                 qPrintable(negative.err));
        QCOMPARE(logicalDump(database(project)), dump);
    }
};

QTEST_APPLESS_MAIN(CliRoundsTest)
#include "CliRoundsTest.moc"
