#pragma once
// Settings that belong to a project rather than to a machine or a person, so that the CLI and the
// desktop app run its rounds alike: the rounds' training settings, the generalist, whether a round
// starts from the previous round's specialist, and the auto-accept policy (its Dice threshold and
// volume widening; whether the app's rounds auto-accept at all). (Where a round runs — device,
// threads — belongs to the machine: QSettings in the app, options in the CLI.)
#include <optional>
#include <string>

#include "ProjectStore.h"
#include "Specialist.h"

namespace ipnp {

// The project's secret for pseudonymous DICOM UIDs (DicomDeidentify.h), made at the first export.
inline constexpr const char* kDicomPseudonymSecretKey = "dicom_pseudonym_secret";

class ProjectSettings {
public:
    explicit ProjectSettings(ProjectStore& store) : store_(store) {}

    std::optional<std::string> value(const std::string& key);
    void setValue(const std::string& key, const std::string& value);

    // The training settings new rounds use (nullopt: none saved); fields the saved JSON lacks keep
    // `defaults`' values. Device and threads are not stored.
    std::optional<SpecialistSettings> roundTraining(const SpecialistSettings& defaults = {});
    void setRoundTraining(const SpecialistSettings& settings);
    // "builtin" unless a TorchScript generalist (.pt path) was chosen.
    std::string generalist();
    void setGeneralist(const std::string& option);
    // Whether each round's training starts from the previous round's specialist (unsaved: yes,
    // RoundSettings' default); `ipnp demo` saves how its own rounds train (from scratch unless
    // --warm-start).
    bool roundsWarmStart();
    void setRoundsWarmStart(bool on);
    // The auto-accept policy's volume widening (unsaved: AutoAcceptPolicy's default, 0.5).
    double autoAcceptVolumeWidening();
    void setAutoAcceptVolumeWidening(double fraction);
    // The auto-accept policy's specialist-generalist Dice threshold T (unsaved: AutoAcceptPolicy's
    // default, 0.8): `ipnp loop` without --auto-accept-dice and the app's Rounds panel use it.
    double autoAcceptDice();
    void setAutoAcceptDice(double dice);
    // Whether the app's rounds auto-accept (the Rounds panel's check box; unsaved: no, candidates
    // wait for review). The CLI says it per command instead: `loop` always, `round` with
    // --auto-accept-dice.
    bool roundsAutoAccept();
    void setRoundsAutoAccept(bool on);

private:
    // The saved number under `key` when it parses and lies in [minimum, maximum], else nullopt.
    std::optional<double> number(const std::string& key, double minimum, double maximum);
    void setNumber(const std::string& key, double number);

    ProjectStore& store_;
};

}  // namespace ipnp
