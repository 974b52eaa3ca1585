#pragma once
// DICOM Segmentation objects (SEG, binary or fractional) on DCMTK: the segments (number, label,
// the anatomy they code) and their frames, each placed in the world by its own position, so
// that a segment's mask can be laid onto the grid of the scan it was drawn on.
#include <string>
#include <vector>

#include "AnatomyCodes.h"
#include "DicomIdentity.h"
#include "ImageGeometry.h"
#include "Volume.h"

namespace ipnp {

struct SegSegment {
    int number = 0;
    std::string label;            // SegmentLabel
    std::string propertyMeaning;  // SegmentedPropertyTypeCodeSequence's CodeMeaning ("Liver")
};

struct SegFrame {
    int segment = 0;
    Vec3 position{0, 0, 0};              // ImagePositionPatient of its first pixel, mm, LPS
    std::vector<std::uint8_t> inside;    // rows x columns, 1 where the segment is
};

struct DicomSegmentation {
    std::string file;
    std::string referencedSeriesUid;  // the image series it was drawn on; may be empty
    int rows = 0, columns = 0;
    double rowSpacing = 1, columnSpacing = 1;  // PixelSpacing: between rows, between columns
    Vec3 rowDirection{1, 0, 0}, columnDirection{0, 1, 0};
    std::vector<SegSegment> segments;
    std::vector<SegFrame> frames;
};

// True for a DICOM file whose SOP class is Segmentation Storage.
bool isDicomSegFile(const std::string& path);

// Throws ipnp::Error naming the file for a file that is not a SEG, or a damaged one (missing
// geometry, pixel data shorter than its frames).
DicomSegmentation readDicomSeg(const std::string& path);

// The segment's voxels on `grid`. Throws ipnp::Error naming the file when the frames do not lie on
// the grid (another orientation or pixel spacing, positions between voxel centres).
Mask segmentMask(const DicomSegmentation& seg, int segmentNumber, const ImageGeometry& grid);

struct SegExportSegment {
    std::string label;      // the organ's name
    AnatomyCode anatomy;
    bool manual = true;     // drawn by a person; else made by IPnP (accepted pseudo-label): SEMIAUTOMATIC
    std::uint8_t value = 0;  // the organ's voxels in the label map
};

// A BINARY SEG of the scan `source` identifies (same patient, study and frame of reference, a new
// series): one segment per entry, one frame per slice a segment has voxels on, each frame
// referencing the source image of its slice. Written atomically; throws ipnp::Error naming `path`.
void writeDicomSeg(const std::string& path, const LabelMap& labels, const DicomSourceIdentity& source,
                   const std::vector<SegExportSegment>& segments, const std::string& seriesDescription);

}  // namespace ipnp
