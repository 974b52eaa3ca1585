#pragma once
// A DICOM network client (DCMTK's DcmSCU) for a PACS: C-ECHO, C-FIND at study and series level,
// C-GET of a series into a folder, and C-STORE of files. Every error names the PACS
// (AE@host:port) and what went wrong: a refused association, a closed port, a failure status.
#include <string>
#include <vector>

namespace ipnp {

struct PacsNode {
    std::string host = "127.0.0.1";
    int port = 104;
    std::string calledAe;                   // the PACS's AE title
    std::string callingAe = "IPNPSTUDIO";   // ours, as the PACS knows it
    int timeoutSeconds = 30;
    std::string describe() const;           // "AE@host:port"
};

struct PacsStudy {
    std::string studyUid, patientName, patientId, studyDate, description;
    int series = 0;  // NumberOfStudyRelatedSeries, when the PACS says
};

struct PacsSeries {
    std::string studyUid, seriesUid, modality, description;
    int number = 0, instances = 0;
};

struct PacsStudyQuery {
    std::string patientId, patientName, studyDate;  // DICOM matching: empty = any, '*' wildcards, date ranges
};

void pacsEcho(const PacsNode& node);
std::vector<PacsStudy> pacsFindStudies(const PacsNode& node, const PacsStudyQuery& query);
std::vector<PacsSeries> pacsFindSeries(const PacsNode& node, const std::string& studyUid);
// Retrieves a series (C-GET) into `folder` (made if missing); returns the files received.
std::vector<std::string> pacsGetSeries(const PacsNode& node, const std::string& studyUid, const std::string& seriesUid,
                                       const std::string& folder);
// Sends DICOM files (C-STORE); throws at the first one the PACS does not accept.
void pacsStore(const PacsNode& node, const std::vector<std::string>& files);

}  // namespace ipnp
