#include "SettingsDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ProjectRounds.h"
#include "ProjectSettings.h"

namespace ipnp {

MachineSettings MachineSettings::load() {
    QSettings settings;
    MachineSettings out;
    out.device = settings.value("run/device", "cpu").toString().toStdString();
    out.threads = settings.value("run/threads", 0).toInt();
    out.undoMemoryMb = settings.value("edit/undo_mb", 256).toInt();
    return out;
}

void MachineSettings::save() const {
    QSettings settings;
    settings.setValue("run/device", QString::fromStdString(device));
    settings.setValue("run/threads", threads);
    settings.setValue("edit/undo_mb", undoMemoryMb);
}

RoundSettings roundSettingsFor(ProjectStore& store) {
    RoundSettings settings;
    const MachineSettings machine = MachineSettings::load();
    settings.training.device = machine.device;
    settings.training.threads = machine.threads;
    // Every round of a project trains alike: the first round's budget, else the project's settings.
    if (auto training = roundsTrainingSettings(store, settings.training)) settings.training = *training;
    settings.training.device = machine.device;
    settings.training.threads = machine.threads;
    ProjectSettings project(store);
    settings.warmStart = project.roundsWarmStart();
    settings.autoAccept = project.roundsAutoAccept();
    settings.policy.minimumDice = project.autoAcceptDice();
    settings.policy.rangeWidening = project.autoAcceptVolumeWidening();
    return settings;
}

SettingsDialog::SettingsDialog(ProjectStore* store, RoundFactories factories, QWidget* parent)
    : QDialog(parent), store_(store), factories_(std::move(factories)) {
    setObjectName("dlgSettings");
    setWindowTitle("IPnP Studio settings");
    auto* layout = new QVBoxLayout(this);

    const MachineSettings machine = MachineSettings::load();
    auto* machineBox = new QGroupBox("This machine");
    auto* machineForm = new QFormLayout(machineBox);
    device_ = new QComboBox;
    device_->setObjectName("inDevice");
    device_->addItem("CPU", "cpu");
    device_->addItem("CUDA GPU", "cuda");
    const bool cuda = factories_.cudaAvailable && factories_.cudaAvailable();
    if (!cuda) {
        // Present but disabled, with the reason, rather than hidden.
        device_->setItemData(1, 0, Qt::UserRole - 1);
        device_->setItemData(1, "This LibTorch has no CUDA, or no GPU is present", Qt::ToolTipRole);
    }
    device_->setCurrentIndex(machine.device == "cuda" && cuda ? 1 : 0);
    machineForm->addRow("Device", device_);
    threads_ = new QSpinBox;
    threads_->setObjectName("inThreads");
    threads_->setRange(0, 256);
    threads_->setSpecialValueText("default");
    threads_->setValue(machine.threads);
    machineForm->addRow("CPU threads", threads_);
    undoMemory_ = new QSpinBox;
    undoMemory_->setObjectName("inUndoMemory");
    undoMemory_->setRange(16, 65536);
    undoMemory_->setSuffix(" MB");
    undoMemory_->setValue(machine.undoMemoryMb);
    undoMemory_->setToolTip("Memory for the brush's undo history (each stroke keeps only the box it changed)");
    machineForm->addRow("Undo memory", undoMemory_);
    layout->addWidget(machineBox);

    RoundSettings rounds;
    std::string generalist = "builtin";
    if (store_) {
        rounds = roundSettingsFor(*store_);
        generalist = ProjectSettings(*store_).generalist();
    }
    const SpecialistSettings& training = rounds.training;
    auto* projectBox = new QGroupBox("This project (the CLI uses these too)");
    projectBox->setEnabled(store_ != nullptr);
    auto* form = new QFormLayout(projectBox);
    generalistKind_ = new QComboBox;
    generalistKind_->setObjectName("inGeneralistKind");
    generalistKind_->addItems({"Built-in (seeded region growing)", "TorchScript model file"});
    generalistFile_ = new QLineEdit;
    generalistFile_->setObjectName("inGeneralistFile");
    generalistFile_->setPlaceholderText("model.pt (its contract model.json next to it)");
    auto* browse = new QPushButton("Browse…");
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(generalistFile_, 1);
    fileRow->addWidget(browse);
    const bool builtin = generalist == "builtin";
    generalistKind_->setCurrentIndex(builtin ? 0 : 1);
    if (!builtin) generalistFile_->setText(QString::fromStdString(generalist));
    generalistFile_->setEnabled(!builtin);
    browse->setEnabled(!builtin);
    connect(generalistKind_, &QComboBox::currentIndexChanged, this, [this, browse](int index) {
        generalistFile_->setEnabled(index == 1);
        browse->setEnabled(index == 1);
    });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, "TorchScript generalist", {}, "TorchScript (*.pt)");
        if (!file.isEmpty()) generalistFile_->setText(file);
    });
    form->addRow("Generalist", generalistKind_);
    form->addRow("", fileRow);

    auto spin = [](const char* name, int low, int high, int value) {
        auto* box = new QSpinBox;
        box->setObjectName(name);
        box->setRange(low, high);
        box->setValue(value);
        return box;
    };
    iterations_ = spin("inIterations", 1, 1000000, training.iterations);
    batch_ = spin("inBatch", 1, 64, training.batchSize);
    patch_ = spin("inPatch", 16, 256, training.patchSize[0]);
    patch_->setSingleStep(16);
    width_ = spin("inWidth", 4, 128, training.network.baseWidth);
    checkpointEvery_ = spin("inCheckpointEvery", 1, 100000, training.checkpointEvery);
    optimizer_ = new QComboBox;
    optimizer_->setObjectName("inOptimizer");
    optimizer_->addItem("SGD (Nesterov, momentum 0.99)", "sgd");
    optimizer_->addItem("AdamW", "adamw");
    optimizer_->setCurrentIndex(training.optimizer == "adamw" ? 1 : 0);
    learningRate_ = new QDoubleSpinBox;
    learningRate_->setObjectName("inLearningRate");
    learningRate_->setDecimals(5);
    learningRate_->setRange(1e-5, 1.0);
    learningRate_->setSingleStep(1e-3);
    learningRate_->setValue(training.learningRate);
    form->addRow("Iterations per training", iterations_);
    form->addRow("Batch size", batch_);
    form->addRow("Patch size (voxels, cubic)", patch_);
    form->addRow("U-Net base width", width_);
    form->addRow("Optimizer", optimizer_);
    form->addRow("Learning rate", learningRate_);
    form->addRow("Checkpoint every", checkpointEvery_);
    // Every round of a project trains with the same budget: once a round ran, its settings hold.
    if (store_ && firstRoundTrainingSettings(*store_, {})) {
        for (QWidget* field : std::initializer_list<QWidget*>{iterations_, batch_, patch_, width_, optimizer_, learningRate_,
                                                             checkpointEvery_})
            field->setEnabled(false);
        auto* note = new QLabel("Rounds have run: every round trains with round 1's settings.");
        note->setObjectName("lblTrainingLocked");
        form->addRow(note);
    }
    // Not locked like the budget: the method lets any round start from random weights or from the
    // round before it, and the policy is the person's choice.
    warmStart_ = new QCheckBox("Start each round from the previous round's specialist");
    warmStart_->setObjectName("chkWarmStart");
    warmStart_->setToolTip("Off: every round's training starts from random weights (as `ipnp demo` trains). "
                           "Either way every training gets the same number of iterations.");
    warmStart_->setChecked(rounds.warmStart);
    form->addRow("Rounds", warmStart_);
    volumeWidening_ = new QDoubleSpinBox;
    volumeWidening_->setObjectName("inVolumeWidening");
    volumeWidening_->setRange(0.0, 100000.0);  // percent, as `ipnp round --volume-widening` takes a fraction
    volumeWidening_->setDecimals(0);
    volumeWidening_->setSingleStep(10.0);
    volumeWidening_->setSuffix(" %");
    volumeWidening_->setValue(rounds.policy.rangeWidening * 100.0);
    volumeWidening_->setToolTip("Auto-accept passes a candidate only when its volume lies within the range of the "
                                "organ's labeled volumes, widened by this much at both ends");
    form->addRow("Auto-accept volume widening", volumeWidening_);
    layout->addWidget(projectBox);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (apply()) accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

bool SettingsDialog::apply() {
    std::string generalist = "builtin";
    if (generalistKind_->currentIndex() == 1) {
        generalist = generalistFile_->text().trimmed().toStdString();
        try {
            if (generalist.empty()) throw std::runtime_error("choose a TorchScript .pt file, or the built-in generalist");
            if (factories_.generalist) factories_.generalist(generalist, "cpu");  // loads it: a bad file fails here
        } catch (const std::exception& error) {
            const QString message = QString("The generalist cannot be used: %1").arg(error.what());
            Q_EMIT failed(message);
            auto* box = new QMessageBox(QMessageBox::Critical, "IPnP Studio", message, QMessageBox::Ok, this);
            box->setObjectName("dlgError");
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
            return false;
        }
    }
    MachineSettings machine;
    machine.device = device_->currentData().toString().toStdString();
    machine.threads = threads_->value();
    machine.undoMemoryMb = undoMemory_->value();
    machine.save();
    if (!store_) return true;
    SpecialistSettings training = roundSettingsFor(*store_).training;
    training.iterations = iterations_->value();
    training.batchSize = batch_->value();
    training.patchSize = {patch_->value(), patch_->value(), patch_->value()};
    training.network.baseWidth = width_->value();
    training.optimizer = optimizer_->currentData().toString().toStdString();
    training.learningRate = learningRate_->value();
    training.checkpointEvery = checkpointEvery_->value();
    ProjectSettings settings(*store_);
    SqliteTransaction transaction(store_->database());
    settings.setRoundTraining(training);
    settings.setGeneralist(generalist);
    settings.setRoundsWarmStart(warmStart_->isChecked());
    settings.setAutoAcceptVolumeWidening(volumeWidening_->value() / 100.0);
    transaction.commit();
    return true;
}

}  // namespace ipnp
