#pragma once
// Who and what a scan imported from DICOM was: the UIDs, the patient and study attributes, and
// its source instances in slice order. The project keeps it (as JSON) so that the objects it
// exports for that scan (SEG, RTSTRUCT) belong to the same patient, study and frame of reference
// and reference the very images they were drawn on.
#include <string>
#include <vector>

#include "DicomSeries.h"

namespace ipnp {

struct DicomSourceIdentity {
    std::string studyUid, seriesUid, frameOfReferenceUid;
    std::string patientName, patientId, patientBirthDate, patientSex;
    std::string studyDate, studyTime, studyId, accessionNumber, studyDescription, referringPhysician;
    struct Instance {
        std::string sopClassUid, sopInstanceUid;
    };
    std::vector<Instance> instances;  // in slice order
    bool instancePerSlice = true;     // false when the series was resampled to regular spacing
    bool deidentified = false;        // pseudonymised (DicomDeidentify.h): written objects say so
    std::string retrievedFrom;        // the PACS it came from ("AE@host:port"), if any
};

// `slices`: how many slices the scan read from the series has (more than its instances when an
// irregular series was resampled).
DicomSourceIdentity identityOf(const DicomSeries& series, std::size_t slices);
std::string toJson(const DicomSourceIdentity& identity);
// Throws ipnp::Error for text that is not such a JSON object.
DicomSourceIdentity dicomIdentityFromJson(const std::string& json);

}  // namespace ipnp
