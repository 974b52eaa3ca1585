#pragma once
// The coverage matrix: one CoverageState per scan x organ, with the per-organ counts that the
// status report and the browser show.
#include <array>
#include <string>
#include <vector>

#include "CoverageState.h"
#include "OrganSchema.h"

namespace ipnp {

class CoverageMatrix {
public:
    struct ScanRow {
        std::string name;
        std::string split;  // "train" or "test"
    };
    using StateCounts = std::array<std::size_t, kAllCoverageStates.size()>;  // indexed by state

    CoverageMatrix(std::vector<Organ> organs, std::vector<ScanRow> scans);

    const std::vector<Organ>& organs() const { return organs_; }
    const std::vector<ScanRow>& scans() const { return scans_; }
    CoverageState state(std::size_t scanRow, std::size_t organColumn) const {
        return cells_[scanRow * organs_.size() + organColumn];
    }
    void setState(std::size_t scanRow, std::size_t organColumn, CoverageState state) {
        cells_[scanRow * organs_.size() + organColumn] = state;
    }
    // Column of the organ with this label index, or organs().size() when absent.
    std::size_t columnOf(int organIndex) const;

    // Counts over the scans of one split ("train", "test", or "" for all).
    StateCounts countsForOrgan(std::size_t organColumn, const std::string& split = "") const;
    StateCounts totals(const std::string& split = "") const;

private:
    std::vector<Organ> organs_;
    std::vector<ScanRow> scans_;
    std::vector<CoverageState> cells_;
};

std::size_t stateSlot(CoverageState state);

}  // namespace ipnp
