#include "DicomImportDialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "DicomImport.h"

namespace ipnp {

DicomImportDialog::DicomImportDialog(const QString& folder, const QString& projectFolder, QWidget* parent)
    : QDialog(parent), folder_(folder), projectFolder_(projectFolder) {
    setObjectName("dlgDicomImport");
    setWindowTitle("Import DICOM series");
    resize(760, 380);
    auto* layout = new QVBoxLayout(this);
    status_ = new QLabel(QString("Looking for DICOM series in %1 …").arg(folder));
    status_->setObjectName("lblDicomStatus");
    status_->setWordWrap(true);
    layout->addWidget(status_);
    table_ = new QTableWidget(0, 6);
    table_->setObjectName("tblDicomSeries");
    table_->setHorizontalHeaderLabels({"Import as", "Patient", "Study date", "Series", "Modality", "Slices"});
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(table_, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    import_ = buttons->addButton("Import", QDialogButtonBox::AcceptRole);
    import_->setObjectName("btnDicomImport");
    import_->setEnabled(false);
    layout->addWidget(buttons);
    connect(import_, &QPushButton::clicked, this, &DicomImportDialog::importChecked);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    connect(&scanWatcher_, &QFutureWatcher<ScanResult>::finished, this, &DicomImportDialog::showSeries);
    const std::string path = folder.toStdString();
    scanWatcher_.setFuture(QtConcurrent::run([path] {
        ScanResult result;
        try {
            result.contents = scanDicomFolder(path);
        } catch (const std::exception& error) {
            result.error = QString::fromStdString(error.what());
        }
        return result;
    }));
    connect(&importWatcher_, &QFutureWatcher<QString>::finished, this, [this] {
        importing_ = false;
        const QString error = importWatcher_.result();
        if (!error.isEmpty()) {
            status_->setText("Nothing was imported: " + error);
            import_->setEnabled(true);
            Q_EMIT failed(error);
            return;
        }
        Q_EMIT imported(importedCount_);
        accept();
    });
}

void DicomImportDialog::showSeries() {
    scanning_ = false;
    const ScanResult result = scanWatcher_.result();
    if (!result.error.isEmpty()) {
        status_->setText(QString("Cannot import: %1").arg(result.error));
        Q_EMIT failed(result.error);
        return;
    }
    const DicomFolderContents& contents = result.contents;
    table_->setRowCount(int(contents.series.size()));
    for (std::size_t row = 0; row < contents.series.size(); ++row) {
        const DicomSeries& s = contents.series[row];
        auto* name = new QTableWidgetItem(QString::fromStdString(s.suggestedName()));
        name->setFlags(name->flags() | Qt::ItemIsUserCheckable);
        name->setCheckState(Qt::Checked);
        name->setToolTip(QString::fromStdString(s.seriesInstanceUid.empty() ? "(no series UID)" : s.seriesInstanceUid));
        table_->setItem(int(row), 0, name);
        const QStringList cells{QString::fromStdString(s.patientName + " (" + s.patientId + ")"), QString::fromStdString(s.studyDate),
                                QString::fromStdString(s.seriesDescription), QString::fromStdString(s.modality),
                                QString::number(s.slices.size())};
        for (int column = 0; column < cells.size(); ++column) table_->setItem(int(row), column + 1, new QTableWidgetItem(cells[column]));
    }
    QString text = QString("%1 series in %2.").arg(contents.series.size()).arg(folder_);
    if (!contents.skipped.empty()) text += QString(" %1 other file(s) skipped.").arg(contents.skipped.size());
    status_->setText(text);
    import_->setEnabled(!contents.series.empty());
}

void DicomImportDialog::importChecked() {
    std::vector<std::size_t> chosen;
    for (int row = 0; row < table_->rowCount(); ++row)
        if (table_->item(row, 0)->checkState() == Qt::Checked) chosen.push_back(std::size_t(row));
    if (chosen.empty() || importing_) return;
    importing_ = true;
    import_->setEnabled(false);
    status_->setText(QString("Importing %1 series …").arg(chosen.size()));
    importedCount_ = int(chosen.size());
    const std::string folder = folder_.toStdString(), project = projectFolder_.toStdString();
    importWatcher_.setFuture(QtConcurrent::run([folder, project, chosen]() -> QString {
        try {
            const auto store = ProjectStore::open(project);
            DicomImportBatch batch(folder, chosen);
            ScanImporter(*store).importScans(batch.requests(), {});
            return {};
        } catch (const std::exception& error) {
            return QString::fromStdString(error.what());
        }
    }));
}

}  // namespace ipnp
