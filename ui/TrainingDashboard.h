#pragma once
// The training dashboard: start / pause / cancel rounds, a progress bar per stage (training
// iterations with ETA, scans through specialist and prompts, organs through the generalist), the
// live loss curve, per-round charts (decisions, specialist-generalist agreement, and the
// pseudo-labels' Dice against a hidden truth when the project has one), and a log pane.
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QPointF>
#include <QWidget>
#include <functional>
#include <vector>

#include "ProjectEvaluation.h"
#include "RoundRunner.h"

class QCheckBox;
class QChartView;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTimer;

namespace ipnp {

class TrainingDashboard : public QWidget {
    Q_OBJECT
public:
    // `makeRequest` supplies the project, user and settings of a new run when Start is pressed.
    TrainingDashboard(RoundRunner* runner, std::function<RoundRunRequest()> makeRequest, QWidget* parent = nullptr);

    void setProjectFolder(const QString& folder);  // refreshes the per-round charts
    void setRounds(int rounds);
    void setAutoAccept(bool on, double minimumDice);  // no autoAcceptEdited
    int rounds() const;
    bool autoAccept() const;
    double autoAcceptDice() const;

    void start();
    // Starts RoundRunner::startEvaluation with the project's settings; false while a run goes on.
    bool startEvaluation();
    QString status() const;
    // The run's last warning (e.g. another training on this machine), shown above the log until
    // the next Start; empty when there is none.
    QString warning() const;
    int lossPoints() const;  // points on the live loss curve (tests)
    const std::vector<PseudoLabelRound>& roundCharts() const { return rounds_; }
    void refreshRoundCharts();
    bool refreshingCharts() const { return chartsRefreshing_; }

Q_SIGNALS:
    void roundFinished(int round);  // the project's labels changed: views and browser refresh
    // A person changed the auto-accept check box or threshold (not setAutoAccept): the project keeps it.
    void autoAcceptEdited(bool on, double minimumDice);
    void runStopped(const QString& outcome);

private:
    void setRunning(bool running);
    void failedToStart(const std::string& why);
    void onTrainingStep(int round, int iteration, int iterations, double loss, double secondsPerIteration);
    // Draws the steps received since the last time (the loss points, the bars, the status).
    void showLatestStep();
    void flushSteps();  // at once, before the status shows something else
    void onChartsReady();
    void appendLog(const QString& text);
    // What a RoundRunner training signal's round number names ("Round 2", "Reference", ...).
    QString trainingName(int round) const;

    RoundRunner* runner_;
    std::function<RoundRunRequest()> makeRequest_;
    QString projectFolder_;
    QSpinBox* roundCount_;
    QCheckBox* autoAccept_;
    QDoubleSpinBox* autoAcceptDice_;
    QPushButton *start_, *pause_, *cancel_;
    QLabel* status_;
    QLabel* warning_;
    QProgressBar *training_, *scans_, *organs_;
    QLineSeries* loss_;
    QChartView* lossView_;
    QChartView* roundsView_;
    QChartView* organsView_;
    QPlainTextEdit* log_;
    int lossRound_ = 0;
    double lossMax_ = 0;
    std::vector<QPointF> pendingLoss_;  // received, not drawn yet
    struct StepShown {
        int round = 0, iteration = 0, iterations = 0;  // iterations 0: nothing new
        double loss = 0, secondsPerIteration = 0;
    } latestStep_;
    QTimer* stepDisplay_;
    std::vector<PseudoLabelRound> rounds_;
    QFutureWatcher<std::vector<PseudoLabelRound>> chartsWatcher_;
    bool chartsRefreshing_ = false;
    bool chartsStale_ = false;
    bool evaluating_ = false;  // the running run is an evaluation (startEvaluation)
};

}  // namespace ipnp
