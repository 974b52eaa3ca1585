#include "CoverageState.h"

namespace ipnp {

const char* toString(CoverageState state) {
    switch (state) {
        case CoverageState::Manual: return "manual";
        case CoverageState::PseudoAccepted: return "pseudo-accepted";
        case CoverageState::PseudoPending: return "pseudo-pending";
        case CoverageState::Rejected: return "rejected";
        case CoverageState::Absent: return "absent";
        case CoverageState::Unknown: return "unknown";
    }
    return "unknown";
}

std::optional<CoverageState> coverageStateFromString(const std::string& text) {
    for (CoverageState state : kAllCoverageStates)
        if (text == toString(state)) return state;
    return std::nullopt;
}

CoverageState coverageStateFromText(std::string_view text) {
    // The six spellings differ in their first letter or, for the pseudo states, the eighth.
    if (text.empty()) return CoverageState::Unknown;
    switch (text[0]) {
        case 'm': return CoverageState::Manual;
        case 'r': return CoverageState::Rejected;
        case 'a': return CoverageState::Absent;
        case 'u': return CoverageState::Unknown;
        case 'p':
            if (text == "pseudo-accepted") return CoverageState::PseudoAccepted;
            if (text == "pseudo-pending") return CoverageState::PseudoPending;
            return CoverageState::Unknown;
    }
    return CoverageState::Unknown;
}

char coverageStateSymbol(CoverageState state) {
    switch (state) {
        case CoverageState::Manual: return 'M';
        case CoverageState::PseudoAccepted: return 'A';
        case CoverageState::PseudoPending: return 'P';
        case CoverageState::Rejected: return 'R';
        case CoverageState::Absent: return 'X';
        case CoverageState::Unknown: return '.';
    }
    return '?';
}

bool isKnownForTraining(CoverageState state) {
    return state == CoverageState::Manual || state == CoverageState::PseudoAccepted ||
           state == CoverageState::Absent;
}

}  // namespace ipnp
