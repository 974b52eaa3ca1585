#pragma once
// File › Import RT Structure Set or SEG: what the file holds (each ROI or segment with its contours
// or frames), the organ each becomes (matched by name or synonym, or chosen here; "leave out"
// skips it) and the scan it was drawn on (found through the series it refers to, or chosen here).
// Import writes manual labels at once; an error is reported with the project unchanged.
#include <QDialog>

#include "ManualLabelWriter.h"
#include "StructureFiles.h"

class QComboBox;
class QLabel;
class QTableWidget;

namespace ipnp {

class StructureImportDialog : public QDialog {
    Q_OBJECT
public:
    StructureImportDialog(ProjectStore& store, const QString& file, const StructureFileSummary& summary,
                          QWidget* parent = nullptr);

    QTableWidget* structureTable() const { return table_; }
    QComboBox* scanChoice() const { return scan_; }
    // The organ chosen for a row: its combo box (index 0: leave out).
    QComboBox* organChoice(int row) const;
    // Imports as chosen; true on success (imported is emitted), false on an error (failed is).
    bool importChosen();

Q_SIGNALS:
    void imported(const QString& summary);
    void failed(const QString& message);

private:
    ProjectStore& store_;
    QString file_;
    StructureFileSummary summary_;
    QTableWidget* table_;
    QComboBox* scan_;
    QLabel* status_;
};

}  // namespace ipnp
