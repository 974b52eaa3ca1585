#pragma once
// A DICOM SEG's segments as manual labels of the scan it was drawn on: each segment's label (or,
// failing that, the anatomy its code names) is matched to an organ like an RTSTRUCT's ROI names,
// and its frames are laid onto the scan's grid voxel for voxel.
#include <string>

#include "ManualLabelWriter.h"
#include "StructureImport.h"

namespace ipnp {

// Throws ipnp::Error (project unchanged) naming the file for a damaged SEG, a scan that cannot be
// found, or frames that do not lie on the scan's grid.
ManualLabelImportResult importDicomSeg(ProjectStore& store, const std::string& file, const StructureImportOptions& options);

}  // namespace ipnp
