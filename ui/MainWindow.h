#pragma once
// IPnP Studio's main window: the project browser (scans and the coverage matrix) on the left, the
// four views in the middle, the review and display panels on the right, hover information in the
// status bar. Scans load on a worker thread; the window never waits for one.
#include <QFutureWatcher>
#include <QMainWindow>
#include <QPointer>
#include <memory>
#include <optional>

#include "ProjectStore.h"
#include "ScanDisplayData.h"
#include "RoundRunner.h"
#include "SliceCursor.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTableWidget;

namespace ipnp {

class CoverageFilterModel;
class CoverageTableModel;
class DisplayPanel;
class ReviewPanel;
class ScanScene;
class SliceView;
class EditPanel;
class MaskEditor;
class TimeLapseBar;
class TrainingDashboard;
class ViewLayout;
class VolumeView3d;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `factories` make the specialist and generalist of rounds run from the dashboard (the app
    // wires LibTorch's; without them the dashboard cannot start rounds).
    explicit MainWindow(RoundFactories factories = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a project folder; on failure shows the error in a dialog and keeps what was open.
    bool openProject(const QString& folder);
    // Loads a scan in the background; `focusOrgan` puts the crosshair on that organ once loaded.
    void openScan(std::int64_t scanId, int focusOrgan = 0);

    std::int64_t currentScanId() const { return currentScanId_; }
    // True from a load's start until its result is shown (the watcher's own state turns false
    // before its finished signal arrives).
    bool loading() const { return loading_; }
    ScanScene* scene() const { return scene_; }
    SliceCursor* cursor() { return &cursor_; }
    SliceView* sliceView(SliceOrientation orientation) const;
    VolumeView3d* view3d() const { return view3d_; }
    ViewLayout* viewLayout() const { return viewLayout_; }
    ReviewPanel* reviewPanel() const { return review_; }
    CoverageTableModel* coverageModel() const { return coverageModel_; }
    CoverageFilterModel* coverageFilter() const { return coverageFilter_; }
    QTableView* coverageView() const { return coverageView_; }
    QTableWidget* scanTable() const { return scanTable_; }
    TrainingDashboard* dashboard() const { return dashboard_; }
    RoundRunner* roundRunner() const { return runner_; }
    // File › Import DICOM folder: the series found, chosen, imported into the open project.
    // Returns the dialog (open, non-modal) or nullptr without a project.
    class DicomImportDialog* importDicomFolder(const QString& folder);
    // File › Import RT Structure Set or SEG: the dialog (open, non-modal) for the file, or nullptr
    // without a project or for a file that is neither (an error dialog names it).
    class StructureImportDialog* importStructureFile(const QString& file);
    // File › Export labels as DICOM SEG / RTSTRUCT for the shown scan, de-identified; asks for the
    // file when `path` is empty. Returns the file written, or empty (an error dialog says why).
    enum class DicomExportKind { Seg, RtStruct };
    // File › PACS: the dialog (open, non-modal), or nullptr without a project.
    class PacsDialog* openPacs();
    QString exportCurrentScanAsDicom(DicomExportKind kind, QString path = {});
    // Opens the settings dialog (modal); returns whether it was accepted.
    bool editSettings();
    // Review › Evaluate on the test split (the menu asks first): trains in the background what
    // the evaluation lacks (RoundRunner::startEvaluation), then shows the results in an
    // EvaluationDialog. False (an error dialog says why) without a project or while a run goes on.
    bool evaluate();
    // The dialog of the last evaluation (open, non-modal), or nullptr.
    class EvaluationDialog* evaluationDialog() const;
    TimeLapseBar* timeLapse() const { return timeLapse_; }

    // Editing the candidate under review (E): left-drag in a slice view paints or erases its mask;
    // Enter stores it as edited-then-accepted, Esc drops the edit. False when no candidate of the
    // shown scan is under review. The open edit is kept on disk stroke by stroke (EditJournal):
    // after a crash, or the window closed mid-edit, E on the same candidate brings it back.
    bool startEdit();
    // Returns false (the edit stays open, nothing lost) when storing the edited mask failed.
    bool finishEdit(bool accept);
    void undoEdit();
    void redoEdit();
    bool editing() const { return editor_ != nullptr; }
    MaskEditor* editor() const { return editor_.get(); }
    EditPanel* editPanel() const { return editPanel_; }
    // Shows the open scan's labels after `round` (0: before any round; -1: now).
    void showLabelsAfterRound(int round);
    // Saves the axial view after every round (0, 1, ..., now) as PNG frames in `folder`; returns the
    // files written. Throws nothing: errors go to a dialog and the list stops where they happened.
    QStringList exportTimeLapse(const QString& folder);
    // A dialog with the message (not modal: the window goes on), and errorShown.
    void showError(const QString& message);

Q_SIGNALS:
    void scanLoaded(qint64 scanId);
    // Every error the window shows in a dialog (tests and logs listen).
    void errorShown(const QString& message);

private:
    struct LoadRequest {
        std::int64_t scanId = 0;
        bool withImage = true;  // false: the scan is shown already, only its labels changed
        int focusOrgan = 0;
        std::optional<CandidateRecord> focusCandidate;
    };
    struct LoadResult {
        LoadRequest request;
        std::optional<ScanDisplayData> data;
        QString error;
    };
    void startLoad(LoadRequest request);
    void buildMenus();
    QWidget* buildBrowser();
    void refreshBrowser();
    void onScanLoaded();
    void closeEvent(QCloseEvent* event) override;
    void focusOn(int organ, const std::optional<CandidateRecord>& candidate);
    void showCandidate(const std::optional<CandidateRecord>& candidate);
    void onLabelsChangedElsewhere();  // a round or a decision: browser, queue and views refresh
    void leaveEdit();
    // The edit panel's counts; with wholeMask, the shown mask too (else a stroke redrew its boxes).
    void refreshEditDisplay(bool wholeMask = false);
    // Appends the box of every change since the last record to the open edit's journal.
    void journalEdit();
    // Says in the status bar which pending candidates have an edit left open on disk.
    void announceUnfinishedEdits();
    class EditBrush;

    std::unique_ptr<ProjectStore> store_;
    RoundFactories factories_;
    RoundRunner* runner_;
    TrainingDashboard* dashboard_;
    TimeLapseBar* timeLapse_;
    EditPanel* editPanel_;
    std::unique_ptr<MaskEditor> editor_;
    std::unique_ptr<class EditJournal> journal_;  // the open edit on disk
    QPointer<class EvaluationDialog> evaluationDialog_;
    std::unique_ptr<EditBrush> editBrush_;
    std::optional<CandidateRecord> reviewed_;  // the candidate under review
    std::optional<CandidateRecord> edited_;    // the candidate being edited
    ScanScene* scene_;
    SliceCursor cursor_;
    SliceView* views_[3];
    VolumeView3d* view3d_;
    ViewLayout* viewLayout_;
    ReviewPanel* review_;
    DisplayPanel* display_;
    CoverageTableModel* coverageModel_;
    CoverageFilterModel* coverageFilter_;
    QTableView* coverageView_;
    QTableWidget* scanTable_;
    QLineEdit* coverageNameFilter_;
    QComboBox* coverageStateFilter_;
    QLabel* hover_;
    // A shared pointer: the future keeps its result until the next load, and a copy of the scan in
    // there would double the memory an open scan takes; the slot moves the data out of it.
    QFutureWatcher<std::shared_ptr<LoadResult>> loadWatcher_;
    std::int64_t currentScanId_ = 0;
    bool loading_ = false;
    std::optional<LoadRequest> queued_;  // asked for while another load was running
};

}  // namespace ipnp
