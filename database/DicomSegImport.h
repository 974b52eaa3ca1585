#pragma once
// A DICOM SEG's segments as manual labels of the scan it was drawn on: each segment's label (or,
// failing that, the anatomy its code names) is matched to an organ like an RTSTRUCT's ROI names,
// and its frames are laid onto the scan's grid voxel for voxel.
#include <string>

#include "ManualLabelWriter.h"
#include "StructureImport.h"

namespace ipnp {

struct SegSegment;
// The name a segment is matched by: its label, or the anatomy its code names when only that is
// an organ of the schema ("Segment 1" coded as Liver), unless the user mapped the label.
std::string segmentMatchName(const SegSegment& segment, const OrganSchema& schema, const StructureImportOptions& options);

// Throws ipnp::Error (project unchanged) naming the file for a damaged SEG, a scan that cannot be
// found, or frames that do not lie on the scan's grid.
ManualLabelImportResult importDicomSeg(ProjectStore& store, const std::string& file, const StructureImportOptions& options);

}  // namespace ipnp
