#include "ProjectSettings.h"

#include "SpecialistSettingsJson.h"
#include "SqliteDatabase.h"

namespace ipnp {

namespace {
constexpr const char* kRoundTraining = "round_training";
constexpr const char* kGeneralist = "generalist";
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

}  // namespace ipnp
