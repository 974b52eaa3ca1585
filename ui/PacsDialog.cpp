#include "PacsDialog.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "PacsTransfer.h"
#include "ProjectStore.h"

namespace ipnp {

namespace {

QTableWidget* table(const QStringList& headers) {
    auto* t = new QTableWidget(0, int(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

void fill(QTableWidget* t, int row, const QStringList& values) {
    for (int column = 0; column < values.size(); ++column) t->setItem(row, column, new QTableWidgetItem(values[column]));
}

}  // namespace

PacsDialog::PacsDialog(const QString& projectFolder, const QString& scanName, QWidget* parent)
    : QDialog(parent), projectFolder_(projectFolder), scanName_(scanName) {
    setObjectName("dlgPacs");
    setWindowTitle("PACS");
    auto* layout = new QVBoxLayout(this);

    auto* where = new QGroupBox("PACS");
    auto* form = new QFormLayout(where);
    host_ = new QLineEdit;
    port_ = new QSpinBox;
    port_->setRange(1, 65535);
    calledAe_ = new QLineEdit;
    callingAe_ = new QLineEdit;
    form->addRow("Host:", host_);
    form->addRow("Port:", port_);
    form->addRow("AE title:", calledAe_);
    form->addRow("Our AE title:", callingAe_);
    auto* echo = new QPushButton("Echo");
    form->addRow("", echo);
    layout->addWidget(where);
    const QSettings settings;
    PacsNode saved;
    saved.host = settings.value("pacs/host", "127.0.0.1").toString().toStdString();
    saved.port = settings.value("pacs/port", 104).toInt();
    saved.calledAe = settings.value("pacs/aet", "ORTHANC").toString().toStdString();
    saved.callingAe = settings.value("pacs/calling_aet", "IPNPSTUDIO").toString().toStdString();
    setNode(saved);

    auto* search = new QHBoxLayout;
    patientId_ = new QLineEdit;
    patientId_->setPlaceholderText("patient ID (* ?)");
    patientName_ = new QLineEdit;
    patientName_->setPlaceholderText("patient name (* ?)");
    studyDate_ = new QLineEdit;
    studyDate_->setPlaceholderText("date YYYYMMDD[-YYYYMMDD]");
    auto* find = new QPushButton("Find studies");
    for (QWidget* w : {static_cast<QWidget*>(patientId_), static_cast<QWidget*>(patientName_), static_cast<QWidget*>(studyDate_),
                       static_cast<QWidget*>(find)})
        search->addWidget(w);
    layout->addLayout(search);
    studies_ = table({"Patient ID", "Patient", "Date", "Series", "Description", "Study UID"});
    series_ = table({"#", "Modality", "Instances", "Description", "Series UID"});
    layout->addWidget(studies_, 1);
    layout->addWidget(series_, 1);
    auto* actions = new QHBoxLayout;
    auto* retrieve = new QPushButton("Retrieve series into the project");
    auto* send = new QPushButton(scanName.isEmpty() ? "Send labels (open a scan first)" : "Send labels of " + scanName + " as SEG");
    send->setEnabled(!scanName.isEmpty());
    auto* close = new QPushButton("Close");
    actions->addWidget(retrieve);
    actions->addWidget(send);
    actions->addStretch();
    actions->addWidget(close);
    layout->addLayout(actions);
    status_ = new QLabel;
    status_->setWordWrap(true);
    layout->addWidget(status_);
    buttons_ = {echo, find, retrieve, send};

    connect(echo, &QPushButton::clicked, this, &PacsDialog::echo);
    connect(find, &QPushButton::clicked, this, &PacsDialog::findStudies);
    connect(studies_, &QTableWidget::itemSelectionChanged, this, &PacsDialog::findSeriesOfChosenStudy);
    connect(retrieve, &QPushButton::clicked, this, &PacsDialog::retrieveChosenSeries);
    connect(send, &QPushButton::clicked, this, &PacsDialog::sendLabels);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, &PacsDialog::onFinished);
    resize(860, 620);
}

PacsDialog::~PacsDialog() { watcher_.waitForFinished(); }

PacsNode PacsDialog::node() const {
    PacsNode node;
    node.host = host_->text().trimmed().toStdString();
    node.port = port_->value();
    node.calledAe = calledAe_->text().trimmed().toStdString();
    node.callingAe = callingAe_->text().trimmed().toStdString();
    return node;
}

void PacsDialog::setNode(const PacsNode& node) {
    host_->setText(QString::fromStdString(node.host));
    port_->setValue(node.port);
    calledAe_->setText(QString::fromStdString(node.calledAe));
    callingAe_->setText(QString::fromStdString(node.callingAe));
}

void PacsDialog::run(const QString& doing, std::function<Outcome()> work, std::function<void(const Outcome&)> show) {
    if (busy_) return;
    show_ = std::move(show);
    const PacsNode n = node();
    QSettings settings;  // the last PACS used, for next time
    settings.setValue("pacs/host", QString::fromStdString(n.host));
    settings.setValue("pacs/port", n.port);
    settings.setValue("pacs/aet", QString::fromStdString(n.calledAe));
    settings.setValue("pacs/calling_aet", QString::fromStdString(n.callingAe));
    busy_ = true;
    for (QPushButton* button : buttons_) button->setEnabled(false);
    status_->setText(doing + " …");
    watcher_.setFuture(QtConcurrent::run([work] {
        try {
            return work();
        } catch (const std::exception& error) {
            Outcome outcome;
            outcome.error = QString::fromStdString(error.what());
            return outcome;
        }
    }));
}

void PacsDialog::onFinished() {
    busy_ = false;
    for (QPushButton* button : buttons_) button->setEnabled(button != buttons_.last() || !scanName_.isEmpty());
    const Outcome outcome = watcher_.result();
    if (!outcome.error.isEmpty()) {
        status_->setText(outcome.error);
        Q_EMIT failed(outcome.error);
    } else {
        status_->setText(outcome.message);
        if (show_) show_(outcome);
        if (outcome.scans >= 0) Q_EMIT retrieved(outcome.scans);
    }
    show_ = nullptr;
    Q_EMIT finishedWork();
}

void PacsDialog::echo() {
    const PacsNode n = node();
    run("Echo", [n] {
        pacsEcho(n);
        Outcome o;
        o.message = QString("%1 answers C-ECHO").arg(QString::fromStdString(n.describe()));
        return o;
    });
}

void PacsDialog::findStudies() {
    const PacsNode n = node();
    PacsStudyQuery query{patientId_->text().trimmed().toStdString(), patientName_->text().trimmed().toStdString(),
                         studyDate_->text().trimmed().toStdString()};
    studies_->setRowCount(0);
    series_->setRowCount(0);
    run("Searching", [n, query] {
        Outcome o;
        o.studies = pacsFindStudies(n, query);
        o.message = QString("%1 stud%2 found").arg(o.studies.size()).arg(o.studies.size() == 1 ? "y" : "ies");
        return o;
    }, [this](const Outcome& outcome) {
        studies_->setRowCount(int(outcome.studies.size()));
        for (int row = 0; row < int(outcome.studies.size()); ++row) {
            const PacsStudy& s = outcome.studies[std::size_t(row)];
            fill(studies_, row, {QString::fromStdString(s.patientId), QString::fromStdString(s.patientName),
                                 QString::fromStdString(s.studyDate), QString::number(s.series),
                                 QString::fromStdString(s.description), QString::fromStdString(s.studyUid)});
        }
        studies_->resizeColumnsToContents();
    });
}

void PacsDialog::findSeriesOfChosenStudy() {
    const auto rows = studies_->selectionModel()->selectedRows();
    if (rows.isEmpty() || busy_) return;
    const std::string study = studies_->item(rows.first().row(), 5)->text().toStdString();
    const PacsNode n = node();
    series_->setRowCount(0);
    run("Listing the series", [n, study] {
        Outcome o;
        o.series = pacsFindSeries(n, study);
        o.message = QString("%1 series").arg(o.series.size());
        return o;
    }, [this](const Outcome& outcome) {
        series_->setRowCount(int(outcome.series.size()));
        for (int row = 0; row < int(outcome.series.size()); ++row) {
            const PacsSeries& s = outcome.series[std::size_t(row)];
            fill(series_, row, {QString::number(s.number), QString::fromStdString(s.modality), QString::number(s.instances),
                                QString::fromStdString(s.description), QString::fromStdString(s.seriesUid)});
            series_->item(row, 0)->setData(Qt::UserRole, QString::fromStdString(s.studyUid));
        }
        series_->resizeColumnsToContents();
    });
}

void PacsDialog::retrieveChosenSeries() {
    const auto rows = series_->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        status_->setText("Choose a series first.");
        return;
    }
    const std::string study = series_->item(rows.first().row(), 0)->data(Qt::UserRole).toString().toStdString();
    const std::string seriesUid = series_->item(rows.first().row(), 4)->text().toStdString();
    const PacsNode n = node();
    const std::string project = projectFolder_.toStdString();
    run("Retrieving", [n, study, seriesUid, project] {
        const auto store = ProjectStore::open(project);  // this thread's own connection
        Outcome o;
        o.scans = int(retrieveSeriesIntoProject(*store, n, study, seriesUid).scans);
        o.message = QString("Retrieved: %1 scan(s) imported").arg(o.scans);
        return o;
    });
}

void PacsDialog::sendLabels() {
    const PacsNode n = node();
    const std::string project = projectFolder_.toStdString(), scan = scanName_.toStdString();
    run("Sending", [n, project, scan] {
        const auto store = ProjectStore::open(project);
        const SentLabels sent = sendScanLabels(*store, n, scan, LabelObject::Seg);
        Outcome o;
        o.message = QString("Sent %1 organ(s) as DICOM SEG (%2)")
                        .arg(sent.organs)
                        .arg(sent.deidentified ? "de-identified" : "original identity: the scan came from this PACS");
        return o;
    });
}

}  // namespace ipnp
