#include "DicomWriting.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cstdio>
#include <ctime>

#include "AtomicFile.h"
#include "Error.h"

namespace ipnp::dicomwriting {

std::string newUid(const char* root) {
    char uid[100];
    return dcmGenerateUniqueIdentifier(uid, root);
}

void putCode(DcmItem& parent, const DcmTagKey& sequence, const CodedConcept& code) {
    DcmItem* item = nullptr;
    parent.findOrCreateSequenceItem(sequence, item, -2);
    item->putAndInsertString(DCM_CodeValue, code.value.c_str());
    item->putAndInsertString(DCM_CodingSchemeDesignator, code.scheme.c_str());
    item->putAndInsertString(DCM_CodeMeaning, code.meaning.c_str());
}

std::string decimal(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);  // "-1.23457e+06": 12 characters at most
    return text;
}

std::string decimals(std::initializer_list<double> values) {
    std::string out;
    for (double v : values) out += (out.empty() ? "" : "\\") + decimal(v);
    return out;
}

// Patient, study and frame of reference of the source: the derived object belongs with it.
void putSourceModules(DcmDataset& d, const DicomSourceIdentity& source) {
    d.putAndInsertString(DCM_PatientName, source.patientName.c_str());
    d.putAndInsertString(DCM_PatientID, source.patientId.c_str());
    d.putAndInsertString(DCM_PatientBirthDate, source.patientBirthDate.c_str());
    d.putAndInsertString(DCM_PatientSex, source.patientSex.c_str());
    d.putAndInsertString(DCM_StudyInstanceUID, source.studyUid.c_str());
    d.putAndInsertString(DCM_StudyDate, source.studyDate.c_str());
    d.putAndInsertString(DCM_StudyTime, source.studyTime.c_str());
    d.putAndInsertString(DCM_StudyID, source.studyId.c_str());
    d.putAndInsertString(DCM_AccessionNumber, source.accessionNumber.c_str());
    d.putAndInsertString(DCM_ReferringPhysicianName, source.referringPhysician.c_str());
    if (!source.studyDescription.empty()) d.putAndInsertString(DCM_StudyDescription, source.studyDescription.c_str());
    if (source.deidentified) {
        d.putAndInsertString(DCM_PatientIdentityRemoved, "YES");
        d.putAndInsertString(DCM_DeidentificationMethod, "IPnP Studio: PS3.15 Basic Profile, pseudonymised UIDs");
        putCode(d, DCM_DeidentificationMethodCodeSequence, {"113100", "DCM", "Basic Application Confidentiality Profile"});
        putCode(d, DCM_DeidentificationMethodCodeSequence, {"113108", "DCM", "Retain Patient Characteristics Option"});
    }
    d.putAndInsertString(DCM_FrameOfReferenceUID, source.frameOfReferenceUid.c_str());
    d.putAndInsertString(DCM_PositionReferenceIndicator, "");
}

void putEquipmentAndDates(DcmDataset& d) {
    d.putAndInsertString(DCM_Manufacturer, "IPnP Studio");
    d.putAndInsertString(DCM_ManufacturerModelName, "IPnP Studio");
    d.putAndInsertString(DCM_DeviceSerialNumber, "1");
    d.putAndInsertString(DCM_SoftwareVersions, "0.1.0");
    char date[16], time[16];
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(date, sizeof date, "%Y%m%d", &utc);
    std::strftime(time, sizeof time, "%H%M%S", &utc);
    for (const DcmTagKey& tag : {DCM_SeriesDate, DCM_ContentDate, DCM_InstanceCreationDate}) d.putAndInsertString(tag, date);
    for (const DcmTagKey& tag : {DCM_SeriesTime, DCM_ContentTime, DCM_InstanceCreationTime}) d.putAndInsertString(tag, time);
}

void putNewDerivedObject(DcmDataset& d, const char* sopClassUid, const char* modality, const char* seriesNumber,
                         const std::string& seriesDescription, const DicomSourceIdentity& source) {
    d.putAndInsertString(DCM_SOPClassUID, sopClassUid);
    d.putAndInsertString(DCM_SOPInstanceUID, newUid(SITE_INSTANCE_UID_ROOT).c_str());
    d.putAndInsertString(DCM_SeriesInstanceUID, newUid(SITE_SERIES_UID_ROOT).c_str());
    d.putAndInsertString(DCM_Modality, modality);
    d.putAndInsertString(DCM_SeriesNumber, seriesNumber);
    d.putAndInsertString(DCM_InstanceNumber, "1");
    d.putAndInsertString(DCM_SeriesDescription, seriesDescription.c_str());
    putSourceModules(d, source);
    putEquipmentAndDates(d);
}

void saveAtomically(DcmFileFormat& file, const std::string& path) {
    writeFileAtomically(path, [&](const std::string& temp) {
        const OFCondition status = file.saveFile(temp.c_str(), EXS_LittleEndianExplicit);
        if (status.bad()) throw Error(path, std::string("cannot write: ") + status.text());
    });
}

}  // namespace ipnp::dicomwriting
