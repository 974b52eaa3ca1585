#pragma once
// DICOM image series on DCMTK: find the series in a folder tree, and read one into a volume on its
// physical grid (LPS). Grouped by SeriesInstanceUID, or, where that is empty (real exports do
// that), by frame of reference + orientation + pixel spacing + rows/columns + description. Slices
// sorted by their position along the slice normal; rescale slope/intercept applied; compressed
// transfer syntaxes decoded (JPEG baseline/lossless, JPEG-LS, RLE; JPEG 2000 not yet). Irregular
// slice spacing is resampled to the median spacing with a recorded warning; gantry-tilted series
// are refused; files that are not DICOM are skipped with a note.
#include <string>
#include <vector>

#include "ImageGeometry.h"
#include "Volume.h"

namespace ipnp {

struct DicomSlice {
    std::string file;
    std::string sopInstanceUid, sopClassUid;
    Vec3 position{0, 0, 0};  // ImagePositionPatient: the first voxel's centre, mm, LPS
    int instanceNumber = 0;
};

struct DicomSeries {
    std::string seriesInstanceUid;  // may be empty
    std::string studyInstanceUid, frameOfReferenceUid;
    std::string modality, seriesDescription, patientName, patientId, studyDate;
    // What objects derived from the series (SEG, RTSTRUCT) repeat: the patient and study modules.
    std::string patientBirthDate, patientSex, studyTime, studyId, accessionNumber, studyDescription, referringPhysician;
    int seriesNumber = 0;
    int rows = 0, columns = 0;
    double rowSpacing = 1, columnSpacing = 1;  // PixelSpacing: between rows, between columns
    Vec3 rowDirection{1, 0, 0}, columnDirection{0, 1, 0};  // ImageOrientationPatient
    double gantryTilt = 0;  // GantryDetectorTilt, degrees
    std::vector<DicomSlice> slices;  // sorted along the slice normal
    // A short name for the project: PatientID (or "dicom") + series number or description.
    std::string suggestedName() const;
};

// True when the file starts like a DICOM Part 10 file ("DICM" after the 128-byte preamble).
bool isDicomFile(const std::string& path);

struct DicomFolderContents {
    std::vector<DicomSeries> series;
    std::vector<std::string> skipped;  // "path: not a DICOM file" notes
};

// Throws ipnp::Error for a folder that cannot be read and for a DICOM file that is damaged
// (truncated, unreadable header) — skipping it silently would lose a slice.
DicomFolderContents scanDicomFolder(const std::string& folder);

struct DicomVolume {
    FloatVolume image;                  // rescaled values (HU for CT)
    std::vector<std::string> warnings;  // e.g. irregular spacing resampled
};

// Reads a series found by scanDicomFolder. Throws ipnp::Error naming the file or the series for
// a gantry tilt, inconsistent slices, missing pixel data or an undecodable transfer syntax.
DicomVolume readDicomSeries(const DicomSeries& series);

}  // namespace ipnp
