#include "EvaluationDialog.h"

#include <QColor>
#include <QDialogButtonBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QPen>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

namespace ipnp {

namespace {

QString number(double value, int decimals = 3) { return QString::number(value, 'f', decimals); }
QString number(const std::optional<double>& value, int decimals = 3) {
    return value ? number(*value, decimals) : QString("–");
}

QTableWidget* table(const QString& objectName, const QStringList& headers, int rows) {
    auto* t = new QTableWidget(rows, int(headers.size()));
    t->setObjectName(objectName);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return t;
}

void put(QTableWidget* t, int row, int column, const QString& text) {
    auto* item = new QTableWidgetItem(text);
    if (column > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    t->setItem(row, column, item);
}

// Test Dice per model: the mean (thick) and every organ, the models along x in their order.
QChartView* diceChart(const EvaluationReport& report) {
    auto* chart = new QChart;
    chart->setTitle("Test Dice per model: baseline → IPnP rounds → reference");
    chart->legend()->setAlignment(Qt::AlignRight);
    auto* x = new QBarCategoryAxis;
    for (const ModelScores& model : report.models) x->append(QString::fromStdString(model.label));
    auto* y = new QValueAxis;
    y->setRange(0, 1);
    y->setTitleText("Dice");
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    // Qt Charts' default theme repeats its five colours; nine organs need as many that differ
    // (Tableau's ten, as matplotlib's default cycle).
    static const QColor kOrganColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    int organSeries = 0;
    auto addSeries = [&](const QString& name, const std::vector<std::optional<double>>& values, bool thick) {
        auto* series = new QLineSeries;
        series->setName(name);
        for (std::size_t n = 0; n < values.size(); ++n)
            if (values[n]) series->append(double(n), *values[n]);
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        if (thick) series->setPen(QPen(Qt::black, 3));  // the mean stands apart from the organs
        else series->setPen(QPen(kOrganColours[organSeries++ % 10], 2));
    };
    std::vector<std::optional<double>> mean;
    for (const ModelScores& model : report.models) mean.push_back(model.meanDice);
    addSeries("mean", mean, true);
    if (!report.models.empty())
        for (const OrganScores& organ : report.models.front().organs) {
            std::vector<std::optional<double>> values;
            for (const ModelScores& model : report.models) {
                std::optional<double> value;
                for (const OrganScores& o : model.organs)
                    if (o.organ == organ.organ) value = o.meanDice;
                values.push_back(value);
            }
            addSeries(QString::fromStdString(organ.name), values, false);
        }
    auto* view = new QChartView(chart);
    view->setObjectName("chartTestDice");
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(300);
    return view;
}

}  // namespace

EvaluationDialog::EvaluationDialog(const EvaluationReport& report, const QString& reportFolder, QWidget* parent)
    : QDialog(parent) {
    setObjectName("dlgEvaluation");
    setWindowTitle("Evaluation on the test split");
    auto* layout = new QVBoxLayout(this);
    QString headline = QString("%1 test scan(s) with full truth; predictions in %2.")
                           .arg(report.testScans).arg(report.bf16 ? "bf16" : "float32");
    if (report.gapRecovery)
        headline += QString(" Gap recovery (IPnP − baseline) / (reference − baseline): <b>%1</b>")
                        .arg(number(*report.gapRecovery, 2));
    else
        headline += " " + QString::fromStdString(whyNoGapRecovery(report)).replace(0, 1, "N") + ".";
    summary_ = new QLabel(headline);
    summary_->setObjectName("lblEvaluationSummary");
    summary_->setWordWrap(true);
    layout->addWidget(summary_);

    auto* headlineTable = table("tblHeadline", {"Model", "Mean test Dice", "Mean HD95 (mm)"}, int(report.models.size()));
    for (int row = 0; row < int(report.models.size()); ++row) {
        const ModelScores& model = report.models[std::size_t(row)];
        put(headlineTable, row, 0, QString::fromStdString(model.label));
        put(headlineTable, row, 1, number(model.meanDice));
        put(headlineTable, row, 2, number(model.meanHd95, 1));
    }
    headlineTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    headlineTable->setMaximumHeight(headlineTable->verticalHeader()->length() +
                                    headlineTable->horizontalHeader()->height() + 4);
    layout->addWidget(headlineTable);

    auto* tabs = new QTabWidget;
    tabs->addTab(diceChart(report), "Test Dice");
    QStringList organHeaders{"Organ"};
    for (const ModelScores& model : report.models) organHeaders << QString::fromStdString(model.label);
    const std::size_t organs = report.models.empty() ? 0 : report.models.front().organs.size();
    auto* organTable = table("tblOrganDice", organHeaders, int(organs));
    for (std::size_t row = 0; row < organs; ++row) {
        put(organTable, int(row), 0, QString::fromStdString(report.models.front().organs[row].name));
        for (std::size_t m = 0; m < report.models.size(); ++m)
            for (const OrganScores& organ : report.models[m].organs)
                if (organ.organ == report.models.front().organs[row].organ)
                    put(organTable, int(row), int(m) + 1,
                        number(organ.meanDice) + " / " + number(organ.meanHd95, 1) + " mm");
    }
    tabs->addTab(organTable, "Dice / HD95 per organ");
    auto* pseudoTable = table("tblPseudoLabels",
                              {"Round", "Candidates", "Accepted", "Rejected", "Pending", "Superseded", "Absent",
                               "Mean Dice (all)", "Mean Dice (accepted)"},
                              int(report.pseudoLabels.size()));
    for (int row = 0; row < int(report.pseudoLabels.size()); ++row) {
        const PseudoLabelRound& r = report.pseudoLabels[std::size_t(row)];
        const QStringList cells{QString::number(r.round),      QString::number(r.candidates),
                                QString::number(r.accepted),   QString::number(r.rejected),
                                QString::number(r.pending),    QString::number(r.superseded),
                                QString::number(r.absent),     number(r.meanDice),
                                number(r.meanDiceAccepted)};
        for (int column = 0; column < int(cells.size()); ++column) put(pseudoTable, row, column, cells[column]);
    }
    tabs->addTab(pseudoTable, "Pseudo-labels against the hidden truth");
    layout->addWidget(tabs, 1);

    if (!reportFolder.isEmpty()) {
        auto* files = new QLabel(QString("Report files (JSON, Markdown, PNG plots, as <tt>ipnp eval</tt> writes "
                                         "them): %1/evaluation.md")
                                     .arg(QDir(reportFolder).absolutePath().toHtmlEscaped()));
        files->setObjectName("lblReportFiles");
        files->setTextInteractionFlags(Qt::TextSelectableByMouse);
        files->setWordWrap(true);
        layout->addWidget(files);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(900, 650);
}

QString EvaluationDialog::summary() const { return summary_->text(); }

}  // namespace ipnp
