#pragma once
// Settings: where rounds run (device, threads: this machine's, kept in QSettings) and how they
// train and prompt (training parameters, the generalist, warm start and the auto-accept policy's
// volume widening: the project's, kept in its database so that the CLI runs its rounds alike). A
// TorchScript generalist is opened before it is saved; a file that does not load is refused with
// the reason, and nothing changes.
#include <QDialog>
#include <functional>

#include "ProjectStore.h"
#include "RoundRunner.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace ipnp {

// The machine's share of the settings (QSettings "run/device", "run/threads").
struct MachineSettings {
    std::string device = "cpu";
    int threads = 0;  // 0: LibTorch's default
    int undoMemoryMb = 256;  // the brush's undo history cap (QSettings "edit/undo_mb")
    static MachineSettings load();
    void save() const;
};

// The run settings a new round uses on this project and machine (the dashboard adds whether and at
// which Dice to auto-accept).
RoundSettings roundSettingsFor(ProjectStore& store);

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    SettingsDialog(ProjectStore* store, RoundFactories factories, QWidget* parent = nullptr);
    // Validates and saves; false (with a dialog naming the problem) leaves everything unchanged.
    bool apply();

Q_SIGNALS:
    void failed(const QString& message);

private:
    ProjectStore* store_;
    RoundFactories factories_;
    QComboBox *device_, *generalistKind_, *optimizer_;
    QSpinBox *threads_, *undoMemory_, *iterations_, *batch_, *patch_, *width_, *checkpointEvery_;
    QDoubleSpinBox *learningRate_, *volumeWidening_;
    QCheckBox* warmStart_;
    QLineEdit* generalistFile_;
};

}  // namespace ipnp
