#pragma once
// The image series of a DICOM folder as scan import requests: each series is read (core/io's
// DicomSeries) into memory (int16 when its values allow, else float) and named after its patient
// and series; ScanImporter writes it once, into the project, with the folder and series UID as
// its source. (The whole batch is held in memory until the import is done.)
#include <string>
#include <vector>

#include "ScanImporter.h"

namespace ipnp {

// True when the folder (or a folder below it) holds a DICOM Part 10 file.
bool holdsDicomFiles(const std::string& folder);

class DicomImportBatch {
public:
    // Reads every series; throws ipnp::Error naming the file or series that cannot be read (a
    // damaged file, a gantry tilt), with nothing written to any project.
    explicit DicomImportBatch(const std::string& folder);
    // Only the series at these positions of scanDicomFolder(folder).series (the import dialog's choice).
    DicomImportBatch(const std::string& folder, const std::vector<std::size_t>& chosenSeries);

    const std::vector<ScanImportRequest>& requests() const { return requests_; }
    // Files skipped (not DICOM, no image) and warnings (irregular spacing resampled).
    const std::vector<std::string>& notes() const { return notes_; }

private:
    std::vector<ScanImportRequest> requests_;
    std::vector<std::string> notes_;
};

}  // namespace ipnp
