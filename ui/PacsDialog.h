#pragma once
// File › PACS: the PACS to talk to (host, port, AE titles; kept with QSettings), C-ECHO, a study
// search (patient ID or name, date), the series of the chosen study, retrieval of the chosen
// series into the project, and sending the shown scan's labels back as a DICOM SEG (with the
// original identity to the PACS the scan came from, de-identified to any other). Network work
// runs on a worker thread with its own project connection; errors show in a dialog.
#include <QDialog>
#include <QFutureWatcher>
#include <functional>

#include "PacsClient.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace ipnp {

class PacsDialog : public QDialog {
    Q_OBJECT
public:
    // `scanName`: the shown scan (empty: none), whose labels "Send labels" sends.
    PacsDialog(const QString& projectFolder, const QString& scanName, QWidget* parent = nullptr);
    ~PacsDialog() override;

    PacsNode node() const;
    void setNode(const PacsNode& node);
    bool busy() const { return busy_; }
    QTableWidget* studyTable() const { return studies_; }
    QTableWidget* seriesTable() const { return series_; }
    QLabel* status() const { return status_; }
    QLineEdit* patientIdField() const { return patientId_; }

    void echo();
    void findStudies();
    void findSeriesOfChosenStudy();
    void retrieveChosenSeries();
    void sendLabels();

Q_SIGNALS:
    void retrieved(int scans);
    void failed(const QString& message);
    void finishedWork();  // after every network call, successful or not

private:
    struct Outcome {
        QString error, message;
        std::vector<PacsStudy> studies;
        std::vector<PacsSeries> series;
        int scans = -1;
    };
    // `work` runs on the worker; `show` puts a successful outcome into the tables, on this thread.
    void run(const QString& doing, std::function<Outcome()> work, std::function<void(const Outcome&)> show = nullptr);
    void onFinished();

    QString projectFolder_, scanName_;
    QLineEdit *host_, *calledAe_, *callingAe_, *patientId_, *patientName_, *studyDate_;
    QSpinBox* port_;
    QTableWidget *studies_, *series_;
    QLabel* status_;
    QList<QPushButton*> buttons_;
    QFutureWatcher<Outcome> watcher_;
    std::function<void(const Outcome&)> show_;
    bool busy_ = false;
};

}  // namespace ipnp
