// IPnP Studio's main window on a real project in a real window (Xvfb): the browser's coverage
// matrix, the review of pending candidates with the keyboard (each decision checked in the
// database through its own connection, right after the key press), bulk accept with its preview,
// opening a scan at an organ, a bad project folder, and a reopen that shows what was decided.
// Candidates are made by hand (4x4x4 boxes) so that every expectation follows from arithmetic.
#include <QApplication>
#include <cmath>
#include <QLabel>
#include <QMessageBox>
#include <QTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QFile>
#include <memory>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "CoverageTableModel.h"
#include "MainWindow.h"
#include "ProjectRounds.h"
#include "ReviewPanel.h"
#include "ScanScene.h"
#include "SliceView.h"
#include "TimeLapseBar.h"
#include "SqliteDatabase.h"
#include "DicomFixtures.h"
#include "DicomImportDialog.h"
#include "BuiltinSchemas.h"
#include "DicomImport.h"
#include "OrganSchemaFile.h"
#include "DicomSeg.h"
#include "StructureFiles.h"
#include "StructureImportDialog.h"
#include "OrthancFixture.h"
#include "PacsClient.h"
#include "PacsDialog.h"
#include <QComboBox>
#include <QLineEdit>
#include "EditJournal.h"
#include "MaskEditor.h"
#include "ProjectFixtures.h"
#include "TestSupport.h"
#include "ViewLayout.h"
#include "VolumeView3d.h"

using namespace ipnp;
using test::boxCandidate;

namespace {

// A fresh read of the database, not through the window's connection.
std::string queryText(const QString& project, const std::string& sql) {
    auto store = ProjectStore::open(project.toStdString());
    SqliteStatement row(store->database(), sql);
    return row.step() ? row.columnText(0) : std::string("(no row)");
}

QString screenshotPath(const QString& name) {
    QDir().mkpath(IPNP_BINARY_DIR "/screenshots");
    return QString(IPNP_BINARY_DIR "/screenshots/%1.png").arg(name);
}

// Not blank: the grey levels of the image spread (standard deviation above 10 of 255).
bool notBlank(const QImage& image) {
    double sum = 0, squares = 0;
    int n = 0;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3) {
            const double grey = qGray(image.pixel(x, y));
            sum += grey, squares += grey * grey, ++n;
        }
    const double mean = sum / n;
    return n > 0 && std::sqrt(squares / n - mean * mean) > 10;
}

bool waitForLoad(MainWindow& window) {
    return QTest::qWaitFor([&] { return !window.loading(); }, 20000);
}

// A new, active window on `project` with its first scan loaded; null when any step failed.
std::unique_ptr<MainWindow> activeWindowOn(const QString& project) {
    auto window = std::make_unique<MainWindow>();
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window.get()) || !window->openProject(project) || !waitForLoad(*window))
        return nullptr;
    return window;
}

}  // namespace

class MainWindowTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString project;
    std::vector<ScanRecord> training;
    std::int64_t worst = 0, middle = 0, best = 0;  // candidate ids by Dice 0.55, 0.75, 0.95
    int worstOrgan = 0;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // QSettings of the test, not the user's
        auto store = test::makePhantomProject(dir.path().toStdString());
        project = dir.filePath("project");
        training = test::trainingScans(*store);
        QCOMPARE(training.size(), std::size_t(3));

        // Round 1 with three pending candidates on two scans, for organs unknown there.
        ProjectRounds rounds(*store, "tester");
        RoundSettings settings;
        GeneralistIdentity generalist = test::handMadeCandidates();
        RoundInfo round = rounds.beginRound(settings, generalist, false);
        round.checkpointSha256 = "feedface";
        const std::vector<int> first = test::organsInState(*store, training[0].id, "unknown"),
                               second = test::organsInState(*store, training[1].id, "unknown");
        QVERIFY(first.size() >= 2 && !second.empty());
        ScanCandidates a;
        a.target = {training[0].id, training[0].name, {first[0], first[1]}};
        a.candidates = {boxCandidate(training[0], first[0], {4, 4, 4}, 0.75), boxCandidate(training[0], first[1], {14, 14, 14}, 0.95)};
        a.autoAccepted = {false, false};
        rounds.saveCandidates(round, generalist, a);
        ScanCandidates b;
        b.target = {training[1].id, training[1].name, {second[0]}};
        b.candidates = {boxCandidate(training[1], second[0], {10, 4, 8}, 0.55)};
        b.autoAccepted = {false};
        rounds.saveCandidates(round, generalist, b);
        rounds.finishPrompting(round);
        for (const CandidateRecord& c : rounds.candidates("pending")) {
            if (c.dice < 0.6) worst = c.id, worstOrgan = c.organIndex;
            else if (c.dice < 0.8) middle = c.id;
            else best = c.id;
        }
        QVERIFY(worst && middle && best);
    }

    void opensTheProjectAtTheWorstCandidate() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // Shortcuts reach the active window only (Xvfb has no window manager to activate it).
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.openProject(project));
        QVERIFY(waitForLoad(window));
        QTest::qWait(200);

        // Browser: 4 scans x 15 organs; the worst candidate's cell is pending (amber) with provenance.
        QCOMPARE(window.coverageModel()->rowCount(), 4);
        QCOMPARE(window.coverageModel()->columnCount(), 15);
        QCOMPARE(window.scanTable()->rowCount(), 4);
        // Narrow columns: abbreviated organ names, the full name in the tooltip.
        QCOMPARE(window.coverageModel()->headerData(0, Qt::Horizontal, Qt::DisplayRole).toString(), QString("Spl"));
        QCOMPARE(window.coverageModel()->headerData(0, Qt::Horizontal, Qt::ToolTipRole).toString(), QString("spleen"));
        QCOMPARE(CoverageTableModel::abbreviationOf("inferior vena cava"), QString("IVC"));
        QCOMPARE(CoverageTableModel::abbreviationOf("prostate/uterus"), QString("P/U"));
        QCOMPARE(CoverageTableModel::abbreviationOf("right adrenal gland"), QString("RAG"));
        int row = -1;
        for (int r = 0; r < 4; ++r)
            if (window.coverageModel()->scanIdOfRow(r) == training[1].id) row = r;
        const QModelIndex cell = window.coverageModel()->index(row, worstOrgan - 1);
        QCOMPARE(cell.data(Qt::BackgroundRole).value<QColor>(), CoverageTableModel::colourOf(CoverageState::PseudoPending));
        QCOMPARE(cell.data(Qt::DisplayRole).toString(), QString("P"));
        QVERIFY2(cell.data(Qt::ToolTipRole).toString().contains("pseudo-pending"), qPrintable(cell.data(Qt::ToolTipRole).toString()));

        // Review: worst agreement first, its scan shown, the crosshair in its box (10..13, 4..7, 8..11).
        QCOMPARE(window.reviewPanel()->queue().size(), std::size_t(3));
        QCOMPARE(window.reviewPanel()->queue().current()->candidateId, worst);
        QCOMPARE(window.currentScanId(), training[1].id);
        QCOMPARE(window.cursor()->position(), (Index3{11, 5, 9}));
        QCOMPARE(window.scene()->pendingAt({11, 5, 9}), worstOrgan);
        QCOMPARE(window.scene()->pendingAt({9, 5, 9}), 0);
        QCOMPARE(window.sliceView(SliceOrientation::Axial)->sliceText(), QString("Axial 10/24"));
        window.grab().save(screenshotPath("main_window_review"));
        // Screenshots of the window and each view, saved and not blank.
        QVERIFY(notBlank(window.grab().toImage()));
        for (SliceOrientation o : {SliceOrientation::Axial, SliceOrientation::Coronal, SliceOrientation::Sagittal}) {
            const QImage view = window.sliceView(o)->grabFramebuffer();
            view.save(screenshotPath(QString("main_window_view_%1").arg(int(o))));
            QVERIFY(notBlank(view));
        }
        QTRY_VERIFY(!window.view3d()->surfacesPending());
        window.view3d()->grabFramebuffer().save(screenshotPath("main_window_view_3d"));
        QVERIFY(notBlank(window.view3d()->grabFramebuffer()));
        // Scrolling a slice changes the picture.
        const QImage beforeScroll = window.sliceView(SliceOrientation::Axial)->grabFramebuffer();
        window.cursor()->step(SliceOrientation::Axial, 3);
        QTest::qWait(50);
        QVERIFY(window.sliceView(SliceOrientation::Axial)->grabFramebuffer() != beforeScroll);
        window.cursor()->step(SliceOrientation::Axial, -3);

        // The hover read-out under the mouse.
        SliceView* axial = window.sliceView(SliceOrientation::Axial);
        // An event, not the X pointer: the read-out must not depend on what else is on the screen.
        QMouseEvent hover(QEvent::MouseMove, QPointF(axial->rect().center()), axial->mapToGlobal(QPointF(axial->rect().center())),
                          Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(axial, &hover);
        QVERIFY2(window.findChild<QLabel*>("lblHover")->text().startsWith("voxel ("),
                 qPrintable(window.findChild<QLabel*>("lblHover")->text()));

        // A accepts the worst one: in the database at once, the queue moves on to the next worst.
        QTest::keyClick(&window, Qt::Key_A);
        QCOMPARE(queryText(project, "SELECT status FROM candidates WHERE id = " + std::to_string(worst)), std::string("accepted"));
        QCOMPARE(queryText(project, "SELECT action || ' by ' || user FROM decisions WHERE candidate_id = " + std::to_string(worst)),
                 std::string("accept by ") + (qEnvironmentVariableIsEmpty("USER") ? "studio" : qgetenv("USER").toStdString()));
        QCOMPARE(window.reviewPanel()->queue().current()->candidateId, middle);
        QVERIFY(waitForLoad(window));
        QTest::qWait(100);
        QCOMPARE(window.coverageModel()->index(row, worstOrgan - 1).data(Qt::DisplayRole).toString(), QString("A"));

        // N then P come back; R rejects the middle one.
        QTest::keyClick(&window, Qt::Key_N);
        QCOMPARE(window.reviewPanel()->queue().current()->candidateId, best);
        QTest::keyClick(&window, Qt::Key_P);
        QCOMPARE(window.reviewPanel()->queue().current()->candidateId, middle);
        QVERIFY(waitForLoad(window));
        QCOMPARE(window.currentScanId(), training[0].id);
        QTest::keyClick(&window, Qt::Key_R);
        QCOMPARE(queryText(project, "SELECT status FROM candidates WHERE id = " + std::to_string(middle)), std::string("rejected"));

        // Bulk: at 0.96 nothing, at 0.90 the best one; the preview says so before the click.
        window.reviewPanel()->setBulkThreshold(0.96);
        QCOMPARE(window.reviewPanel()->findChild<QLabel*>("lblBulkPreview")->text(), QString("0 candidate(s)"));
        window.reviewPanel()->setBulkThreshold(0.90);
        QCOMPARE(window.reviewPanel()->findChild<QLabel*>("lblBulkPreview")->text(), QString("1 candidate(s)"));
        QTest::mouseClick(window.reviewPanel()->findChild<QPushButton*>("btnBulkAccept"), Qt::LeftButton);
        QCOMPARE(queryText(project, "SELECT status FROM candidates WHERE id = " + std::to_string(best)), std::string("accepted"));
        QVERIFY(window.reviewPanel()->queue().empty());
        QVERIFY(waitForLoad(window));
        QTest::qWait(100);
        // The accepted box is now a label of the shown scan, no longer pending.
        QVERIFY(window.scene()->labelAt({15, 15, 15}) != 0);
        QCOMPARE(window.scene()->pendingAt({15, 15, 15}), 0);
        window.grab().save(screenshotPath("main_window_after_review"));

        // The round slider: before round 1 the accepted box is not a label; the export writes a
        // frame per stop (0 and round 1), and they differ where the box is.
        QCOMPARE(window.timeLapse()->rounds(), std::vector<int>{1});
        window.timeLapse()->showRound(0);
        QCOMPARE(window.scene()->labelAt({15, 15, 15}), 0);
        window.timeLapse()->showRound(-1);
        QVERIFY(waitForLoad(window));
        QVERIFY(window.scene()->labelAt({15, 15, 15}) != 0);
        const QString frames = dir.filePath("frames");
        QDir().mkpath(frames);
        const QStringList files = window.exportTimeLapse(frames);
        QCOMPARE(files.size(), 2);
        QVERIFY(files[0].endsWith("_round00.png") && files[1].endsWith("_round01.png"));
        QVERIFY(QImage(files[0]) != QImage(files[1]));
        QVERIFY(waitForLoad(window));
        QVERIFY(window.scene()->labelAt({15, 15, 15}) != 0);  // back to now
    }

    void coverageCellOpensTheScanAtTheOrganAndFiltersWork() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openProject(project));
        QVERIFY(waitForLoad(window));
        // A manual cell of the third training scan: the crosshair lands inside that organ.
        auto store = ProjectStore::open(project.toStdString());
        int organ = 0;
        for (const LabelFileRecord& r : store->currentLabels(training[2].id))
            if (r.voxelCount > 30) organ = r.organIndex;
        QVERIFY(organ != 0);
        window.openScan(training[2].id, organ);
        QVERIFY(waitForLoad(window));
        QCOMPARE(window.currentScanId(), training[2].id);
        QCOMPARE(window.scene()->labelAt(window.cursor()->position()), organ);

        // Filters: by name, and scans with a pending cell (none left after the first test).
        window.coverageFilter()->setNameFilter(QString::fromStdString(training[2].name));
        QCOMPARE(window.coverageFilter()->rowCount(), 1);
        window.coverageFilter()->setNameFilter("");
        window.coverageFilter()->setStateFilter(CoverageState::PseudoAccepted);
        QCOMPARE(window.coverageFilter()->rowCount(), 2);   // the two scans with an accepted candidate
        window.coverageFilter()->setStateFilter(CoverageState::PseudoPending);
        QCOMPARE(window.coverageFilter()->rowCount(), 0);
        window.coverageFilter()->setStateFilter(std::nullopt);
        QCOMPARE(window.coverageFilter()->rowCount(), 4);
        // Sorting by an organ column orders the scans by that cell's state (the legend's order:
        // manual first, unknown last).
        for (int column = 0; column < window.coverageModel()->columnCount(); ++column) {
            window.coverageView()->sortByColumn(column, Qt::AscendingOrder);
            for (int row = 1; row < 4; ++row)
                QVERIFY(window.coverageFilter()->index(row - 1, column).data(CoverageTableModel::kStateRole).toInt() <=
                        window.coverageFilter()->index(row, column).data(CoverageTableModel::kStateRole).toInt());
        }
        window.coverageView()->sortByColumn(-1, Qt::AscendingOrder);

        // Maximise the 3D view and back.
        window.viewLayout()->toggleMaximized(window.view3d());
        QVERIFY(window.view3d()->isVisible() && !window.sliceView(SliceOrientation::Axial)->isVisible());
        window.viewLayout()->toggleMaximized(window.view3d());
        QVERIFY(window.sliceView(SliceOrientation::Axial)->isVisible());
    }

    void editingAMaskWithTheBrushStoresItAsEditedThenAccepted() {
        // A new round with one candidate: organ u of the third training scan, the box (8..11)^3.
        int organ = 0;
        std::int64_t id = 0;
        {
            auto store = ProjectStore::open(project.toStdString());
            organ = test::organsInState(*store, training[2].id, "unknown").front();
            ProjectRounds rounds(*store, "tester");
            const GeneralistIdentity generalist = test::handMadeCandidates();
            RoundInfo round = rounds.beginRound(RoundSettings{}, generalist, false);
            ScanCandidates scan;
            scan.target = {training[2].id, training[2].name, {organ}};
            scan.candidates = {boxCandidate(training[2], organ, {8, 8, 8}, 0.7)};
            scan.autoAccepted = {false};
            rounds.saveCandidates(round, generalist, scan);
            rounds.finishPrompting(round);
            id = rounds.candidates("pending").front().id;
        }
        auto window = activeWindowOn(project);
        QVERIFY(window);
        QCOMPARE(window->reviewPanel()->queue().current()->candidateId, id);
        const QString database = project + "/project.ipnp";

        // E opens the edit; Esc drops it and writes nothing.
        QTest::keyClick(window.get(), Qt::Key_E);
        QVERIFY(window->editing());
        QCOMPARE(window->editor()->voxelCount(), std::size_t(64));
        const QStringList before = test::logicalDump(database);
        window->editor()->brush().radiusMm = 3.0;  // half a 6 mm voxel: one voxel per dab
        SliceView* axial = window->sliceView(SliceOrientation::Axial);
        // The pixel of a voxel, found through the view's own picking (what is checked is the mask).
        const auto pixelOf = [&](const Index3& voxel) {
            for (int y = 0; y < axial->height(); y += 2)
                for (int x = 0; x < axial->width(); x += 2)
                    if (axial->voxelAt(QPointF(x, y)) == std::optional<Index3>(voxel)) return QPoint(x, y);
            return QPoint(-1, -1);
        };
        window->cursor()->setPosition({9, 9, 9});  // the axial view shows slice 9
        QTest::qWait(50);
        const QPoint outside = pixelOf({13, 9, 9});
        QVERIFY(outside.x() >= 0);
        QTest::mouseClick(axial, Qt::LeftButton, {}, outside);
        QCOMPARE(window->editor()->voxelCount(), std::size_t(65));
        // The open edit is on disk from its first stroke; dropping it deletes that too.
        const QString journal = QString::fromStdString(EditJournal::pathFor(project.toStdString(), id));
        QVERIFY(QFile::exists(journal));
        QTest::keyClick(window.get(), Qt::Key_Escape);
        QVERIFY(!window->editing());
        QVERIFY(!QFile::exists(journal));
        QCOMPARE(test::logicalDump(database), before);
        QVERIFY(waitForLoad(*window));  // the scan's labels are shown again as they are

        // Again: paint one voxel outside, erase one inside with a drag, undo and redo, accept.
        QTest::keyClick(window.get(), Qt::Key_E);
        QVERIFY(window->editing());
        window->editor()->brush().radiusMm = 3.0;
        QTest::mouseClick(axial, Qt::LeftButton, {}, pixelOf({13, 9, 9}));
        QCOMPARE(window->editor()->voxelCount(), std::size_t(65));
        window->editor()->brush().erase = true;
        const QPoint from = pixelOf({8, 8, 9}), to = pixelOf({8, 10, 9});
        QTest::mousePress(axial, Qt::LeftButton, {}, from);
        QMouseEvent move(QEvent::MouseMove, QPointF(to), axial->mapToGlobal(QPointF(to)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(axial, &move);
        QTest::mouseRelease(axial, Qt::LeftButton, {}, to);
        QCOMPARE(window->editor()->voxelCount(), std::size_t(62));  // (8, 8..10, 9): three voxels, one stroke
        QCOMPARE(window->editor()->history().undoCount(), std::size_t(2));
        QTest::keyClick(window.get(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(window->editor()->voxelCount(), std::size_t(65));
        QTest::keyClick(window.get(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(window->editor()->voxelCount(), std::size_t(62));
        QCOMPARE(window->scene()->pendingAt({13, 9, 9}), organ);  // the view shows the edited mask
        QCOMPARE(window->scene()->pendingAt({8, 9, 9}), 0);
        window->grab().save(screenshotPath("main_window_editing"));

        // The app goes away mid-edit (the window closed; a crash leaves the same file: every change
        // is on disk when the stroke ends). The project is unchanged; reopened, it says an edit was
        // left open, and E on the candidate brings back the edited mask (62 voxels, not 64).
        window.reset();
        QVERIFY(QFile::exists(journal));
        QCOMPARE(test::logicalDump(database), before);
        // A journal of a candidate the project no longer has is deleted when the project opens.
        const QString stale = QString::fromStdString(EditJournal::pathFor(project.toStdString(), 999999));
        QVERIFY(QFile::copy(journal, stale));
        window = activeWindowOn(project);
        QVERIFY(window);
        QVERIFY2(window->statusBar()->currentMessage().contains("Unfinished edit"),
                 qPrintable(window->statusBar()->currentMessage()));
        QVERIFY(!QFile::exists(stale));
        QVERIFY(QFile::exists(journal));
        QCOMPARE(window->reviewPanel()->queue().current()->candidateId, id);
        QTest::keyClick(window.get(), Qt::Key_E);
        QVERIFY(window->editing());
        // All four changes were kept (the two strokes, the undo and the redo; the journal may have
        // compacted them into fewer records): the mask as it was, 62 voxels.
        QVERIFY2(window->statusBar()->currentMessage().contains("Restored the unfinished edit"),
                 qPrintable(window->statusBar()->currentMessage()));
        QCOMPARE(window->editor()->voxelCount(), std::size_t(62));
        QVERIFY(window->editor()->changed());
        QCOMPARE(window->scene()->pendingAt({13, 9, 9}), organ);
        QCOMPARE(window->scene()->pendingAt({8, 9, 9}), 0);
        window->grab().save(screenshotPath("main_window_edit_restored"));
        QTest::keyClick(window.get(), Qt::Key_Return);
        QVERIFY(!window->editing());
        QVERIFY(!QFile::exists(journal));

        // Stored as edited-then-accepted: the decision, and the label file holds the edited mask.
        QCOMPARE(queryText(project, "SELECT status FROM candidates WHERE id = " + std::to_string(id)), std::string("accepted"));
        QCOMPARE(queryText(project, "SELECT action FROM decisions WHERE candidate_id = " + std::to_string(id)),
                 std::string("accept-edited"));
        QCOMPARE(queryText(project, "SELECT voxel_count FROM label_versions WHERE candidate_id = " + std::to_string(id)),
                 std::string("62"));
        QVERIFY(waitForLoad(*window));
        QCOMPARE(window->scene()->labelAt({13, 9, 9}), organ);
        QCOMPARE(window->scene()->labelAt({8, 9, 9}), 0);
        QCOMPARE(window->scene()->labelAt({9, 9, 9}), organ);
    }

    void dicomSeriesAreChosenInTheImportDialog() {
        const QString dicom = dir.filePath("dicom");
        test::SliceSpec first, second;
        second.series = "1.2.826.0.1.3680043.10.1001.2";
        second.seriesNumber = 4;
        second.intercept = -1000;
        QVERIFY(test::writeRegularSeries(dicom + "/a", first));
        QVERIFY(test::writeRegularSeries(dicom + "/b", second));
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(project));
        QVERIFY(waitForLoad(window));
        const int scansBefore = window.scanTable()->rowCount();
        DicomImportDialog* dialog = window.importDicomFolder(dicom);
        QVERIFY(dialog);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->scanning(), 10000);
        QTableWidget* table = dialog->seriesTable();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 0)->text(), QString("P7_s3"));
        QCOMPARE(table->item(0, 3)->text(), QString("abdomen"));
        QCOMPARE(table->item(0, 5)->text(), QString("4"));
        dialog->grab().save(screenshotPath("dicom_import_dialog"));
        table->item(1, 0)->setCheckState(Qt::Unchecked);  // only the first series
        QSignalSpy imported(dialog, &DicomImportDialog::imported);
        dialog->importChecked();
        QVERIFY(imported.wait(20000));
        QCOMPARE(imported.at(0).at(0).toInt(), 1);
        QCOMPARE(window.scanTable()->rowCount(), scansBefore + 1);
        QCOMPARE(queryText(project, "SELECT COUNT(*) FROM scans WHERE name = 'P7_s3'"), std::string("1"));

        // A damaged file: named in the dialog's failure, nothing imported.
        const QString damaged = dir.filePath("dicom-damaged");
        QVERIFY(test::writeRegularSeries(damaged, second));
        QFile cut(damaged + "/slice_8.dcm");
        QVERIFY(cut.resize(300));
        const QStringList before = test::logicalDump(project + "/project.ipnp");
        DicomImportDialog* bad = window.importDicomFolder(damaged);
        QSignalSpy failed(bad, &DicomImportDialog::failed);
        QVERIFY(failed.wait(10000));
        QVERIFY2(failed.at(0).at(0).toString().contains("slice_8.dcm"), qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(test::logicalDump(project + "/project.ipnp"), before);
        bad->close();
        QTRY_VERIFY(window.findChild<QMessageBox*>("dlgError") != nullptr);
    }

    void structureSetsAreMappedInTheImportDialogAndExported() {
        // A project made from a DICOM series, and an RTSTRUCT drawn on it with one ROI the schema
        // knows ("Liver") and one it does not ("Magen", German for stomach).
        const QString dicom = dir.filePath("rt_dicom");
        test::SliceSpec spec;
        spec.series = "1.2.826.0.1.3680043.10.1001.55";
        spec.seriesNumber = 5;
        QVERIFY(test::writeRegularSeries(dicom, spec));
        const std::vector<Vec3> square{{-9.9, 20.1, 32.5}, {-7.1, 20.1, 32.5}, {-7.1, 22.9, 32.5}, {-9.9, 22.9, 32.5}};
        const QString rtss = dir.filePath("rtss.dcm");
        QVERIFY(test::writeRtStruct(rtss, spec.series, {{1, "Liver", {square}}, {2, "Magen", {square}}}));
        const QString rtProject = dir.filePath("rt_project");
        {
            auto store = ProjectStore::create(rtProject.toStdString(), organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
            ScanImporter(*store).importScans(DicomImportBatch(dicom.toStdString()).requests(), {});
        }
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(rtProject));
        QVERIFY(waitForLoad(window));

        StructureImportDialog* dialog = window.importStructureFile(rtss);
        QVERIFY(dialog);
        QCOMPARE(dialog->structureTable()->rowCount(), 2);
        QCOMPARE(dialog->scanChoice()->currentText(), QString("P7_s5"));  // found through the series UID
        QCOMPARE(dialog->organChoice(0)->currentText(), QString("liver"));
        QCOMPARE(dialog->organChoice(1)->currentIndex(), 0);  // not matched: left out unless mapped
        dialog->organChoice(1)->setCurrentText("stomach");
        dialog->grab().save(screenshotPath("structure_import_dialog"));
        if (qEnvironmentVariableIsSet("IPNP_UPDATE_DOC_IMAGES"))  // the user guide's picture of it
            dialog->grab().save(IPNP_SOURCE_DIR "/docs/images/structure_import_dialog.png");
        QSignalSpy imported(dialog, &StructureImportDialog::imported);
        QVERIFY(dialog->importChosen());
        QCOMPARE(imported.count(), 1);
        // Written at once: read through a second connection.
        QCOMPARE(queryText(rtProject, "SELECT COUNT(*) FROM coverage c JOIN organs o ON o.id = c.organ_id "
                                      "WHERE c.state = 'manual' AND o.name IN ('liver', 'stomach')"),
                 std::string("2"));
        dialog->close();

        // A file that is neither kind: named in an error dialog, nothing opened.
        QSignalSpy errors(&window, &MainWindow::errorShown);
        QVERIFY(window.importStructureFile(dicom + "/slice_9.dcm") == nullptr);
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.at(0).at(0).toString().contains("slice_9.dcm"), qPrintable(errors.at(0).at(0).toString()));

        // The shown scan's labels out again, as a DICOM SEG with both organs.
        QTRY_VERIFY_WITH_TIMEOUT(window.currentScanId() != 0 && !window.loading(), 10000);
        const QString seg = window.exportCurrentScanAsDicom(MainWindow::DicomExportKind::Seg, dir.filePath("out_seg.dcm"));
        QCOMPARE(seg, dir.filePath("out_seg.dcm"));
        QCOMPARE(readDicomSeg(seg.toStdString()).segments.size(), std::size_t(2));
    }

    void pacsDialogFindsAndRetrievesASeries() {
        if (!test::OrthancFixture::installed()) QSKIP("Orthanc is not installed (apt-get install orthanc)");
        test::OrthancFixture pacs;
        QVERIFY2(pacs.running(), qPrintable(pacs.log()));
        const QString dicom = dir.filePath("pacs_ct");
        test::SliceSpec spec;
        spec.series = "1.2.826.0.1.3680043.10.1001.44";
        QVERIFY(test::writeRegularSeries(dicom, spec));
        PacsNode node;
        node.port = pacs.dicomPort();
        node.calledAe = test::OrthancFixture::kAeTitle;
        std::vector<std::string> files;
        for (const QString& name : QDir(dicom).entryList({"*.dcm"})) files.push_back((dicom + "/" + name).toStdString());
        pacsStore(node, files);

        const QString pacsProject = dir.filePath("pacs_project");
        ProjectStore::create(pacsProject.toStdString(), organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(pacsProject));
        PacsDialog* dialog = window.openPacs();
        QVERIFY(dialog);
        dialog->setNode(node);
        dialog->patientIdField()->setText("P7");
        dialog->findStudies();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->busy(), 20000);
        QCOMPARE(dialog->studyTable()->rowCount(), 1);
        QCOMPARE(dialog->studyTable()->item(0, 0)->text(), QString("P7"));
        dialog->studyTable()->selectRow(0);  // lists its series
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->busy() && dialog->seriesTable()->rowCount() == 1, 20000);
        QCOMPARE(dialog->seriesTable()->item(0, 1)->text(), QString("CT"));
        QCOMPARE(dialog->seriesTable()->item(0, 2)->text(), QString("4"));
        dialog->seriesTable()->selectRow(0);
        dialog->grab().save(screenshotPath("pacs_dialog"));
        QSignalSpy retrieved(dialog, &PacsDialog::retrieved);
        dialog->retrieveChosenSeries();
        QVERIFY(retrieved.wait(30000));
        QCOMPARE(retrieved.at(0).at(0).toInt(), 1);
        QCOMPARE(window.scanTable()->rowCount(), 1);
        QCOMPARE(queryText(pacsProject, "SELECT COUNT(*) FROM dicom_sources WHERE identity LIKE '%retrieved_from%ORTHANC@%'"),
                 std::string("1"));
        dialog->close();

        // A structure set drawn on the retrieved scan, then "Send labels" for the shown scan: a
        // DICOM SEG series joins the study on the PACS, with the original identity (the scan came
        // from there).
        const std::vector<Vec3> square{{-9.9, 20.1, 32.5}, {-7.1, 20.1, 32.5}, {-7.1, 22.9, 32.5}, {-9.9, 22.9, 32.5}};
        QVERIFY(test::writeRtStruct(dir.filePath("pacs_rtss.dcm"), spec.series, {{1, "Liver", {square}}}));
        std::int64_t retrievedScan = 0;
        {
            auto store = ProjectStore::open(pacsProject.toStdString());
            importStructureFile(*store, dir.filePath("pacs_rtss.dcm").toStdString(), {});
            retrievedScan = store->scans().at(0).id;
        }
        window.openScan(retrievedScan);
        QVERIFY(waitForLoad(window));
        dialog = window.openPacs();
        QVERIFY(dialog);
        dialog->setNode(node);
        QSignalSpy sent(dialog, &PacsDialog::finishedWork);
        dialog->sendLabels();
        QVERIFY(sent.wait(30000));
        QVERIFY2(dialog->status()->text().startsWith("Sent 1 organ(s) as DICOM SEG (original identity"),
                 qPrintable(dialog->status()->text()));
        dialog->grab().save(screenshotPath("pacs_dialog_labels_sent"));
        PacsStudyQuery patientP7;
        patientP7.patientId = "P7";
        const std::vector<PacsStudy> studies = pacsFindStudies(node, patientP7);
        QCOMPARE(studies.size(), std::size_t(1));
        QStringList modalities;
        for (const PacsSeries& series : pacsFindSeries(node, studies.front().studyUid))
            modalities << QString::fromStdString(series.modality);
        modalities.sort();
        QCOMPARE(modalities, QStringList({"CT", "SEG"}));

        // A PACS that is not there: the error names it, in a dialog.
        PacsNode nobody = node;
        nobody.port = test::freeTcpPort();
        dialog->setNode(nobody);
        QSignalSpy failed(dialog, &PacsDialog::failed);
        dialog->echo();
        QVERIFY(failed.wait(20000));
        QVERIFY2(failed.at(0).at(0).toString().contains("ORTHANC@127.0.0.1:" + QString::number(nobody.port)),
                 qPrintable(failed.at(0).at(0).toString()));
        dialog->close();
    }

    void aBadFolderShowsAnErrorAndKeepsTheOpenProject() {
        MainWindow window;
        window.show();
        QVERIFY(window.openProject(project));
        QVERIFY(waitForLoad(window));
        const QString title = window.windowTitle();
        const int rows = window.coverageModel()->rowCount();
        QSignalSpy errors(&window, &MainWindow::errorShown);
        const QString bad = dir.filePath("not-a-project");
        QDir().mkpath(bad);
        QVERIFY(!window.openProject(bad));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.at(0).at(0).toString().contains(bad), qPrintable(errors.at(0).at(0).toString()));
        QTRY_VERIFY(window.findChild<QMessageBox*>("dlgError") != nullptr);
        QCOMPARE(window.windowTitle(), title);
        QCOMPARE(window.coverageModel()->rowCount(), rows);
        window.findChild<QMessageBox*>("dlgError")->close();

        // A scan file gone from disk: its name in a dialog; the other scans still open.
        const ScanRecord gone = training[0], other = training[1];
        QVERIFY(QFile::remove(project + "/" + QString::fromStdString(gone.file)));
        errors.clear();
        window.openScan(other.id);  // something else first, so that the failing open is a change
        QVERIFY(waitForLoad(window));
        window.openScan(gone.id);
        QVERIFY(waitForLoad(window));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.at(0).at(0).toString().contains(QString::fromStdString(gone.file)), qPrintable(errors.at(0).at(0).toString()));
        QCOMPARE(window.currentScanId(), other.id);  // the shown scan stays
        window.openScan(training[2].id);
        QVERIFY(waitForLoad(window));
        QCOMPARE(window.currentScanId(), training[2].id);
        QCOMPARE(errors.count(), 1);
    }

    void aCandidateWithAnEmptyMaskCannotBeAcceptedAsItIs() {
        // The generalist found nothing: the panel says so, Accept is off, the A key gets an error
        // dialog naming the candidate and leaves it pending, the bulk preview leaves it out; R
        // rejects it.
        QTemporaryDir own;
        auto store = test::makePhantomProject(own.path().toStdString());
        const QString emptyProject = own.filePath("project");
        const ScanRecord scan = test::trainingScans(*store).front();
        const std::vector<int> organs = test::organsInState(*store, scan.id, "unknown");
        QVERIFY(!organs.empty());
        std::int64_t id = 0;
        {
            ProjectRounds rounds(*store, "tester");
            GeneralistIdentity generalist = test::handMadeCandidates();
            RoundInfo round = rounds.beginRound(RoundSettings(), generalist, false);
            ScanCandidates stored;
            stored.target = {scan.id, scan.name, {organs[0]}};
            stored.candidates = {boxCandidate(scan, organs[0], {4, 4, 4}, 0.0)};
            Mask& mask = stored.candidates[0].mask;
            std::fill(mask.data(), mask.data() + mask.voxelCount(), std::uint8_t(0));
            stored.candidates[0].scores.volumeMl = 0;
            stored.autoAccepted = {false};
            rounds.saveCandidates(round, generalist, stored);
            rounds.finishPrompting(round);
            id = rounds.candidates().front().id;
        }
        store.reset();
        auto window = activeWindowOn(emptyProject);
        QVERIFY(window);
        QCOMPARE(window->reviewPanel()->queue().current()->candidateId, id);
        const QString details = window->reviewPanel()->findChild<QTextEdit*>("txtReviewDetails")->toPlainText();
        QVERIFY2(details.contains("mask is empty"), qPrintable(details));
        const QTableWidget* queue = window->reviewPanel()->findChild<QTableWidget*>("tblReviewQueue");
        QCOMPARE(queue->item(0, 3)->text(), QString("empty"));  // the Dice column
        QVERIFY(!window->reviewPanel()->findChild<QPushButton*>("btnAccept")->isEnabled());
        QVERIFY(window->reviewPanel()->findChild<QPushButton*>("btnReject")->isEnabled());
        window->reviewPanel()->setBulkThreshold(0.0);
        QCOMPARE(window->reviewPanel()->findChild<QLabel*>("lblBulkPreview")->text(), QString("0 candidate(s)"));
        window->grab().save(screenshotPath("main_window_empty_candidate"));

        QSignalSpy errors(window.get(), &MainWindow::errorShown);
        QTest::keyClick(window.get(), Qt::Key_A);
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.at(0).at(0).toString().contains("candidate " + QString::number(id)),
                 qPrintable(errors.at(0).at(0).toString()));
        // Every error box closed (a closed one lingers until deleted), and the keys back at the window.
        const auto closeErrorBoxes = [&] {
            for (QMessageBox* box : window->findChildren<QMessageBox*>("dlgError")) box->close();
            QApplication::setActiveWindow(window.get());
            return QTest::qWaitFor([&] { return QApplication::activeWindow() == window.get(); }, 5000);
        };
        QTRY_VERIFY(window->findChild<QMessageBox*>("dlgError") != nullptr);
        QVERIFY(closeErrorBoxes());
        const std::string status = "SELECT status FROM candidates WHERE id = " + std::to_string(id);
        QCOMPARE(queryText(emptyProject, status), std::string("pending"));

        // E then Enter with nothing drawn: refused, saying what to do, and the edit stays open.
        QTest::keyClick(window.get(), Qt::Key_E);
        QVERIFY(window->editing());
        QCOMPARE(window->editor()->voxelCount(), std::size_t(0));
        QTest::keyClick(window.get(), Qt::Key_Return);
        QCOMPARE(errors.count(), 2);
        QVERIFY2(errors.at(1).at(0).toString().contains("mask is empty") &&
                     errors.at(1).at(0).toString().contains("draw the organ"),
                 qPrintable(errors.at(1).at(0).toString()));
        QVERIFY(window->editing());
        QTRY_VERIFY(window->findChild<QMessageBox*>("dlgError") != nullptr);
        QVERIFY(closeErrorBoxes());
        QCOMPARE(queryText(emptyProject, status), std::string("pending"));
        // One voxel drawn (a 3 mm brush in 6 mm voxels), then Enter: accepted as edited, 1 voxel.
        window->editor()->brush().radiusMm = 3.0;
        window->cursor()->setPosition({5, 5, 5});
        QTest::qWait(50);
        SliceView* axial = window->sliceView(SliceOrientation::Axial);
        QPoint pixel(-1, -1);
        for (int y = 0; y < axial->height() && pixel.x() < 0; y += 2)
            for (int x = 0; x < axial->width() && pixel.x() < 0; x += 2)
                if (axial->voxelAt(QPointF(x, y)) == std::optional<Index3>(Index3{5, 5, 5})) pixel = QPoint(x, y);
        QVERIFY(pixel.x() >= 0);
        QTest::mouseClick(axial, Qt::LeftButton, {}, pixel);
        QCOMPARE(window->editor()->voxelCount(), std::size_t(1));
        QTest::keyClick(window.get(), Qt::Key_Return);
        QVERIFY(!window->editing());
        QCOMPARE(queryText(emptyProject, status), std::string("accepted"));
        QCOMPARE(queryText(emptyProject, "SELECT voxel_count FROM label_versions WHERE candidate_id = " +
                                             std::to_string(id)),
                 std::string("1"));
    }
};

int main(int argc, char** argv) {
    VtkOpenGLWidget::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setOrganizationName("IPnP-tests");
    QApplication::setApplicationName("MainWindowTest");
    MainWindowTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "MainWindowTest.moc"
