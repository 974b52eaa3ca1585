#include "StatusReport.h"

#include <algorithm>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ipnp {

using nlohmann::json;

namespace {

// Three-letter column headings: "right kidney" -> "rki", "inferior vena cava" -> "ivc".
std::string shortName(const std::string& name) {
    std::vector<std::string> words;
    std::string word;
    for (char c : name + " ") {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!word.empty()) {
            words.push_back(word);
            word.clear();
        }
    }
    if (words.empty()) return "?";
    if (words.size() >= 3) return std::string{words[0][0], words[1][0], words[2][0]};
    if (words.size() == 2) return words[0].substr(0, 1) + words[1].substr(0, 2);
    return words[0].substr(0, 3);
}

std::size_t count(const CoverageMatrix& matrix, const std::string& split) {
    return static_cast<std::size_t>(std::count_if(matrix.scans().begin(), matrix.scans().end(),
                                                  [&](const auto& row) { return row.split == split; }));
}

}  // namespace

std::string coverageTable(const CoverageMatrix& matrix, const std::string& title, const StatusReportOptions& options) {
    std::ostringstream out;
    const std::size_t train = count(matrix, "train"), test = count(matrix, "test");
    out << title << ": " << matrix.scans().size() << " scans (" << train << " train, " << test << " test) x "
        << matrix.organs().size() << " organs\n\n";
    if (options.perScanRows && !matrix.scans().empty()) {
        std::size_t nameWidth = 4;
        for (const auto& row : matrix.scans()) nameWidth = std::max(nameWidth, row.name.size());
        out << std::left << std::setw(static_cast<int>(nameWidth)) << "scan" << "  split";
        for (const Organ& organ : matrix.organs()) out << " " << std::setw(3) << shortName(organ.name);
        out << "\n";
        for (std::size_t row = 0; row < matrix.scans().size(); ++row) {
            out << std::setw(static_cast<int>(nameWidth)) << matrix.scans()[row].name << "  " << std::setw(5)
                << matrix.scans()[row].split;
            for (std::size_t column = 0; column < matrix.organs().size(); ++column)
                out << "  " << coverageStateSymbol(matrix.state(row, column)) << " ";
            out << "\n";
        }
        out << "Legend: M manual, A pseudo-accepted, P pseudo-pending, R rejected, X absent, . unknown\n\n";
    }
    out << "Organs over the " << train << " training scans:\n";
    std::size_t organWidth = 5;
    for (const Organ& organ : matrix.organs()) organWidth = std::max(organWidth, organ.name.size());
    out << std::left << std::setw(static_cast<int>(organWidth + 6)) << "organ" << std::right;
    for (CoverageState state : kAllCoverageStates) out << std::setw(17) << toString(state);
    out << "\n";
    for (std::size_t column = 0; column < matrix.organs().size(); ++column) {
        const auto counts = matrix.countsForOrgan(column, "train");
        out << std::setw(3) << matrix.organs()[column].index << " " << std::left
            << std::setw(static_cast<int>(organWidth + 2)) << matrix.organs()[column].name << std::right;
        for (std::size_t count : counts) out << std::setw(17) << count;
        out << "\n";
    }
    const auto totals = matrix.totals("train");
    out << std::left << std::setw(static_cast<int>(organWidth + 6)) << "all organs" << std::right;
    for (std::size_t total : totals) out << std::setw(17) << total;
    out << "\n";
    return out.str();
}

std::string coverageJson(const CoverageMatrix& matrix, const std::string& projectFolder, const std::string& schemaName,
                         const StatusReportOptions& options) {
    json organs = json::array();
    for (const Organ& organ : matrix.organs()) organs.push_back({{"index", organ.index}, {"name", organ.name}});
    auto countsJson = [](const CoverageMatrix::StateCounts& counts) {
        json object = json::object();
        for (CoverageState state : kAllCoverageStates) object[toString(state)] = counts[stateSlot(state)];
        return object;
    };
    json counts = json::object();
    for (std::size_t column = 0; column < matrix.organs().size(); ++column)
        counts[matrix.organs()[column].name] = countsJson(matrix.countsForOrgan(column, "train"));
    json document = {{"project", projectFolder},
                     {"schema", schemaName},
                     {"organs", organs},
                     {"splits", {{"train", count(matrix, "train")}, {"test", count(matrix, "test")}}},
                     {"counts", counts},
                     {"totals", countsJson(matrix.totals("train"))}};
    if (options.perScanRows) {
        json scans = json::array();
        for (std::size_t row = 0; row < matrix.scans().size(); ++row) {
            json states = json::object();
            for (std::size_t column = 0; column < matrix.organs().size(); ++column)
                states[matrix.organs()[column].name] = toString(matrix.state(row, column));
            scans.push_back({{"name", matrix.scans()[row].name}, {"split", matrix.scans()[row].split}, {"states", states}});
        }
        document["scans"] = scans;
    }
    return document.dump(2);
}

}  // namespace ipnp
