#pragma once
// The one exception type of the project: its message is meant for the person at the keyboard
// ("labels/amos_0001.nii.gz: geometry differs from its image (spacing 0.8 vs 1.5 mm)").
#include <stdexcept>
#include <string>

namespace ipnp {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
    // "<file>: <problem>", the form every IO error takes.
    Error(const std::string& file, const std::string& problem) : std::runtime_error(file + ": " + problem) {}
};

}  // namespace ipnp
