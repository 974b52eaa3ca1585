#pragma once
// Adds manual labels to a scan already in the project, one structure at a time (an RTSTRUCT ROI,
// a DICOM SEG segment): each mask is written (cropped) as the organ's next label version, and
// commit() records them all in one transaction. A manual label is never overwritten and a cell
// with a pending pseudo-label is left for review (both noted); an accepted pseudo-label is
// superseded by the human-drawn one. Files of an uncommitted writer are removed.
#include <memory>
#include <string>
#include <vector>

#include "ProjectStore.h"
#include "Volume.h"

namespace ipnp {

struct ManualLabelImportResult {
    std::string scanName;
    std::vector<std::pair<std::string, std::string>> imported;  // structure name, organ name
    std::vector<std::string> unmatched;                         // structure names without an organ
    std::vector<std::string> notes;                              // what was skipped, and why
};

class ManualLabelWriter {
public:
    ManualLabelWriter(ProjectStore& store, ScanRecord scan);
    ~ManualLabelWriter();
    ManualLabelWriter(const ManualLabelWriter&) = delete;
    ManualLabelWriter& operator=(const ManualLabelWriter&) = delete;

    // False (with a note) when the organ's cell may not take a manual label now: ask before
    // rasterising, to skip the work.
    bool accepts(int organIndex, const std::string& structureName);
    // `mask` on the scan's grid; `provenanceJson` describes where it came from. An empty mask is noted.
    void add(const std::string& structureName, int organIndex, const Mask& mask, const std::string& provenanceJson);
    void note(const std::string& text);
    void unmatched(const std::string& structureName);
    // One transaction; `eventJson` goes to the project's event log as `eventKind`.
    ManualLabelImportResult commit(const std::string& eventKind, const std::string& eventJson);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace ipnp
