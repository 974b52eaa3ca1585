#include "ProjectSettings.h"

#include <cstdio>
#include <limits>
#include <string>

#include "CandidateSelection.h"
#include "RoundEngine.h"
#include "SpecialistSettingsJson.h"
#include "SqliteDatabase.h"

namespace ipnp {

namespace {
constexpr const char* kRoundTraining = "round_training";
constexpr const char* kGeneralist = "generalist";
constexpr const char* kRoundsWarmStart = "rounds_warm_start";
constexpr const char* kVolumeWidening = "auto_accept_volume_widening";
constexpr const char* kAutoAcceptDice = "auto_accept_dice";
constexpr const char* kRoundsAutoAccept = "rounds_auto_accept";
}  // namespace

std::optional<std::string> ProjectSettings::value(const std::string& key) {
    SqliteStatement row(store_.database(), "SELECT value FROM settings WHERE key = ?1");
    row.bind(1, key);
    if (!row.step()) return std::nullopt;
    return row.columnText(0);
}

void ProjectSettings::setValue(const std::string& key, const std::string& value) {
    SqliteStatement upsert(store_.database(),
                           "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
    upsert.bind(1, key).bind(2, value).bind(3, ProjectStore::now());
    upsert.run();
}

std::optional<SpecialistSettings> ProjectSettings::roundTraining(const SpecialistSettings& defaults) {
    const auto json = value(kRoundTraining);
    if (!json) return std::nullopt;
    SpecialistSettings settings = specialistSettingsFromJson(*json, defaults);
    settings.device = defaults.device;
    settings.threads = defaults.threads;
    return settings;
}

void ProjectSettings::setRoundTraining(const SpecialistSettings& settings) {
    setValue(kRoundTraining, specialistSettingsToJson(settings));
}

std::string ProjectSettings::generalist() { return value(kGeneralist).value_or("builtin"); }

void ProjectSettings::setGeneralist(const std::string& option) { setValue(kGeneralist, option.empty() ? "builtin" : option); }

bool ProjectSettings::roundsWarmStart() {
    const auto saved = value(kRoundsWarmStart);
    return saved ? *saved == "1" : RoundSettings{}.warmStart;
}

void ProjectSettings::setRoundsWarmStart(bool on) { setValue(kRoundsWarmStart, on ? "1" : "0"); }

std::optional<double> ProjectSettings::number(const std::string& key, double minimum, double maximum) {
    const auto saved = value(key);
    if (!saved) return std::nullopt;
    try {
        const double number = std::stod(*saved);
        if (number >= minimum && number <= maximum) return number;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

void ProjectSettings::setNumber(const std::string& key, double number) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", number);  // round-trips exactly
    setValue(key, text);
}

double ProjectSettings::autoAcceptVolumeWidening() {
    return number(kVolumeWidening, 0.0, std::numeric_limits<double>::infinity())
        .value_or(AutoAcceptPolicy{}.rangeWidening);
}

void ProjectSettings::setAutoAcceptVolumeWidening(double fraction) { setNumber(kVolumeWidening, fraction); }

double ProjectSettings::autoAcceptDice() {
    return number(kAutoAcceptDice, 0.0, 1.0).value_or(AutoAcceptPolicy{}.minimumDice);
}

void ProjectSettings::setAutoAcceptDice(double dice) { setNumber(kAutoAcceptDice, dice); }

bool ProjectSettings::roundsAutoAccept() { return value(kRoundsAutoAccept).value_or("0") == "1"; }

void ProjectSettings::setRoundsAutoAccept(bool on) { setValue(kRoundsAutoAccept, on ? "1" : "0"); }

}  // namespace ipnp
