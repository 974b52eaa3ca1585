#pragma once
// The evaluation's results for a person (DESIGN.md's evaluation, as `ipnp eval` reports it): the
// headline table (mean test Dice and HD95 per model: baseline, each round's model, reference) with
// the gap recovery, a chart of test Dice per model (the mean and each organ), Dice per organ, and
// the pseudo-labels' quality per round. Shows a finished report; computes nothing.
#include <QDialog>

#include "ProjectEvaluation.h"

class QLabel;
class QTableWidget;

namespace ipnp {

class EvaluationDialog : public QDialog {
    Q_OBJECT
public:
    // `reportFolder`: where the report files were written (named in the dialog), or empty.
    EvaluationDialog(const EvaluationReport& report, const QString& reportFolder, QWidget* parent = nullptr);

    // The headline as shown: "N test scans ...; gap recovery X" (tests).
    QString summary() const;

private:
    QLabel* summary_;
};

}  // namespace ipnp
