#pragma once
// What is known about one organ in one scan: the cell of the coverage matrix.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace ipnp {

enum class CoverageState {
    Manual,          // drawn by a person (or imported from a dataset's labels)
    PseudoAccepted,  // a pseudo-label someone (or the auto-accept policy) accepted
    PseudoPending,   // a pseudo-label waiting for review
    Rejected,        // a pseudo-label was rejected; the organ is still unknown for training
    Absent,          // known not to be in the field of view
    Unknown,         // nothing known: the partial-label loss treats it as "could be anywhere"
};

constexpr std::array<CoverageState, 6> kAllCoverageStates{
    CoverageState::Manual,   CoverageState::PseudoAccepted, CoverageState::PseudoPending,
    CoverageState::Rejected, CoverageState::Absent,         CoverageState::Unknown};

// Stable spellings used in the database, JSON and the CLI: "manual", "pseudo-accepted", ...
const char* toString(CoverageState state);
std::optional<CoverageState> coverageStateFromString(const std::string& text);
// For text the database already checked (a CHECK constraint): unknown spellings read as Unknown.
CoverageState coverageStateFromText(std::string_view text);
// One character for compact tables: M A P R X .
char coverageStateSymbol(CoverageState state);
// True when training may use the organ's label in this scan (manual, accepted or absent).
bool isKnownForTraining(CoverageState state);

}  // namespace ipnp
