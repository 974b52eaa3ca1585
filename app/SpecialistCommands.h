#pragma once
#include <string>

namespace CLI {
class App;
}

namespace ipnp {
// `ipnp train` and `ipnp predict`: the specialist on a project.
void addSpecialistCommands(CLI::App& app, std::string& projectOption);
}  // namespace ipnp
