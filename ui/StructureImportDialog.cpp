#include "StructureImportDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ipnp {

StructureImportDialog::StructureImportDialog(ProjectStore& store, const QString& file, const StructureFileSummary& summary,
                                             QWidget* parent)
    : QDialog(parent), store_(store), file_(file), summary_(summary) {
    setObjectName("dlgStructureImport");
    setWindowTitle("Import " + QString::fromStdString(summary.kind));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(QString("<b>%1</b> — %2 structure(s)")
                                     .arg(QFileInfo(file).fileName().toHtmlEscaped())
                                     .arg(summary.names.size())));
    auto* form = new QFormLayout;
    scan_ = new QComboBox;
    const std::vector<ScanRecord> scans = store.scans();
    for (const ScanRecord& scan : scans) scan_->addItem(QString::fromStdString(scan.name));
    if (summary.scan) scan_->setCurrentText(QString::fromStdString(*summary.scan));
    form->addRow("Drawn on scan:", scan_);
    layout->addLayout(form);
    if (!summary.scan)
        layout->addWidget(new QLabel("The series it refers to is not in the project: choose the scan it was drawn on."));

    const OrganSchema schema = store.schema();
    table_ = new QTableWidget(int(summary.names.size()), 3);
    table_->setHorizontalHeaderLabels({"Structure", summary.kind == "DICOM SEG" ? "Frames" : "Contours", "Organ"});
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int row = 0; row < table_->rowCount(); ++row) {
        auto* name = new QTableWidgetItem(QString::fromStdString(summary.names[std::size_t(row)]));
        name->setFlags(name->flags() & ~Qt::ItemIsEditable);
        table_->setItem(row, 0, name);
        auto* parts = new QTableWidgetItem(QString::number(summary.parts[std::size_t(row)]));
        parts->setFlags(parts->flags() & ~Qt::ItemIsEditable);
        table_->setItem(row, 1, parts);
        auto* organ = new QComboBox;
        organ->addItem("— leave out —", 0);
        for (const Organ& o : schema.organs()) organ->addItem(QString::fromStdString(o.name), o.index);
        organ->setCurrentIndex(std::max(0, organ->findData(summary.organs[std::size_t(row)])));
        table_->setCellWidget(row, 2, organ);
    }
    table_->resizeColumnsToContents();
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    layout->addWidget(table_);
    status_ = new QLabel("Structures without an organ are left out; an organ that already has a manual label keeps it.");
    status_->setWordWrap(true);
    layout->addWidget(status_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton* import = buttons->addButton("Import", QDialogButtonBox::AcceptRole);
    import->setEnabled(!scans.empty());
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(import, &QPushButton::clicked, this, [this] {
        if (importChosen()) accept();
    });
    layout->addWidget(buttons);
    resize(560, 420);
}

QComboBox* StructureImportDialog::organChoice(int row) const { return qobject_cast<QComboBox*>(table_->cellWidget(row, 2)); }

bool StructureImportDialog::importChosen() {
    StructureImportOptions options;
    options.scanName = scan_->currentText().toStdString();
    const OrganSchema schema = store_.schema();
    for (int row = 0; row < table_->rowCount(); ++row) {
        const std::string name = summary_.names[std::size_t(row)];
        const int organ = organChoice(row)->currentData().toInt();
        if (organ == 0) options.skip.insert(name);
        else options.nameToOrgan[name] = schema.byIndex(organ)->name;
    }
    try {
        const ManualLabelImportResult result = importStructureFile(store_, file_.toStdString(), options);
        QString text = QString("%1 structure(s) imported as manual labels of %2")
                           .arg(result.imported.size())
                           .arg(QString::fromStdString(result.scanName));
        for (const std::string& note : result.notes) text += "\n" + QString::fromStdString(note);
        Q_EMIT imported(text);
        return true;
    } catch (const std::exception& error) {
        Q_EMIT failed(QString::fromStdString(error.what()));
        return false;
    }
}

}  // namespace ipnp
