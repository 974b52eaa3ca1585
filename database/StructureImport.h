#pragma once
// What the RTSTRUCT and DICOM SEG imports share: finding the scan a structure was drawn on, and
// matching structure names (ROI names, segment labels) to the organ schema.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ProjectStore.h"

namespace ipnp {

struct StructureImportOptions {
    // The scan the structures were drawn on; empty: the scan imported from the DICOM series that
    // the file refers to.
    std::string scanName;
    // Structure name (case-insensitive) -> organ name or synonym, for names the schema does not know.
    std::map<std::string, std::string> nameToOrgan;
    // Structure names (case-insensitive) to leave out even though they match an organ.
    std::set<std::string> skip;
};

// Throws ipnp::Error naming `file` (or the project for an unknown scan name) when there is no such scan.
ScanRecord scanDrawnOn(ProjectStore& store, const std::string& file, const std::string& referencedSeriesUid,
                       const std::string& scanName);

// The organ index of each name (0: none; the schema's names and synonyms ignore case). Throws
// ipnp::Error naming `file` for a mapping to an organ the schema lacks, and for two structures
// that land on one organ.
std::vector<int> matchStructureNames(const std::vector<std::string>& names, const OrganSchema& schema,
                                     const std::map<std::string, std::string>& nameToOrgan, const std::string& file);

// True when `name` is in `options.skip` (ignoring case).
bool skipped(const StructureImportOptions& options, const std::string& name);

}  // namespace ipnp
