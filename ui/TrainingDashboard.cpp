#include "TrainingDashboard.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTabWidget>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>
#include <map>

#include "ProjectStore.h"

namespace ipnp {

namespace {

QChartView* makeChartView(const QString& title) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(170);
    return view;
}

// Replaces the chart's series and axes: x from 1 to `rounds`, y from 0 to `yMax`.
void resetAxes(QChart* chart, double xMin, double xMax, double yMax, const QString& xTitle, const QString& yTitle) {
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    auto* x = new QValueAxis;
    x->setRange(xMin, xMax);
    x->setTitleText(xTitle);
    x->setLabelFormat("%d");
    x->setTickType(QValueAxis::TicksDynamic);
    // About eight ticks at a round step (1, 2 or 5 times a power of ten), never below 1.
    const double raw = std::max(1.0, (xMax - xMin) / 8);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw <= power ? power : raw <= 2 * power ? 2 * power : raw <= 5 * power ? 5 * power : 10 * power;
    x->setTickAnchor(0);
    x->setTickInterval(step);
    auto* y = new QValueAxis;
    y->setRange(0, yMax);
    y->setTitleText(yTitle);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries* series : chart->series()) {
        series->attachAxis(x);
        series->attachAxis(y);
    }
}

QLineSeries* addLine(QChart* chart, const QString& name, const std::vector<QPointF>& points) {
    auto* series = new QLineSeries;
    series->setName(name);
    series->setPointsVisible(true);
    for (const QPointF& p : points) series->append(p);
    chart->addSeries(series);
    return series;
}

}  // namespace

TrainingDashboard::TrainingDashboard(RoundRunner* runner, std::function<RoundRunRequest()> makeRequest, QWidget* parent)
    : QWidget(parent), runner_(runner), makeRequest_(std::move(makeRequest)) {
    setObjectName("panelDashboard");
    auto* layout = new QHBoxLayout(this);
    auto* controls = new QVBoxLayout;
    layout->addLayout(controls, 0);

    auto* runRow = new QHBoxLayout;
    runRow->addWidget(new QLabel("Rounds"));
    roundCount_ = new QSpinBox;
    roundCount_->setObjectName("inRounds");
    roundCount_->setRange(1, 20);
    roundCount_->setValue(1);
    runRow->addWidget(roundCount_);
    autoAccept_ = new QCheckBox("Auto-accept Dice ≥");
    autoAccept_->setObjectName("chkAutoAccept");
    autoAccept_->setToolTip("Unattended: accept candidates whose specialist-generalist Dice reaches this and whose "
                            "volume is plausible (DESIGN.md step 5)");
    runRow->addWidget(autoAccept_);
    autoAcceptDice_ = new QDoubleSpinBox;
    autoAcceptDice_->setObjectName("inAutoAcceptDice");
    autoAcceptDice_->setRange(0.0, 1.0);
    autoAcceptDice_->setSingleStep(0.05);
    autoAcceptDice_->setValue(0.8);
    runRow->addWidget(autoAcceptDice_);
    controls->addLayout(runRow);
    connect(autoAccept_, &QCheckBox::toggled, this, [this](bool on) { Q_EMIT autoAcceptEdited(on, autoAcceptDice()); });
    connect(autoAcceptDice_, &QDoubleSpinBox::valueChanged, this,
            [this](double dice) { Q_EMIT autoAcceptEdited(autoAccept(), dice); });

    auto* buttons = new QHBoxLayout;
    start_ = new QPushButton("Start");
    pause_ = new QPushButton("Pause");
    cancel_ = new QPushButton("Cancel");
    start_->setObjectName("btnStart");
    pause_->setObjectName("btnPause");
    cancel_->setObjectName("btnCancel");
    start_->setToolTip("Run the rounds (a paused round resumes from its last checkpoint)");
    pause_->setToolTip("Stop at the next iteration; Start resumes from the last checkpoint");
    cancel_->setToolTip("Stop and roll the unfinished round back");
    for (QPushButton* b : {start_, pause_, cancel_}) buttons->addWidget(b);
    controls->addLayout(buttons);
    connect(start_, &QPushButton::clicked, this, &TrainingDashboard::start);
    connect(pause_, &QPushButton::clicked, runner_, &RoundRunner::pause);
    connect(cancel_, &QPushButton::clicked, runner_, &RoundRunner::cancel);

    status_ = new QLabel("Idle");
    status_->setObjectName("lblRunStatus");
    status_->setWordWrap(true);
    controls->addWidget(status_);
    // A warning must outlast the log's scrolling (a training's plan lines follow it at once).
    warning_ = new QLabel;
    warning_->setObjectName("lblRunWarning");
    warning_->setWordWrap(true);
    warning_->setStyleSheet("QLabel { background: #fff3cd; color: #664d03; border: 1px solid #e0b84c; padding: 4px; }");
    warning_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);  // never clipped: the log gives way
    warning_->hide();
    controls->addWidget(warning_);
    auto bar = [&](const char* name, const QString& label) {
        controls->addWidget(new QLabel(label));
        auto* b = new QProgressBar;
        b->setObjectName(name);
        b->setRange(0, 1);
        b->setValue(0);
        b->setTextVisible(true);
        b->setFormat("");
        controls->addWidget(b);
        return b;
    };
    training_ = bar("barTraining", "Training");
    scans_ = bar("barScans", "Specialist and prompts (scans)");
    organs_ = bar("barOrgans", "Generalist (organs of the scan)");
    log_ = new QPlainTextEdit;
    log_->setObjectName("txtLog");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    controls->addWidget(log_, 1);

    auto* charts = new QTabWidget;
    charts->setObjectName("tabsCharts");
    lossView_ = makeChartView("Training loss");
    loss_ = new QLineSeries;
    loss_->setName("loss");
    lossView_->chart()->addSeries(loss_);
    lossView_->chart()->legend()->hide();
    resetAxes(lossView_->chart(), 0, 1, 1, "iteration", "loss");
    roundsView_ = makeChartView("Per round");
    organsView_ = makeChartView("Pseudo-label Dice against the hidden truth, per organ");
    charts->addTab(lossView_, "Loss");
    charts->addTab(roundsView_, "Rounds");
    charts->addTab(organsView_, "Organs");
    layout->addWidget(charts, 1);

    stepDisplay_ = new QTimer(this);
    stepDisplay_->setSingleShot(true);
    stepDisplay_->setInterval(200);
    connect(stepDisplay_, &QTimer::timeout, this, &TrainingDashboard::showLatestStep);
    connect(runner_, &RoundRunner::roundStarted, this, [this](int round, bool trains) {
        flushSteps();
        status_->setText(QString("%1: %2").arg(trainingName(round), trains ? "training" : "trained already"));
        scans_->setRange(0, 1);
        scans_->setValue(0);
        scans_->setFormat("");
        organs_->setRange(0, 1);
        organs_->setValue(0);
        organs_->setFormat("");
    });
    connect(runner_, &RoundRunner::trainingStep, this, &TrainingDashboard::onTrainingStep);
    connect(runner_, &RoundRunner::scanProgress, this, [this](int done, int total, const QString& what) {
        flushSteps();
        status_->setText(what);
        scans_->setRange(0, std::max(1, total));
        scans_->setValue(done);
        scans_->setFormat(QString("scan %1/%2").arg(done).arg(total));
    });
    connect(runner_, &RoundRunner::organProgress, this, [this](int done, int total, const QString&) {
        organs_->setRange(0, std::max(1, total));
        organs_->setValue(done);
        organs_->setFormat(QString("organ %1/%2").arg(done).arg(total));
    });
    connect(runner_, &RoundRunner::logLine, this, &TrainingDashboard::appendLog);
    connect(runner_, &RoundRunner::warning, this, [this](const QString& text) {
        appendLog("warning: " + text);
        warning_->setText("Warning: " + text);
        warning_->show();
    });
    connect(runner_, &RoundRunner::roundFinished, this, [this](int round) {
        refreshRoundCharts();
        Q_EMIT roundFinished(round);
    });
    connect(runner_, &RoundRunner::stopped, this, [this](const QString& outcome) {
        flushSteps();
        setRunning(false);
        evaluating_ = false;
        status_->setText(outcome == "paused" ? "Paused: Start resumes the round from its last checkpoint"
                                             : outcome.left(1).toUpper() + outcome.mid(1));
        appendLog("run " + outcome);
        refreshRoundCharts();
        Q_EMIT runStopped(outcome);
    });
    connect(&chartsWatcher_, &QFutureWatcher<std::vector<PseudoLabelRound>>::finished, this, &TrainingDashboard::onChartsReady);
    setRunning(false);
}

void TrainingDashboard::setRunning(bool running) {
    start_->setEnabled(!running && !projectFolder_.isEmpty());
    pause_->setEnabled(running);
    cancel_->setEnabled(running);
    roundCount_->setEnabled(!running);
    autoAccept_->setEnabled(!running);
    autoAcceptDice_->setEnabled(!running);
}

void TrainingDashboard::setProjectFolder(const QString& folder) {
    projectFolder_ = folder;
    setRunning(runner_->running());
    refreshRoundCharts();
}

void TrainingDashboard::setRounds(int rounds) { roundCount_->setValue(rounds); }
void TrainingDashboard::setAutoAccept(bool on, double minimumDice) {
    const QSignalBlocker checkBoxQuiet(autoAccept_), spinBoxQuiet(autoAcceptDice_);
    autoAccept_->setChecked(on);
    autoAcceptDice_->setValue(minimumDice);
}
int TrainingDashboard::rounds() const { return roundCount_->value(); }
bool TrainingDashboard::autoAccept() const { return autoAccept_->isChecked(); }
double TrainingDashboard::autoAcceptDice() const { return autoAcceptDice_->value(); }
QString TrainingDashboard::status() const { return status_->text(); }
QString TrainingDashboard::warning() const { return warning_->isHidden() ? QString() : warning_->text(); }
int TrainingDashboard::lossPoints() const { return int(loss_->count() + pendingLoss_.size()); }

void TrainingDashboard::start() {
    if (projectFolder_.isEmpty() || runner_->running()) return;
    RoundRunRequest request;
    try {
        request = makeRequest_();
        request.rounds = rounds();
        request.settings.autoAccept = autoAccept();
        request.settings.policy.minimumDice = autoAcceptDice();
        if (!runner_->start(request)) return;
    } catch (const std::exception& error) {
        failedToStart(error.what());
        return;
    }
    setRunning(true);
    warning_->hide();
    status_->setText("Starting…");
    appendLog(QString("run of %1 round(s) started%2").arg(request.rounds)
                  .arg(request.settings.autoAccept ? QString(", auto-accept at Dice %1").arg(autoAcceptDice()) : ""));
}

void TrainingDashboard::failedToStart(const std::string& why) {
    // As a run that failed at once: the status, the log, and runStopped (the window shows why).
    const QString outcome = "failed: " + QString::fromStdString(why);
    warning_->hide();  // an earlier run's
    status_->setText(outcome.left(1).toUpper() + outcome.mid(1));
    appendLog("run " + outcome);
    Q_EMIT runStopped(outcome);
}

QString TrainingDashboard::trainingName(int round) const {
    if (round == 0) return "Reference";  // an evaluation's
    // An evaluation's closing training: the round's model, not a new round's work.
    return evaluating_ ? QString("Evaluation, round %1's model").arg(round) : QString("Round %1").arg(round);
}

bool TrainingDashboard::startEvaluation() {
    if (projectFolder_.isEmpty() || runner_->running()) return false;
    try {
        if (!runner_->startEvaluation(makeRequest_())) return false;
    } catch (const std::exception& error) {
        failedToStart(error.what());
        return false;
    }
    setRunning(true);
    evaluating_ = true;
    warning_->hide();
    status_->setText("Evaluating…");
    appendLog("evaluation started");
    return true;
}

void TrainingDashboard::onTrainingStep(int round, int iteration, int iterations, double loss, double secondsPerIteration) {
    if (round != lossRound_ || iteration == 1) {
        // A new training: a fresh curve.
        pendingLoss_.clear();
        lossRound_ = round;
        loss_->clear();
        lossMax_ = 0;
        lossView_->chart()->setTitle(QString("Training loss, %1").arg(trainingName(round).toLower()));
        resetAxes(lossView_->chart(), 0, iterations, 1, "iteration", "loss");
    }
    // A resumed training repeats the iterations after its last checkpoint: they replace the old points.
    while (!pendingLoss_.empty() && pendingLoss_.back().x() >= iteration) pendingLoss_.pop_back();
    if (pendingLoss_.empty())
        while (loss_->count() > 0 && loss_->at(loss_->count() - 1).x() >= iteration) loss_->remove(loss_->count() - 1);
    pendingLoss_.emplace_back(iteration, loss);
    latestStep_ = {round, iteration, iterations, loss, secondsPerIteration};
    // Drawn five times a second, not at every iteration: repainting the chart and the bars at each
    // of a training's 6-8 iterations a second took CPU from the training itself (measured on 2
    // cores, a round of 300 iterations from the app, three interleaved pairs: training 43.0 s
    // drawn this way against 47.1 s drawn at every step; `ipnp round` 31-34 s).
    if (!stepDisplay_->isActive()) stepDisplay_->start();
}

void TrainingDashboard::flushSteps() {
    stepDisplay_->stop();
    showLatestStep();
}

void TrainingDashboard::showLatestStep() {
    if (!pendingLoss_.empty()) {
        QList<QPointF> points(pendingLoss_.begin(), pendingLoss_.end());
        for (const QPointF& point : points) lossMax_ = std::max(lossMax_, point.y());
        loss_->append(points);
        pendingLoss_.clear();
        lossView_->chart()->axes(Qt::Vertical).first()->setRange(0, std::max(lossMax_, 1e-9) * 1.05);
    }
    if (latestStep_.iterations == 0) return;
    const StepShown& step = latestStep_;
    training_->setRange(0, step.iterations);
    training_->setValue(step.iteration);
    const int eta = int(std::lround(step.secondsPerIteration * (step.iterations - step.iteration)));
    training_->setFormat(QString("%1: iteration %2/%3 — ETA %4")
                             .arg(trainingName(step.round).toLower()).arg(step.iteration).arg(step.iterations)
                             .arg(QTime(0, 0).addSecs(eta).toString(eta >= 3600 ? "h:mm:ss" : "m:ss")));
    status_->setText(QString("%1: training (loss %2)").arg(trainingName(step.round)).arg(step.loss, 0, 'f', 3));
    latestStep_ = {};
}

void TrainingDashboard::appendLog(const QString& text) {
    log_->appendPlainText(QString("%1  %2").arg(QTime::currentTime().toString("HH:mm:ss"), text));
}

void TrainingDashboard::refreshRoundCharts() {
    if (projectFolder_.isEmpty()) return;
    if (chartsRefreshing_) {
        chartsStale_ = true;  // refresh once more when this one is done
        return;
    }
    chartsRefreshing_ = true;
    const std::string folder = projectFolder_.toStdString();
    // Scoring against the truth reads every candidate's mask: a worker thread, its own connection.
    chartsWatcher_.setFuture(QtConcurrent::run([folder] {
        try {
            const auto store = ProjectStore::open(folder);
            return pseudoLabelQuality(*store);
        } catch (const std::exception&) {
            return std::vector<PseudoLabelRound>{};
        }
    }));
}

void TrainingDashboard::onChartsReady() {
    chartsRefreshing_ = false;
    rounds_ = chartsWatcher_.result();
    if (chartsStale_) {
        chartsStale_ = false;
        refreshRoundCharts();
    }
    QChart* chart = roundsView_->chart();
    chart->removeAllSeries();
    std::vector<QPointF> accepted, rejected, pending, superseded, agreement, truth;
    double maxCount = 1;
    bool anyTruth = false;
    for (const PseudoLabelRound& r : rounds_) {
        accepted.emplace_back(r.round, double(r.accepted));
        rejected.emplace_back(r.round, double(r.rejected));
        pending.emplace_back(r.round, double(r.pending));
        superseded.emplace_back(r.round, double(r.superseded));
        maxCount = std::max({maxCount, double(r.accepted), double(r.rejected), double(r.pending), double(r.superseded)});
        if (r.meanAgreement) agreement.emplace_back(r.round, *r.meanAgreement);
        if (r.meanDice) truth.emplace_back(r.round, *r.meanDice), anyTruth = true;
    }
    addLine(chart, "accepted", accepted);
    addLine(chart, "rejected", rejected);
    addLine(chart, "pending", pending);
    addLine(chart, "replaced by a later round", superseded);
    const double lastRound = rounds_.empty() ? 1 : std::max(1, rounds_.back().round);
    const double firstRound = rounds_.empty() ? 0 : std::min(1, rounds_.front().round);
    resetAxes(chart, firstRound, lastRound, maxCount * 1.05, "round", "candidates");
    // Dice on its own axis at the right (0..1), dashed, next to the counts.
    auto* diceAxis = new QValueAxis;
    diceAxis->setRange(0, 1);
    diceAxis->setTitleText("Dice");
    chart->addAxis(diceAxis, Qt::AlignRight);
    const auto addDice = [&](const QString& name, const std::vector<QPointF>& points) {
        QLineSeries* series = addLine(chart, name, points);
        QPen pen = series->pen();
        pen.setStyle(Qt::DashLine);
        pen.setWidth(2);
        series->setPen(pen);
        series->attachAxis(chart->axes(Qt::Horizontal).first());
        series->attachAxis(diceAxis);
    };
    addDice("agreement (Dice)", agreement);
    if (anyTruth) addDice("Dice vs truth", truth);
    chart->setTitle(rounds_.empty() ? "Per round (no round has reached review yet)" : "Per round");

    QChart* organs = organsView_->chart();
    organs->removeAllSeries();
    std::map<std::string, std::vector<QPointF>> perOrgan;
    for (const PseudoLabelRound& r : rounds_)
        for (const auto& [organ, dice] : r.organDice) perOrgan[organ].emplace_back(r.round, dice);
    for (const auto& [organ, points] : perOrgan) addLine(organs, QString::fromStdString(organ), points);
    resetAxes(organs, firstRound, lastRound, 1.0, "round", "Dice");
    organs->setTitle(perOrgan.empty() ? "Pseudo-label Dice per organ (the project has no hidden truth, or no round yet)"
                                      : "Pseudo-label Dice against the hidden truth, per organ");
}

}  // namespace ipnp
