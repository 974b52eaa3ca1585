#pragma once
// SpecialistSettings as the JSON a training run stores: everything needed to resume it identically.
#include <string>

#include "Specialist.h"

namespace ipnp {

std::string specialistSettingsToJson(const SpecialistSettings& settings);
// Fields the JSON lacks keep their value from `defaults`. Throws ipnp::Error on malformed JSON.
SpecialistSettings specialistSettingsFromJson(const std::string& json, SpecialistSettings defaults = {});

}  // namespace ipnp
