#pragma once
// The organ schemas shipped in resources/schemas, by file stem ("amos15", "head-neck-oar").
#include <map>
#include <string>

namespace ipnp {

const std::map<std::string, std::string>& builtinSchemaJson();

}  // namespace ipnp
