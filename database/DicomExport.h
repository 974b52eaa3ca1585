#pragma once
// A scan's current labels (manual and accepted) as DICOM objects that belong with the series the
// scan was imported from: a SEG (one segment per organ, coded anatomy) or an RTSTRUCT.
#include <string>

#include "ProjectStore.h"

namespace ipnp {

// Throws ipnp::Error naming the scan for one not imported from DICOM or without labels, and
// naming `path` when it cannot be written. Returns the number of organs written.
std::size_t exportScanAsDicomSeg(ProjectStore& store, const std::string& scanName, const std::string& path);
// The same as an RT Structure Set: one ROI per organ, contours traced through voxel corners.
std::size_t exportScanAsRtStruct(ProjectStore& store, const std::string& scanName, const std::string& path);

}  // namespace ipnp
