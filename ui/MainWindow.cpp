#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QPainter>
#include <QToolBar>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <map>

#include "CoverageTableModel.h"
#include "DicomExport.h"
#include "DicomImportDialog.h"
#include "PacsDialog.h"
#include "StructureImportDialog.h"
#include "DisplayPanel.h"
#include "EditJournal.h"
#include "EditPanel.h"
#include "EvaluationDialog.h"
#include "ImageFile.h"
#include "LabelMaskOps.h"
#include "MaskEditor.h"
#include "ReviewPanel.h"
#include "ProjectSettings.h"
#include "ScanScene.h"
#include "SettingsDialog.h"
#include "SliceView.h"
#include "RoundTimeLapse.h"
#include "TimeLapseBar.h"
#include "TrainingDashboard.h"
#include "ViewLayout.h"
#include "VolumeView3d.h"

namespace ipnp {

namespace {

std::string currentUser() {
    const QByteArray user = qgetenv("USER");
    return user.isEmpty() ? std::string("studio") : user.toStdString();
}

// The voxel nearest the organ's centre of mass in `labels`, if the organ is there.
std::optional<Index3> centreOf(const LabelMap& labels, int organ) {
    double sum[3] = {0, 0, 0};
    std::size_t count = 0;
    const auto& size = labels.size();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i)
                if (labels.at(i, j, k) == organ) sum[0] += double(i), sum[1] += double(j), sum[2] += double(k), ++count;
    if (count == 0) return std::nullopt;
    return Index3{long(sum[0] / double(count) + 0.5), long(sum[1] / double(count) + 0.5), long(sum[2] / double(count) + 0.5)};
}

}  // namespace

// The brush as the slice views' paint tool: each drag position becomes dabs along the line from
// the previous one (a fast drag skips voxels), and the scene redraws only the boxes they touched.
class MainWindow::EditBrush : public SlicePaintTool {
public:
    EditBrush(MaskEditor& editor, ScanScene& scene, int organ, std::function<void()> strokeDone)
        : editor_(editor), scene_(scene), organ_(organ), strokeDone_(std::move(strokeDone)) {}
    void press(SliceOrientation orientation, const Index3& voxel) override {
        editor_.beginStroke(orientation);
        last_ = voxel;
        dabAt(voxel);
    }
    void drag(const Index3& voxel) override {
        if (!editor_.inStroke()) return;
        long steps = 0;
        for (std::size_t a = 0; a < 3; ++a) steps = std::max(steps, std::abs(voxel[a] - last_[a]));
        for (long n = 1; n <= steps; ++n) {
            Index3 at;
            for (std::size_t a = 0; a < 3; ++a)
                at[a] = last_[a] + long(std::lround(double(voxel[a] - last_[a]) * double(n) / double(steps)));
            dabAt(at);
        }
        last_ = voxel;
    }
    void release() override {
        editor_.endStroke();
        strokeDone_();
    }

private:
    void dabAt(const Index3& voxel) {
        const auto [first, end] = editor_.dab(voxel);
        scene_.updatePendingRegion(editor_.mask(), organ_, first, end);
    }
    MaskEditor& editor_;
    ScanScene& scene_;
    int organ_;
    std::function<void()> strokeDone_;
    Index3 last_{0, 0, 0};
};

MainWindow::MainWindow(RoundFactories factories, QWidget* parent) : QMainWindow(parent), factories_(std::move(factories)) {
    setObjectName("mainWindow");
    setWindowTitle("IPnP Studio");
    scene_ = new ScanScene(this);
    views_[0] = new SliceView(SliceOrientation::Axial, scene_, &cursor_);
    views_[1] = new SliceView(SliceOrientation::Sagittal, scene_, &cursor_);
    views_[2] = new SliceView(SliceOrientation::Coronal, scene_, &cursor_);
    view3d_ = new VolumeView3d(scene_);
    viewLayout_ = new ViewLayout(views_[0], views_[1], views_[2], view3d_);
    setCentralWidget(viewLayout_);
    hover_ = new QLabel;
    hover_->setObjectName("lblHover");
    statusBar()->addWidget(hover_, 1);
    for (SliceView* view : views_) {
        connect(view, &SliceView::maximizeRequested, this, [this, view] { viewLayout_->toggleMaximized(view); });
        connect(view, &SliceView::hovered, hover_, &QLabel::setText);
    }
    connect(view3d_, &VolumeView3d::maximizeRequested, this, [this] { viewLayout_->toggleMaximized(view3d_); });

    auto* browserDock = new QDockWidget("Project", this);
    browserDock->setObjectName("dockProject");
    browserDock->setWidget(buildBrowser());
    addDockWidget(Qt::LeftDockWidgetArea, browserDock);

    review_ = new ReviewPanel;
    editPanel_ = new EditPanel;
    auto* reviewArea = new QWidget;
    auto* reviewLayout = new QVBoxLayout(reviewArea);
    reviewLayout->setContentsMargins(0, 0, 0, 0);
    reviewLayout->addWidget(review_, 1);
    reviewLayout->addWidget(editPanel_);
    auto* reviewDock = new QDockWidget("Review", this);
    reviewDock->setObjectName("dockReview");
    reviewDock->setWidget(reviewArea);
    connect(editPanel_, &EditPanel::undoRequested, this, &MainWindow::undoEdit);
    connect(editPanel_, &EditPanel::redoRequested, this, &MainWindow::redoEdit);
    connect(editPanel_, &EditPanel::acceptRequested, this, [this] { finishEdit(true); });
    connect(editPanel_, &EditPanel::cancelRequested, this, [this] { finishEdit(false); });
    addDockWidget(Qt::RightDockWidgetArea, reviewDock);
    display_ = new DisplayPanel(scene_, view3d_);
    auto* displayDock = new QDockWidget("Display", this);
    displayDock->setObjectName("dockDisplay");
    displayDock->setWidget(display_);
    addDockWidget(Qt::RightDockWidgetArea, displayDock);
    tabifyDockWidget(reviewDock, displayDock);
    reviewDock->raise();

    runner_ = new RoundRunner(factories_, this);
    dashboard_ = new TrainingDashboard(runner_, [this] {
        RoundRunRequest request;
        request.projectFolder = store_ ? store_->folder() : std::string();
        request.user = currentUser();
        if (store_) {
            request.settings = roundSettingsFor(*store_);
            request.generalist = ProjectSettings(*store_).generalist();
        }
        return request;
    });
    auto* dashboardDock = new QDockWidget("Rounds", this);
    dashboardDock->setObjectName("dockRounds");
    dashboardDock->setWidget(dashboard_);
    addDockWidget(Qt::BottomDockWidgetArea, dashboardDock);
    resizeDocks({dashboardDock}, {230}, Qt::Vertical);  // the views keep most of the height
    connect(dashboard_, &TrainingDashboard::roundFinished, this, [this] { onLabelsChangedElsewhere(); });
    connect(runner_, &RoundRunner::evaluated, this, [this] {
        const auto report = runner_->lastEvaluation();
        if (!report) return;
        if (evaluationDialog_) evaluationDialog_->close();
        evaluationDialog_ =
            new EvaluationDialog(*report, QString::fromStdString(runner_->lastEvaluationFolder()), this);
        evaluationDialog_->setAttribute(Qt::WA_DeleteOnClose);
        evaluationDialog_->show();
    });
    connect(dashboard_, &TrainingDashboard::autoAcceptEdited, this, [this](bool on, double minimumDice) {
        if (!store_) return;
        try {
            ProjectSettings settings(*store_);
            settings.setRoundsAutoAccept(on);
            settings.setAutoAcceptDice(minimumDice);
        } catch (const std::exception& error) {
            showError(QString("The auto-accept setting was not saved: %1").arg(error.what()));
        }
    });
    connect(dashboard_, &TrainingDashboard::runStopped, this, [this](const QString& outcome) {
        onLabelsChangedElsewhere();
        // "run": the rounds' or an evaluation's.
        if (outcome.startsWith("failed")) showError(QString("The run stopped: %1").arg(outcome.mid(8)));
    });

    connect(review_, &ReviewPanel::currentChanged, this, &MainWindow::showCandidate);
    connect(review_, &ReviewPanel::failed, this, &MainWindow::showError);
    connect(review_, &ReviewPanel::decided, this, [this] {
        refreshBrowser();
        dashboard_->refreshRoundCharts();
        // The decided candidate's scan shows its new labels (unless another scan is loading now).
        if (currentScanId_ != 0 && !loading()) startLoad({currentScanId_, false, 0, std::nullopt});
    });
    connect(&loadWatcher_, &QFutureWatcher<std::shared_ptr<LoadResult>>::finished, this, &MainWindow::onScanLoaded);
    timeLapse_ = new TimeLapseBar;
    auto* timeLapseBar = addToolBar("Time-lapse");
    timeLapseBar->setObjectName("toolbarTimeLapse");
    timeLapseBar->addWidget(timeLapse_);
    connect(timeLapse_, &TimeLapseBar::roundChosen, this, &MainWindow::showLabelsAfterRound);
    connect(timeLapse_, &TimeLapseBar::exportRequested, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, "Folder for the time-lapse frames");
        if (!folder.isEmpty()) exportTimeLapse(folder);
    });
    buildMenus();
    resize(1500, 950);
    QSettings settings;
    restoreGeometry(settings.value("mainWindow/geometry").toByteArray());
}

MainWindow::~MainWindow() {
    runner_->pause();
    loadWatcher_.waitForFinished();
    // The views listen to cursor_, a member that dies before the child widgets would.
    delete viewLayout_;
}

QWidget* MainWindow::buildBrowser() {
    auto* tabs = new QTabWidget;
    tabs->setObjectName("tabsProject");

    scanTable_ = new QTableWidget(0, 8);
    scanTable_->setObjectName("tblScans");
    scanTable_->setHorizontalHeaderLabels({"Scan", "Modality", "Size", "Split", "Manual", "Accepted", "Pending", "Unknown"});
    scanTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    scanTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    scanTable_->verticalHeader()->hide();
    scanTable_->setSortingEnabled(true);
    scanTable_->sortByColumn(0, Qt::AscendingOrder);
    scanTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(scanTable_, &QTableWidget::cellDoubleClicked, this, [this](int row) {
        openScan(scanTable_->item(row, 0)->data(Qt::UserRole).toLongLong());
    });
    tabs->addTab(scanTable_, "Scans");

    auto* coverage = new QWidget;
    auto* layout = new QVBoxLayout(coverage);
    auto* filters = new QHBoxLayout;
    coverageNameFilter_ = new QLineEdit;
    coverageNameFilter_->setObjectName("inCoverageFilter");
    coverageNameFilter_->setPlaceholderText("Filter scans by name");
    coverageStateFilter_ = new QComboBox;
    coverageStateFilter_->setObjectName("inCoverageState");
    coverageStateFilter_->addItem("All scans");
    for (CoverageState state : kAllCoverageStates)
        coverageStateFilter_->addItem(QString("With %1").arg(CoverageTableModel::labelOf(state)), int(stateSlot(state)));
    filters->addWidget(coverageNameFilter_, 1);
    filters->addWidget(coverageStateFilter_);
    layout->addLayout(filters);

    coverageModel_ = new CoverageTableModel(this);
    coverageFilter_ = new CoverageFilterModel(this);
    coverageFilter_->setSourceModel(coverageModel_);
    coverageView_ = new QTableView;
    coverageView_->setObjectName("tblCoverage");
    coverageView_->setModel(coverageFilter_);
    coverageView_->setSortingEnabled(true);
    coverageView_->sortByColumn(-1, Qt::AscendingOrder);  // project order until a header is clicked
    coverageView_->horizontalHeader()->setDefaultSectionSize(36);
    coverageView_->horizontalHeader()->setMinimumSectionSize(20);
    coverageView_->verticalHeader()->setDefaultSectionSize(20);
    coverageView_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(coverageView_, 1);
    connect(coverageNameFilter_, &QLineEdit::textChanged, coverageFilter_, &CoverageFilterModel::setNameFilter);
    connect(coverageStateFilter_, &QComboBox::currentIndexChanged, this, [this](int index) {
        coverageFilter_->setStateFilter(index == 0 ? std::nullopt
                                                   : std::optional<CoverageState>(kAllCoverageStates[std::size_t(index - 1)]));
    });
    connect(coverageView_, &QTableView::doubleClicked, this, [this](const QModelIndex& proxyIndex) {
        const QModelIndex index = coverageFilter_->mapToSource(proxyIndex);
        if (index.isValid()) openScan(coverageModel_->scanIdOfRow(index.row()), coverageModel_->organIndexOfColumn(index.column()));
    });

    auto* legend = new QHBoxLayout;
    legend->setSpacing(8);
    for (CoverageState state : kAllCoverageStates) {
        auto* swatch = new QLabel(QString(" %1 ").arg(QChar(coverageStateSymbol(state) == '.' ? ' ' : coverageStateSymbol(state))));
        swatch->setStyleSheet(QString("background:%1; color:white; border-radius:2px;").arg(CoverageTableModel::colourOf(state).name()));
        legend->addWidget(swatch);
        legend->addWidget(new QLabel(CoverageTableModel::labelOf(state)));
    }
    legend->addStretch(1);
    layout->addLayout(legend);
    tabs->addTab(coverage, "Coverage");
    tabs->setMinimumWidth(380);
    return tabs;
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu("&File");
    QAction* open = file->addAction("&Open project…", this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, "Open an IPnP project folder");
        if (!folder.isEmpty()) openProject(folder);
    });
    open->setShortcut(QKeySequence::Open);
    file->addAction("&Import DICOM folder…", this, [this] {
        if (!store_) return showError("Open a project first (File › Open project).");
        const QString folder = QFileDialog::getExistingDirectory(this, "A folder of DICOM series");
        if (!folder.isEmpty()) importDicomFolder(folder);
    });
    file->addAction("Import RT &Structure Set or SEG…", this, [this] {
        if (!store_) return showError("Open a project first (File › Open project).");
        const QString path = QFileDialog::getOpenFileName(this, "An RT Structure Set or DICOM SEG file", {},
                                                          "DICOM files (*.dcm *.DCM *);;All files (*)");
        if (!path.isEmpty()) importStructureFile(path);
    });
    file->addAction("&PACS…", this, [this] { openPacs(); });
    file->addAction("&Export labels as DICOM SEG…", this, [this] { exportCurrentScanAsDicom(DicomExportKind::Seg); });
    file->addAction("Export labels as &RTSTRUCT…", this, [this] { exportCurrentScanAsDicom(DicomExportKind::RtStruct); });
    file->addAction("&Settings…", QKeySequence::Preferences, this, [this] { editSettings(); });
    file->addSeparator();
    file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu("&View");
    const std::pair<const char*, QWidget*> views[] = {
        {"Axial", views_[0]}, {"Sagittal", views_[1]}, {"Coronal", views_[2]}, {"3D", view3d_}};
    int key = Qt::Key_F5;
    for (const auto& [name, widget] : views) {
        QWidget* target = widget;
        view->addAction(QString("Maximise / restore %1").arg(name), QKeySequence(key++), this,
                        [this, target] { viewLayout_->toggleMaximized(target); });
    }

    // Single keys, as annotators expect; they do not fire while a text field has the focus, and the
    // review keys wait while a mask is being edited.
    QMenu* review = menuBar()->addMenu("&Review");
    const auto reviewKey = [this](void (ReviewPanel::*slot)()) {
        return [this, slot] {
            if (!editing()) (review_->*slot)();
        };
    };
    review->addAction("Accept", QKeySequence(Qt::Key_A), this, reviewKey(&ReviewPanel::acceptCurrent));
    review->addAction("Reject", QKeySequence(Qt::Key_R), this, reviewKey(&ReviewPanel::rejectCurrent));
    review->addAction("Next", QKeySequence(Qt::Key_N), this, reviewKey(&ReviewPanel::next));
    review->addAction("Previous", QKeySequence(Qt::Key_P), this, reviewKey(&ReviewPanel::previous));
    review->addSeparator();
    review->addAction("Edit the mask", QKeySequence(Qt::Key_E), this, [this] { startEdit(); });
    review->addAction("Undo stroke", QKeySequence::Undo, this, &MainWindow::undoEdit);
    review->addAction("Redo stroke", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), this, &MainWindow::redoEdit);
    review->addAction("Accept the edited mask", QKeySequence(Qt::Key_Return), this, [this] {
        if (editing()) finishEdit(true);
    });
    review->addAction("Cancel the edit", QKeySequence(Qt::Key_Escape), this, [this] {
        if (editing()) finishEdit(false);
    });

    review->addSeparator();
    review->addAction("E&valuate on the test split…", this, [this] {
        if (!store_) {
            showError("Open a project first (File › Open project).");
            return;
        }
        const auto answer = QMessageBox::question(
            this, "Evaluate on the test split",
            "The evaluation scores every model of the project on its test split (a project made with "
            "`ipnp simulate-partial`, as the demo's). First it trains, in the background and with the rounds' "
            "budget, the model the current labels give (unless the unfinished round is trained already) and the "
            "fully labeled reference (unless it exists): about two trainings' time. Start?");
        if (answer == QMessageBox::Yes) evaluate();
    });

    QMenu* help = menuBar()->addMenu("&Help");
    help->addAction("About IPnP Studio", this, [this] {
        QMessageBox::about(this, "IPnP Studio",
                           QString("IPnP Studio %1\nIteratively prompting and pseudo-labeling: recover the organs "
                                   "a partially labeled dataset lacks.").arg(QApplication::applicationVersion()));
    });
}

DicomImportDialog* MainWindow::importDicomFolder(const QString& folder) {
    if (!store_) return nullptr;
    auto* dialog = new DicomImportDialog(folder, QString::fromStdString(store_->folder()), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DicomImportDialog::failed, this, &MainWindow::showError);
    connect(dialog, &DicomImportDialog::imported, this, [this] { refreshBrowser(); });
    dialog->open();
    return dialog;
}

StructureImportDialog* MainWindow::importStructureFile(const QString& file) {
    if (!store_) return nullptr;
    StructureFileSummary summary;
    try {
        summary = summarizeStructureFile(*store_, file.toStdString());
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
        return nullptr;
    }
    auto* dialog = new StructureImportDialog(*store_, file, summary, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &StructureImportDialog::failed, this, &MainWindow::showError);
    connect(dialog, &StructureImportDialog::imported, this, [this](const QString& text) {
        statusBar()->showMessage(text.section('\n', 0, 0), 8000);
        refreshBrowser();
        if (currentScanId_ != 0) startLoad({currentScanId_, false, 0, std::nullopt});  // its new labels
    });
    dialog->open();
    return dialog;
}

QString MainWindow::exportCurrentScanAsDicom(DicomExportKind kind, QString path) {
    if (!store_ || currentScanId_ == 0) {
        showError("Open a scan first: its labels are what is exported.");
        return {};
    }
    const auto scan = store_->scanById(currentScanId_);
    if (!scan) return {};
    const bool seg = kind == DicomExportKind::Seg;
    if (path.isEmpty())
        path = QFileDialog::getSaveFileName(this, seg ? "Export as DICOM SEG" : "Export as RT Structure Set",
                                            QString::fromStdString(scan->name) + (seg ? "_seg.dcm" : "_rtstruct.dcm"),
                                            "DICOM files (*.dcm)");
    if (path.isEmpty()) return {};
    try {
        // De-identified: a file may go anywhere (the CLI's --identified is for the source PACS).
        const std::size_t organs = seg ? exportScanAsDicomSeg(*store_, scan->name, path.toStdString())
                                       : exportScanAsRtStruct(*store_, scan->name, path.toStdString());
        statusBar()->showMessage(QString("Wrote %1 organ(s) of %2, de-identified, to %3")
                                     .arg(organs).arg(QString::fromStdString(scan->name), path), 8000);
        return path;
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
        return {};
    }
}

PacsDialog* MainWindow::openPacs() {
    if (!store_) {
        showError("Open a project first (File › Open project).");
        return nullptr;
    }
    QString scanName;
    if (const auto scan = store_->scanById(currentScanId_)) scanName = QString::fromStdString(scan->name);
    auto* dialog = new PacsDialog(QString::fromStdString(store_->folder()), scanName, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PacsDialog::failed, this, &MainWindow::showError);
    connect(dialog, &PacsDialog::retrieved, this, [this] { refreshBrowser(); });
    dialog->open();
    return dialog;
}

bool MainWindow::evaluate() {
    if (!store_) {
        showError("Open a project first (File › Open project).");
        return false;
    }
    if (runner_->running()) {
        showError("A round is running: wait for it, or pause it, before evaluating.");
        return false;
    }
    return dashboard_->startEvaluation();  // a start that fails says why itself (runStopped)
}

EvaluationDialog* MainWindow::evaluationDialog() const { return evaluationDialog_; }

bool MainWindow::editSettings() {
    SettingsDialog dialog(store_.get(), factories_, this);
    connect(&dialog, &SettingsDialog::failed, this, &MainWindow::errorShown);
    return dialog.exec() == QDialog::Accepted;
}

void MainWindow::onLabelsChangedElsewhere() {
    // A slot of the round runner's signals: a database error here is this window's to show.
    try {
        refreshBrowser();
        review_->reload();
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
    }
    if (currentScanId_ != 0) startLoad({currentScanId_, false, 0, std::nullopt});
}

bool MainWindow::openProject(const QString& folder) {
    if (editing()) {
        showError("A mask is being edited: accept it (Enter) or cancel the edit (Esc) before opening another project.");
        return false;
    }
    if (runner_->running()) {
        showError("A round is running on the open project: pause or cancel it before opening another project.");
        return false;
    }
    std::unique_ptr<ProjectStore> store;
    try {
        store = ProjectStore::open(folder.toStdString());
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
        return false;
    }
    loadWatcher_.waitForFinished();
    QCoreApplication::sendPostedEvents(&loadWatcher_);  // its finished signal, before the old project goes
    queued_.reset();
    loading_ = false;
    currentScanId_ = 0;
    review_->setProject(nullptr, {});
    store_ = std::move(store);
    scene_->clear();
    scene_->setSchema(store_->schema());
    display_->refreshOrgans();
    refreshBrowser();
    setWindowTitle(QString("IPnP Studio — %1").arg(folder));
    QSettings().setValue("project/last", folder);
    dashboard_->setProjectFolder(QString::fromStdString(store_->folder()));
    {
        ProjectSettings settings(*store_);
        dashboard_->setAutoAccept(settings.roundsAutoAccept(), settings.autoAcceptDice());
    }
    review_->setProject(store_.get(), currentUser());  // shows the first pending candidate, if any
    if (currentScanId_ == 0 && !loading() && scanTable_->rowCount() > 0)
        openScan(scanTable_->item(0, 0)->data(Qt::UserRole).toLongLong());
    announceUnfinishedEdits();
    return true;
}

void MainWindow::announceUnfinishedEdits() {
    const std::map<std::int64_t, std::string> journals = EditJournal::journalsIn(store_->folder());
    if (journals.empty()) return;
    QStringList names;
    ProjectRounds rounds(*store_, currentUser());
    for (const auto& [id, journal] : journals) {
        const auto c = rounds.candidate(id);
        if (c && c->status == "pending")
            names << QString("%1 — %2").arg(QString::fromStdString(c->scanName), QString::fromStdString(c->organName));
        // Journals of candidates decided since (from the command line) can only go; a superseded
        // candidate's stays (a rollback makes it pending again).
        else if (!c || c->status == "accepted" || c->status == "rejected")
            EditJournal::discard(journal);
    }
    if (!names.isEmpty())
        statusBar()->showMessage(QString("Unfinished edit(s) kept from last time: %1 (review the candidate, press E "
                                         "to go on)")
                                     .arg(names.join(", ")));
}

void MainWindow::showLabelsAfterRound(int round) {
    if (!store_ || currentScanId_ == 0 || !scene_->hasScan()) return;
    if (round < 0) {
        startLoad({currentScanId_, false, 0, std::nullopt});  // now
        return;
    }
    try {
        LabelsAtRound frame = labelsAfterRound(*store_, store_->requireScan(currentScanId_), round);
        scene_->setLabels(std::move(frame.labels));
        scene_->setPendingLabels(std::move(frame.pending));
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
    }
}

QStringList MainWindow::exportTimeLapse(const QString& folder) {
    QStringList written;
    if (!store_ || currentScanId_ == 0) return written;
    QString scanName;
    if (const auto scan = store_->scanById(currentScanId_)) scanName = QString::fromStdString(scan->name);
    std::vector<int> stops{0};
    for (int round : timeLapse_->rounds()) stops.push_back(round);
    const int shown = timeLapse_->shownRound();
    // Frames of a fixed, presentation-friendly size, whatever the window's layout: a second axial
    // view of the same scene and crosshair, rendered without appearing on screen.
    SliceView axial(SliceOrientation::Axial, scene_, &cursor_);
    axial.setAttribute(Qt::WA_DontShowOnScreen);
    axial.resize(640, 640);
    axial.show();
    for (int round : stops) {
        showLabelsAfterRound(round);
        QImage frame = axial.grabFramebuffer();
        QPainter painter(&frame);
        painter.setPen(Qt::white);
        QFont font("Sans");
        font.setBold(true);
        font.setPixelSize(frame.height() / 26);
        painter.setFont(font);
        painter.drawText(frame.rect().adjusted(8, 6, -10, 0), Qt::AlignRight | Qt::AlignTop,
                         QString("%1 — %2").arg(scanName, round == 0 ? "before the rounds" : QString("after round %1").arg(round)));
        painter.end();
        const QString file = QDir(folder).filePath(QString("%1_round%2.png").arg(scanName).arg(round, 2, 10, QChar('0')));
        if (!frame.save(file)) {
            showError(QString("%1: cannot be written").arg(file));
            break;
        }
        written << file;
    }
    timeLapse_->showRound(shown);
    showLabelsAfterRound(shown);
    return written;
}

void MainWindow::refreshBrowser() {
    if (!store_) return;
    timeLapse_->setRounds(reviewedRounds(*store_));
    std::vector<ScanSummary> summaries;
    try {
        summaries = scanSummaries(*store_);
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
        return;
    }
    scanTable_->setSortingEnabled(false);
    scanTable_->setRowCount(int(summaries.size()));
    std::vector<std::int64_t> ids;
    for (std::size_t row = 0; row < summaries.size(); ++row) {
        const ScanSummary& s = summaries[row];
        ids.push_back(s.scan.id);
        const auto& size = s.scan.geometry.size;
        auto* name = new QTableWidgetItem(QString::fromStdString(s.scan.name));
        name->setData(Qt::UserRole, qlonglong(s.scan.id));
        name->setToolTip(QString::fromStdString(s.scan.geometry.summary()));
        scanTable_->setItem(int(row), 0, name);
        scanTable_->setItem(int(row), 1, new QTableWidgetItem(QString::fromStdString(s.scan.modality)));
        scanTable_->setItem(int(row), 2, new QTableWidgetItem(QString("%1×%2×%3").arg(size[0]).arg(size[1]).arg(size[2])));
        scanTable_->setItem(int(row), 3, new QTableWidgetItem(QString::fromStdString(s.scan.split)));
        const std::size_t counts[4] = {s.manual, s.accepted, s.pending, s.unknown};
        for (int c = 0; c < 4; ++c) {
            auto* item = new QTableWidgetItem;
            item->setData(Qt::DisplayRole, qulonglong(counts[c]));
            scanTable_->setItem(int(row), 4 + c, item);
        }
    }
    scanTable_->setSortingEnabled(true);
    ProjectStore* store = store_.get();
    coverageModel_->setMatrix(store_->coverageMatrix(), ids, [this, store, ids](int row, int column) {
        try {
            return QString::fromStdString(
                describeCoverageCell(*store, ids.at(std::size_t(row)), coverageModel_->organIndexOfColumn(column)));
        } catch (const std::exception& error) {
            return QString::fromStdString(error.what());
        }
    });
}

void MainWindow::openScan(std::int64_t scanId, int focusOrgan) {
    startLoad({scanId, scanId != currentScanId_ || !scene_->hasScan(), focusOrgan, std::nullopt});
}

void MainWindow::startLoad(LoadRequest request) {
    if (!store_) return;
    if (loading()) {
        queued_ = std::move(request);  // the latest wish wins
        return;
    }
    const std::string folder = store_->folder();
    loading_ = true;
    loadWatcher_.setFuture(QtConcurrent::run([folder, request] {
        auto result = std::make_shared<LoadResult>(LoadResult{request, std::nullopt, {}});
        try {
            result->data = loadScanForDisplay(folder, request.scanId, request.withImage);
        } catch (const std::exception& error) {
            result->error = QString::fromStdString(error.what());
        }
        return result;
    }));
}

void MainWindow::onScanLoaded() {
    loading_ = false;
    LoadResult result = std::move(*loadWatcher_.result());
    if (!result.error.isEmpty()) {
        showError(result.error);
    } else if (result.data) {
        ScanDisplayData& data = *result.data;
        if (result.request.withImage) {
            cursor_.setGeometry(data.scan.geometry);
            currentScanId_ = data.scan.id;
            scene_->setScan(std::move(data.image), data.scan.modality);
            setWindowTitle(QString("IPnP Studio — %1 — %2").arg(QString::fromStdString(store_->folder()),
                                                                 QString::fromStdString(data.scan.name)));
        }
        if (data.scan.id == currentScanId_ && timeLapse_->shownRound() >= 0) {
            showLabelsAfterRound(timeLapse_->shownRound());  // the slider shows a past round: keep showing it
            focusOn(result.request.focusOrgan, result.request.focusCandidate);
            Q_EMIT scanLoaded(qint64(currentScanId_));
        } else if (data.scan.id == currentScanId_) {
            scene_->setLabels(std::move(data.labels));
            scene_->setPendingLabels(std::move(data.pending));
            scene_->setDisagreement(std::move(data.disagreement));
            focusOn(result.request.focusOrgan, result.request.focusCandidate);
            Q_EMIT scanLoaded(qint64(currentScanId_));
        }
    }
    if (queued_) {
        LoadRequest next = std::move(*queued_);
        queued_.reset();
        next.withImage = next.scanId != currentScanId_ || !scene_->hasScan();
        startLoad(std::move(next));
    }
}

void MainWindow::focusOn(int organ, const std::optional<CandidateRecord>& candidate) {
    if (candidate && !candidate->absent) {
        const VoxelBox& b = candidate->box;
        cursor_.setPosition({(b[0] + b[3] - 1) / 2, (b[1] + b[4] - 1) / 2, (b[2] + b[5] - 1) / 2});
        return;
    }
    if (organ == 0) return;
    if (auto centre = centreOf(scene_->labels(), organ)) cursor_.setPosition(*centre);
}

bool MainWindow::startEdit() {
    if (editing() || !reviewed_ || reviewed_->scanId != currentScanId_ || loading() || !scene_->hasScan()) return false;
    const CandidateRecord& c = *reviewed_;
    Mask mask(scene_->geometry(), 0);
    try {
        if (!c.absent && !c.file.empty())
            pasteMask(mask, readLabelMap(store_->pathOf(c.file)), {c.box[0], c.box[1], c.box[2]}, 1);
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()));
        return false;
    }
    // An edit of this candidate left open (the app closed or died mid-edit) comes back.
    const std::string journalPath = EditJournal::pathFor(store_->folder(), c.id);
    const EditJournalKey journalKey{c.id, c.createdAt + " " + c.checkpointSha256};
    const std::size_t restored = EditJournal::replay(journalPath, journalKey, mask);
    edited_ = c;
    editor_ = std::make_unique<MaskEditor>(std::move(mask), std::size_t(MachineSettings::load().undoMemoryMb) << 20);
    if (restored > 0) {
        editor_->markRestored();
        statusBar()->showMessage("Restored the unfinished edit of this candidate, as it was kept on disk");
    }
    try {
        journal_ = std::make_unique<EditJournal>(journalPath, journalKey, editor_->mask());
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()) + "\nThe edit is not kept on disk until it is stored.");
    }
    // A brush a little wider than a voxel in the slice, at least 3 mm.
    const Vec3& spacing = scene_->geometry().spacing;
    editor_->brush().radiusMm = std::max(3.0, 1.5 * std::max(spacing[0], spacing[1]));
    editBrush_ = std::make_unique<EditBrush>(*editor_, *scene_, c.organIndex, [this] {
        journalEdit();
        refreshEditDisplay();
    });
    for (SliceView* view : views_) view->setPaintTool(editBrush_.get());
    review_->setEnabled(false);
    editPanel_->bind(&editor_->brush(), QString::fromStdString(c.scanName + " — " + c.organName));
    refreshEditDisplay(true);
    return true;
}

void MainWindow::refreshEditDisplay(bool wholeMask) {
    if (!editor_) return;
    if (wholeMask) {  // an edit starts, or undo/redo changed an unknown box
        const auto& size = scene_->geometry().size;
        scene_->updatePendingRegion(editor_->mask(), edited_->organIndex, {0, 0, 0},
                                    {long(size[0]), long(size[1]), long(size[2])});
    }
    editPanel_->setHistory(editor_->history().undoCount(), editor_->history().redoCount(), editor_->voxelCount());
}

void MainWindow::journalEdit() {
    if (!journal_ || !editor_ || !editor_->changedSinceMark()) return;
    try {
        // The box of every change since the last record (one stroke, undo or redo; two strokes
        // when one was ended by the next press without a release).
        const auto [first, end] = *editor_->changedSinceMark();
        journal_->append(editor_->mask(), first, end);
        editor_->markJournaled();
    } catch (const std::exception& error) {
        journal_.reset();  // one message, not one per stroke
        showError(QString::fromStdString(error.what()) + "\nThe edit is not kept on disk until it is stored.");
    }
}

void MainWindow::undoEdit() {
    if (!editor_ || !editor_->undo()) return;
    journalEdit();
    refreshEditDisplay(true);
}

void MainWindow::redoEdit() {
    if (!editor_ || !editor_->redo()) return;
    journalEdit();
    refreshEditDisplay(true);
}

bool MainWindow::finishEdit(bool accept) {
    if (!editor_) return false;
    if (accept && editor_->voxelCount() == 0) {
        // Said here, in the editor's terms (the store would refuse it too, naming a temporary file).
        showError(QString("Candidate %1: the mask is empty. To accept it, draw the organ first; or leave the edit "
                          "(Esc) and %2.")
                      .arg(edited_->id)
                      .arg(edited_->absent ? "accept it as absent (A) or reject it (R)" : "reject it (R)"));
        return false;  // the edit stays open
    }
    if (accept) {
        try {
            ProjectRounds rounds(*store_, currentUser());
            if (!editor_->changed() && !edited_->absent) {
                rounds.accept(edited_->id);
            } else {
                QTemporaryDir temporary;
                const std::string file = QDir(temporary.path()).filePath("edited.nii.gz").toStdString();
                writeVolume(editor_->mask(), file);
                rounds.acceptEdited(edited_->id, file);
            }
        } catch (const std::exception& error) {
            showError(QString::fromStdString(error.what()));
            return false;  // the edit stays open: nothing is lost
        }
    }
    leaveEdit();
    if (accept) {
        review_->reload();
        refreshBrowser();
        dashboard_->refreshRoundCharts();
    }
    if (currentScanId_ != 0) startLoad({currentScanId_, false, 0, std::nullopt});
    return true;
}

void MainWindow::leaveEdit() {
    // Stored or dropped on purpose: the journal has done its job.
    journal_.reset();
    if (edited_) EditJournal::discard(EditJournal::pathFor(store_->folder(), edited_->id));
    for (SliceView* view : views_) view->setPaintTool(nullptr);
    editPanel_->bind(nullptr, {});
    editBrush_.reset();
    editor_.reset();
    edited_.reset();
    review_->setEnabled(true);
}

void MainWindow::showCandidate(const std::optional<CandidateRecord>& candidate) {
    reviewed_ = candidate;
    if (!candidate) return;
    if (candidate->scanId == currentScanId_ && scene_->hasScan() && !loading()) {
        focusOn(0, candidate);
        return;
    }
    startLoad({candidate->scanId, true, 0, candidate});
}

void MainWindow::showError(const QString& message) {
    Q_EMIT errorShown(message);
    // Not exec(): the window keeps running (and tests can find and close the box).
    auto* box = new QMessageBox(QMessageBox::Critical, "IPnP Studio", message, QMessageBox::Ok, this);
    box->setObjectName("dlgError");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

SliceView* MainWindow::sliceView(SliceOrientation orientation) const {
    for (SliceView* view : views_)
        if (view->orientation() == orientation) return view;
    return nullptr;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings().setValue("mainWindow/geometry", saveGeometry());
    QMainWindow::closeEvent(event);
}

}  // namespace ipnp
