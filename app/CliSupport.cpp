#include "CliSupport.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "BuiltinSchemas.h"
#include "Error.h"
#include "OrganSchemaFile.h"

namespace ipnp::cli {

namespace fs = std::filesystem;

std::unique_ptr<ProjectStore> openProject(const std::string& projectOption) {
    if (!projectOption.empty()) return ProjectStore::open(projectOption);
    if (ProjectStore::holdsProject(".")) return ProjectStore::open(".");
    throw Error("no project: pass -p/--project DIR, or run inside a project folder (create one with `ipnp init DIR`)");
}

ProgressCallback stderrProgress() {
    const bool terminal = ::isatty(STDERR_FILENO);
    return [terminal](std::size_t done, std::size_t total, const std::string& what) {
        const int width = static_cast<int>(std::to_string(total).size());
        std::fprintf(stderr, "%s[%*zu/%zu] %s%s", terminal ? "\r\033[K" : "", width, done, total, what.c_str(),
                     terminal && done < total ? "" : "\n");
        std::fflush(stderr);
    };
}

OrganSchema schemaFromOption(const std::string& option) {
    const auto& builtin = builtinSchemaJson();
    if (const auto found = builtin.find(option); found != builtin.end())
        return organSchemaFromJson(found->second, "built-in schema " + option);
    if (fs::exists(option)) return readOrganSchemaFile(option);
    std::string names;
    for (const auto& [name, text] : builtin) names += (names.empty() ? "" : ", ") + name;
    throw Error(option, "no such schema file, and not a built-in schema (" + names + ")");
}

CLI::Validator between(double low, double high, bool lowIncluded, bool highIncluded) {
    auto text = [](double value) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%g", value);
        return std::string(buffer);
    };
    std::string range;
    if (std::isinf(high))
        range = (lowIncluded ? text(low) + " or more" : "above " + text(low));
    else
        range = std::string("in ") + (lowIncluded ? "[" : "(") + text(low) + ", " + text(high) +
                (highIncluded ? "]" : ")");
    return CLI::Validator(
        [=](std::string& input) -> std::string {
            try {
                std::size_t used = 0;
                const double value = std::stod(input, &used);
                const bool aboveLow = lowIncluded ? value >= low : value > low;
                const bool belowHigh = highIncluded ? value <= high : value < high;
                if (used == input.size() && std::isfinite(value) && aboveLow && belowHigh) return {};
            } catch (const std::exception&) {
            }
            return "must be " + range + ", not " + input;
        },
        range);
}

CLI::Validator atLeast(double minimum) {
    return between(minimum, std::numeric_limits<double>::infinity(), true, true);
}

CLI::Validator above(double minimum) {
    return between(minimum, std::numeric_limits<double>::infinity(), false, true);
}

}  // namespace ipnp::cli
