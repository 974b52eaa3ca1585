#include "CoverageMatrix.h"

namespace ipnp {

std::size_t stateSlot(CoverageState state) { return static_cast<std::size_t>(state); }

CoverageMatrix::CoverageMatrix(std::vector<Organ> organs, std::vector<ScanRow> scans)
    : organs_(std::move(organs)),
      scans_(std::move(scans)),
      cells_(organs_.size() * scans_.size(), CoverageState::Unknown) {}

std::size_t CoverageMatrix::columnOf(int organIndex) const {
    for (std::size_t column = 0; column < organs_.size(); ++column)
        if (organs_[column].index == organIndex) return column;
    return organs_.size();
}

CoverageMatrix::StateCounts CoverageMatrix::countsForOrgan(std::size_t organColumn,
                                                           const std::string& split) const {
    StateCounts counts{};
    for (std::size_t row = 0; row < scans_.size(); ++row)
        if (split.empty() || scans_[row].split == split) ++counts[stateSlot(state(row, organColumn))];
    return counts;
}

CoverageMatrix::StateCounts CoverageMatrix::totals(const std::string& split) const {
    StateCounts counts{};
    for (std::size_t column = 0; column < organs_.size(); ++column) {
        const StateCounts organCounts = countsForOrgan(column, split);
        for (std::size_t slot = 0; slot < counts.size(); ++slot) counts[slot] += organCounts[slot];
    }
    return counts;
}

}  // namespace ipnp
