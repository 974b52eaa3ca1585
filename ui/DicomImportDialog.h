#pragma once
// File › Import DICOM folder: the series found in a folder tree (patient, study date, series
// description, modality, slices), each with a check box, before anything is imported. The folder
// is scanned on a worker thread; the import itself runs there too, all or nothing, and a series
// that cannot be read is named in a dialog with the project unchanged.
#include <QDialog>
#include <QFutureWatcher>

#include "DicomSeries.h"
#include "ProjectStore.h"

class QLabel;
class QPushButton;
class QTableWidget;

namespace ipnp {

class DicomImportDialog : public QDialog {
    Q_OBJECT
public:
    DicomImportDialog(const QString& folder, const QString& projectFolder, QWidget* parent = nullptr);

    bool scanning() const { return scanning_; }
    bool importing() const { return importing_; }
    QTableWidget* seriesTable() const { return table_; }
    // Imports the checked series (on a worker thread); the dialog closes when done.
    void importChecked();

Q_SIGNALS:
    void imported(int scans);
    void failed(const QString& message);

private:
    void showSeries();

    QString folder_, projectFolder_;
    QLabel* status_;
    QTableWidget* table_;
    QPushButton* import_;
    struct ScanResult {
        DicomFolderContents contents;
        QString error;
    };
    QFutureWatcher<ScanResult> scanWatcher_;
    QFutureWatcher<QString> importWatcher_;  // "" on success, else the error
    bool scanning_ = true, importing_ = false;
    int importedCount_ = 0;
};

}  // namespace ipnp
