#pragma once
namespace CLI {
class App;
}

namespace ipnp {
// `ipnp demo`: phantoms -> project -> simulated partial labels -> coverage report, in one folder.
void addDemoCommand(CLI::App& app);
}  // namespace ipnp
