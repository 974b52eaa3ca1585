#pragma once
// What every `ipnp` subcommand shares: finding the project, reporting progress on stderr.
#include <CLI/CLI.hpp>

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

// Option checks with messages a person reads ("must be 1 or more, not 0"): CLI11's own ranges print
// the type's limits (a 309-digit number for a double). A value out of range exits 2.
CLI::Validator atLeast(double minimum);     // value >= minimum
CLI::Validator above(double minimum);       // value > minimum
CLI::Validator between(double low, double high, bool lowIncluded, bool highIncluded);

}  // namespace ipnp::cli
