#pragma once
// A scan's current labels (manual and accepted) as DICOM objects that belong with the series the
// scan was imported from: a SEG (one segment per organ, coded anatomy) or an RTSTRUCT.
#include <string>

#include "ProjectStore.h"

namespace ipnp {

// De-identified (DicomDeidentify.h, with a secret the project keeps) unless the object goes back
// to where the series came from: then its references must resolve there, with the original UIDs.
enum class DicomIdentityUse { Deidentify, KeepOriginal };

// Throws ipnp::Error naming the scan for one not imported from DICOM or without labels, and
// naming `path` when it cannot be written. Returns the number of organs written.
std::size_t exportScanAsDicomSeg(ProjectStore& store, const std::string& scanName, const std::string& path,
                                 DicomIdentityUse identity = DicomIdentityUse::Deidentify);
// The same as an RT Structure Set: one ROI per organ, contours traced through voxel corners.
std::size_t exportScanAsRtStruct(ProjectStore& store, const std::string& scanName, const std::string& path,
                                 DicomIdentityUse identity = DicomIdentityUse::Deidentify);

}  // namespace ipnp
