#pragma once
// What every `ipnp` subcommand shares: finding the project, reporting progress on stderr.
#include <memory>
#include <string>

#include "Progress.h"
#include "ProjectStore.h"

namespace ipnp::cli {

// -p/--project, or the current folder when it holds project.ipnp.
std::unique_ptr<ProjectStore> openProject(const std::string& projectOption);

// Prints "[ 3/20] what" lines on stderr (one line per step; rewritten in place on a terminal).
ProgressCallback stderrProgress();

// The organ schema named by --schema: a built-in name ("amos15", "head-neck-oar") or a JSON file.
OrganSchema schemaFromOption(const std::string& option);

}  // namespace ipnp::cli
