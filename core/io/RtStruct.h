#pragma once
// RT Structure Sets (DICOM RTSTRUCT) on DCMTK: the ROIs (number, name) and their closed planar
// contours in world coordinates (mm, LPS), and the series and frame of reference they belong to.
#include <array>
#include <string>
#include <vector>

#include "ContourRasterizer.h"
#include "DicomIdentity.h"
#include "Volume.h"

namespace ipnp {

struct RtRoi {
    int number = 0;
    std::string name;
    std::vector<ClosedContour> contours;  // CLOSED_PLANAR only; other geometric types are noted
};

struct RtStructureSet {
    std::string file;
    std::string label;                 // StructureSetLabel
    std::string patientId;
    std::string frameOfReferenceUid;   // of the ROIs (from the first ROI that names one)
    std::string referencedSeriesUid;   // the image series the contours were drawn on; may be empty
    std::vector<RtRoi> rois;           // in StructureSetROISequence order
    std::vector<std::string> notes;    // ROIs without contours, open contours skipped, ...
};

// True for a DICOM file whose SOP class (or, when that is empty, modality) is RT Structure Set.
bool isRtStructFile(const std::string& path);

// Throws ipnp::Error naming the file for a file that is not DICOM, not an RTSTRUCT, or damaged
// (contour data with the wrong number of values, a contour naming an unknown ROI).
RtStructureSet readRtStruct(const std::string& path);

struct RtExportRoi {
    std::string name;           // the organ's name
    std::uint8_t value = 0;     // its voxels in the label map
    std::array<int, 3> colour{255, 0, 0};
    bool manual = true;         // ROIGenerationAlgorithm MANUAL, else SEMIAUTOMATIC
};

// An RTSTRUCT of the scan `source` identifies: one ROI per entry, its outline traced slice by
// slice through voxel corners (ContourTracer.h), each contour referencing the image of its slice.
// Written atomically; throws ipnp::Error naming `path`.
void writeRtStruct(const std::string& path, const LabelMap& labels, const DicomSourceIdentity& source,
                   const std::vector<RtExportRoi>& rois, const std::string& label);

}  // namespace ipnp
