#pragma once
// Which kind of structure object (the organs drawn on a scan) a DICOM file holds. No DCMTK here.
#include <string>

namespace ipnp {

enum class StructureKind { None, RtStruct, Seg };

// From one read of the file, leaving elements over 4 KB (pixel data, contour data) on disk: an RT
// Structure Set by SOP class (or by modality RTSTRUCT where the SOP class is empty), a DICOM SEG
// by SOP class (Segmentation Storage); None for any other DICOM object, a file that is not DICOM,
// or one that cannot be read. A folder of thousands of CT slices is sorted with one read each.
StructureKind structureKindOf(const std::string& path);

}  // namespace ipnp
