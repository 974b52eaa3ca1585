#pragma once
// RT Structure Sets (DICOM RTSTRUCT) on DCMTK: the ROIs (number, name) and their closed planar
// contours in world coordinates (mm, LPS), and the series and frame of reference they belong to.
#include <string>
#include <vector>

#include "ContourRasterizer.h"

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

}  // namespace ipnp
