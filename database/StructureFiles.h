#pragma once
// RT Structure Set and DICOM SEG files, whichever kind: finding them in a DICOM folder, what one
// holds (for the app's import dialog), and importing one. The CLI and the app share these.
#include <optional>
#include <string>
#include <vector>

#include "ManualLabelWriter.h"
#include "StructureImport.h"

namespace ipnp {

bool isStructureFile(const std::string& path);  // an RTSTRUCT or a SEG
// In name order. Reading a folder tree that cannot be read throws ipnp::Error.
std::vector<std::string> structureFilesIn(const std::string& folder);

struct StructureFileSummary {
    std::string kind;                  // "RT Structure Set" or "DICOM SEG"
    std::vector<std::string> names;    // ROI names or segment labels
    std::vector<std::size_t> parts;    // contours or frames of each
    std::vector<int> organs;           // the organ each matches by name (0: none)
    std::optional<std::string> scan;   // the project's scan it was drawn on, when found
    std::string referencedSeriesUid;
};

// Throws ipnp::Error naming the file for one that is neither kind, or damaged.
StructureFileSummary summarizeStructureFile(ProjectStore& store, const std::string& file);
// Reads the file only (a damaged one throws): checked before a folder import changes anything.
void checkStructureFile(const std::string& file);
ManualLabelImportResult importStructureFile(ProjectStore& store, const std::string& file, const StructureImportOptions& options);

}  // namespace ipnp
