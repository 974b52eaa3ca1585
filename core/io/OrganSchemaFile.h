#pragma once
// Organ schemas as JSON files (resources/schemas/*.json):
// {"name": "...", "organs": [{"index": 1, "name": "spleen", "colour": "#9d6b3a", "synonyms": [...]}]}
#include <string>

#include "OrganSchema.h"

namespace ipnp {

OrganSchema readOrganSchemaFile(const std::string& path);    // throws ipnp::Error naming the file
OrganSchema organSchemaFromJson(const std::string& jsonText, const std::string& sourceForMessages);
std::string organSchemaToJson(const OrganSchema& schema);  // pretty-printed, round-trips

// "#rrggbb" <-> colour; throws ipnp::Error on malformed text.
std::array<std::uint8_t, 3> parseHexColour(const std::string& text);
std::string toHexColour(const std::array<std::uint8_t, 3>& colour);

}  // namespace ipnp
