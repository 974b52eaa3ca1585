#pragma once
// An RT Structure Set's ROIs as manual labels of a scan already in the project: each ROI name is
// matched to an organ of the schema (its name or a synonym, ignoring case; TG-263 names are
// synonyms of the built-in schemas) or through the user's mapping, its closed planar contours are
// rasterised onto the scan's grid (even-odd rule), and the organs become `manual`.
#include <map>
#include <string>
#include <vector>

#include "ManualLabelWriter.h"
#include "ProjectStore.h"
#include "RtStruct.h"
#include "StructureImport.h"

namespace ipnp {

using RtStructImportOptions = StructureImportOptions;

struct RoiMatch {
    std::string roiName;
    int organIndex = 0;  // 0: no organ matches (listed so the user can map it)
};

// How each ROI maps to the schema (matchStructureNames on the ROI names).
std::vector<RoiMatch> matchRois(const RtStructureSet& structureSet, const OrganSchema& schema,
                                const std::map<std::string, std::string>& roiToOrgan);

using RtStructImportResult = ManualLabelImportResult;

// Throws ipnp::Error (project unchanged) naming the file for a damaged structure set, a scan that
// cannot be found, or contours that do not fit it.
RtStructImportResult importRtStruct(ProjectStore& store, const std::string& file, const RtStructImportOptions& options);

}  // namespace ipnp
