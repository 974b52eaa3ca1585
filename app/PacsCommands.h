#pragma once
// `ipnp pacs echo|find|get|store`: a PACS from the command line (DICOM networking on DCMTK).
#include <string>

namespace CLI {
class App;
}

namespace ipnp {

void addPacsCommands(CLI::App& app, std::string& projectOption);

}  // namespace ipnp
