#pragma once
// De-identification of what an exported DICOM object copies from its source series, after the
// Basic Application Level Confidentiality Profile of DICOM PS3.15 (Annex E): the patient's name
// and ID become a pseudonym, birth date, study date and time, accession number, study ID,
// referring physician and study description are emptied, and every UID (study, series, frame of
// reference, source instances) is replaced by a "2.25." UID derived from it with the project's
// secret (HMAC-SHA-256). The same source always maps to the same pseudonym and UIDs within a
// project, so a SEG and an RTSTRUCT of one scan, or exports made months apart, still belong
// together; without the secret the originals cannot be recovered or confirmed.
#include <string>

#include "DicomIdentity.h"

namespace ipnp {

class DicomPseudonymizer {
public:
    explicit DicomPseudonymizer(std::string secret);
    std::string uid(const std::string& original) const;              // "" stays ""
    std::string pseudonym(const std::string& patientId) const;       // "IPNP-" + 10 hex digits
    DicomSourceIdentity deidentify(const DicomSourceIdentity& identity) const;

private:
    std::string secret_;
};

// 32 random bytes (hex) for a project's DicomPseudonymizer.
std::string newPseudonymSecret();

}  // namespace ipnp
