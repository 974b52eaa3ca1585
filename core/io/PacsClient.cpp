#include "PacsClient.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "Error.h"

namespace ipnp {

namespace fs = std::filesystem;

std::string PacsNode::describe() const { return calledAe + "@" + host + ":" + std::to_string(port); }

namespace {

const OFList<OFString>& transferSyntaxes() {
    static const OFList<OFString> list = [] {
        OFList<OFString> l;
        l.push_back(UID_LittleEndianExplicitTransferSyntax);
        l.push_back(UID_LittleEndianImplicitTransferSyntax);
        return l;
    }();
    return list;
}

// The storage SOP classes a C-GET may bring back (we take the SCP role for them) and a C-STORE sends.
const char* const kStorageClasses[] = {UID_CTImageStorage,           UID_MRImageStorage,
                                       UID_EnhancedCTImageStorage,   UID_EnhancedMRImageStorage,
                                       UID_SegmentationStorage,      UID_RTStructureSetStorage,
                                       UID_SecondaryCaptureImageStorage, UID_PositronEmissionTomographyImageStorage};

class Association {
public:
    Association(const PacsNode& node, bool retrieve, const std::vector<std::string>& storeClasses = {}) : node_(node) {
        // DCMTK narrates every message at INFO on stderr; our own errors say what matters.
        static const bool quiet = [] {
            OFLog::configure(OFLogger::WARN_LOG_LEVEL);
            return true;
        }();
        (void)quiet;
        scu_.setAETitle(node.callingAe.c_str());
        scu_.setPeerHostName(node.host.c_str());
        scu_.setPeerPort(Uint16(node.port));
        scu_.setPeerAETitle(node.calledAe.c_str());
        scu_.setConnectionTimeout(node.timeoutSeconds);
        scu_.setACSETimeout(Uint32(node.timeoutSeconds));
        scu_.setDIMSETimeout(Uint32(node.timeoutSeconds));
        scu_.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        scu_.addPresentationContext(UID_VerificationSOPClass, transferSyntaxes());
        scu_.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, transferSyntaxes());
        if (retrieve) {
            scu_.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, transferSyntaxes());
            for (const char* storage : kStorageClasses)
                scu_.addPresentationContext(storage, transferSyntaxes(), ASC_SC_ROLE_SCP);
        }
        for (const std::string& storage : storeClasses) scu_.addPresentationContext(storage.c_str(), transferSyntaxes());
        check(scu_.initNetwork(), "cannot start the network");
        check(scu_.negotiateAssociation(), "did not accept the association (is it running, and does it know AE title '" +
                                               node.callingAe + "'?)");
    }
    ~Association() {
        if (scu_.isConnected()) scu_.releaseAssociation();
    }
    DcmSCU& scu() { return scu_; }
    void check(const OFCondition& condition, const std::string& what) const {
        if (condition.bad()) throw Error("PACS " + node_.describe() + ": " + what + " (" + condition.text() + ")");
    }
    T_ASC_PresentationContextID context(const char* abstractSyntax, const std::string& what) {
        const T_ASC_PresentationContextID id = scu_.findPresentationContextID(abstractSyntax, "");
        if (id == 0) throw Error("PACS " + node_.describe() + " does not support " + what);
        return id;
    }

private:
    PacsNode node_;
    DcmSCU scu_;
};

std::string text(DcmDataset* data, const DcmTagKey& tag) {
    OFString value;
    if (data && data->findAndGetOFString(tag, value).good()) return value.c_str();
    return {};
}

int integer(DcmDataset* data, const DcmTagKey& tag) {
    Sint32 value = 0;
    if (data) data->findAndGetSint32(tag, value);
    return int(value);
}

// Responses with data (PENDING) are the matches; a failure status ends the search with an error.
std::vector<DcmDataset*> matches(const PacsNode& node, OFList<QRResponse*>& responses) {
    std::vector<DcmDataset*> out;
    for (QRResponse* response : responses) {
        if (DICOM_PENDING_STATUS(response->m_status) && response->m_dataset) out.push_back(response->m_dataset);
        else if (response->m_status != STATUS_Success)
            throw Error("PACS " + node.describe() + ": the search failed with status 0x" + [&] {
                char hex[8];
                std::snprintf(hex, sizeof hex, "%04x", response->m_status);
                return std::string(hex);
            }());
    }
    return out;
}

struct ResponseList {
    OFList<QRResponse*> items;
    ~ResponseList() {
        for (QRResponse* r : items) delete r;
    }
};

// A study-root C-FIND; the matches live as long as `responses`.
std::vector<DcmDataset*> find(Association& association, const PacsNode& node, DcmDataset& keys, ResponseList& responses,
                              const std::string& failure) {
    association.check(association.scu().sendFINDRequest(
                          association.context(UID_FINDStudyRootQueryRetrieveInformationModel, "C-FIND (study root)"),
                          &keys, &responses.items),
                      failure);
    return matches(node, responses.items);
}

}  // namespace

void pacsEcho(const PacsNode& node) {
    Association association(node, false);
    association.check(association.scu().sendECHORequest(association.context(UID_VerificationSOPClass, "C-ECHO")),
                      "did not answer the C-ECHO");
}

std::vector<PacsStudy> pacsFindStudies(const PacsNode& node, const PacsStudyQuery& query) {
    Association association(node, false);
    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
    keys.putAndInsertString(DCM_StudyInstanceUID, "");
    keys.putAndInsertString(DCM_PatientName, query.patientName.c_str());
    keys.putAndInsertString(DCM_PatientID, query.patientId.c_str());
    keys.putAndInsertString(DCM_StudyDate, query.studyDate.c_str());
    keys.putAndInsertString(DCM_StudyDescription, "");
    keys.putAndInsertString(DCM_NumberOfStudyRelatedSeries, "");
    ResponseList responses;
    std::vector<PacsStudy> out;
    for (DcmDataset* match : find(association, node, keys, responses, "the study search failed"))
        out.push_back({text(match, DCM_StudyInstanceUID), text(match, DCM_PatientName), text(match, DCM_PatientID),
                       text(match, DCM_StudyDate), text(match, DCM_StudyDescription),
                       integer(match, DCM_NumberOfStudyRelatedSeries)});
    return out;
}

std::vector<PacsSeries> pacsFindSeries(const PacsNode& node, const std::string& studyUid) {
    Association association(node, false);
    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
    keys.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
    keys.putAndInsertString(DCM_SeriesInstanceUID, "");
    keys.putAndInsertString(DCM_Modality, "");
    keys.putAndInsertString(DCM_SeriesDescription, "");
    keys.putAndInsertString(DCM_SeriesNumber, "");
    keys.putAndInsertString(DCM_NumberOfSeriesRelatedInstances, "");
    ResponseList responses;
    std::vector<PacsSeries> out;
    for (DcmDataset* match : find(association, node, keys, responses, "the series search failed"))
        out.push_back({studyUid, text(match, DCM_SeriesInstanceUID), text(match, DCM_Modality),
                       text(match, DCM_SeriesDescription), integer(match, DCM_SeriesNumber),
                       integer(match, DCM_NumberOfSeriesRelatedInstances)});
    return out;
}

std::vector<std::string> pacsGetSeries(const PacsNode& node, const std::string& studyUid, const std::string& seriesUid,
                                       const std::string& folder) {
    std::error_code error;
    fs::create_directories(folder, error);
    if (error) throw Error(folder, "cannot be made: " + error.message());
    std::set<std::string> before;
    for (const auto& entry : fs::directory_iterator(folder)) before.insert(entry.path().string());
    Association association(node, true);
    association.scu().setStorageMode(DCMSCU_STORAGE_DISK);
    association.scu().setStorageDir(folder.c_str());
    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
    keys.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
    keys.putAndInsertString(DCM_SeriesInstanceUID, seriesUid.c_str());
    OFList<RetrieveResponse*> responses;
    const OFCondition status = association.scu().sendCGETRequest(
        association.context(UID_GETStudyRootQueryRetrieveInformationModel, "C-GET (study root)"), &keys, &responses);
    int failed = 0;
    Uint16 last = STATUS_Success;
    for (RetrieveResponse* response : responses) {
        failed = std::max(failed, int(response->m_numberOfFailedSubops));
        last = response->m_status;
        delete response;
    }
    association.check(status, "the retrieval failed");
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(folder))
        if (!before.count(entry.path().string())) files.push_back(entry.path().string());
    if (files.empty() || failed > 0 || (last != STATUS_Success && !DICOM_WARNING_STATUS(last)))
        throw Error("PACS " + node.describe() + ": series " + seriesUid + " was not retrieved (" +
                    std::to_string(files.size()) + " file(s) received, " + std::to_string(failed) + " failed)");
    return files;
}

void pacsStore(const PacsNode& node, const std::vector<std::string>& files) {
    // One presentation context per SOP class among the files.
    std::vector<std::string> classes;
    for (const std::string& file : files) {
        DcmFileFormat dicom;
        if (dicom.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096).bad()) throw Error(file, "is not a readable DICOM file");
        const std::string sopClass = text(dicom.getDataset(), DCM_SOPClassUID);
        if (sopClass.empty()) throw Error(file, "has no SOP class");
        if (std::find(classes.begin(), classes.end(), sopClass) == classes.end()) classes.push_back(sopClass);
    }
    Association association(node, false, classes);
    for (const std::string& file : files) {
        DcmFileFormat dicom;
        dicom.loadFile(file.c_str());
        const std::string sopClass = text(dicom.getDataset(), DCM_SOPClassUID);
        Uint16 status = 0;
        association.check(association.scu().sendSTORERequest(association.context(sopClass.c_str(), "storing " + sopClass),
                                                            file.c_str(), nullptr, status),
                          "did not take " + file);
        if (status != STATUS_Success && !DICOM_WARNING_STATUS(status)) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "%04x", status);
            throw Error(file, "PACS " + node.describe() + " refused it (status 0x" + hex + ")");
        }
    }
}

}  // namespace ipnp
