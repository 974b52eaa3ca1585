#include "DicomIdentity.h"

#include <nlohmann/json.hpp>

#include "Error.h"

namespace ipnp {

using nlohmann::json;

DicomSourceIdentity identityOf(const DicomSeries& series, std::size_t slices) {
    DicomSourceIdentity id;
    id.studyUid = series.studyInstanceUid;
    id.seriesUid = series.seriesInstanceUid;
    id.frameOfReferenceUid = series.frameOfReferenceUid;
    id.patientName = series.patientName;
    id.patientId = series.patientId;
    id.patientBirthDate = series.patientBirthDate;
    id.patientSex = series.patientSex;
    id.studyDate = series.studyDate;
    id.studyTime = series.studyTime;
    id.studyId = series.studyId;
    id.accessionNumber = series.accessionNumber;
    id.studyDescription = series.studyDescription;
    id.referringPhysician = series.referringPhysician;
    for (const DicomSlice& slice : series.slices) id.instances.push_back({slice.sopClassUid, slice.sopInstanceUid});
    id.instancePerSlice = slices == series.slices.size();
    return id;
}

std::string toJson(const DicomSourceIdentity& id) {
    json instances = json::array();
    for (const auto& instance : id.instances) instances.push_back({instance.sopClassUid, instance.sopInstanceUid});
    return json{{"study_uid", id.studyUid},
                {"series_uid", id.seriesUid},
                {"frame_of_reference_uid", id.frameOfReferenceUid},
                {"patient", {{"name", id.patientName}, {"id", id.patientId}, {"birth_date", id.patientBirthDate}, {"sex", id.patientSex}}},
                {"study",
                 {{"date", id.studyDate},
                  {"time", id.studyTime},
                  {"id", id.studyId},
                  {"accession_number", id.accessionNumber},
                  {"description", id.studyDescription},
                  {"referring_physician", id.referringPhysician}}},
                {"instances", instances},
                {"instance_per_slice", id.instancePerSlice},
                {"retrieved_from", id.retrievedFrom}}
        .dump();
}

DicomSourceIdentity dicomIdentityFromJson(const std::string& text) {
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object()) throw Error("the project's DICOM identity of a scan is not a JSON object");
    DicomSourceIdentity id;
    id.studyUid = j.value("study_uid", "");
    id.seriesUid = j.value("series_uid", "");
    id.frameOfReferenceUid = j.value("frame_of_reference_uid", "");
    const json patient = j.value("patient", json::object()), study = j.value("study", json::object());
    id.patientName = patient.value("name", "");
    id.patientId = patient.value("id", "");
    id.patientBirthDate = patient.value("birth_date", "");
    id.patientSex = patient.value("sex", "");
    id.studyDate = study.value("date", "");
    id.studyTime = study.value("time", "");
    id.studyId = study.value("id", "");
    id.accessionNumber = study.value("accession_number", "");
    id.studyDescription = study.value("description", "");
    id.referringPhysician = study.value("referring_physician", "");
    for (const json& instance : j.value("instances", json::array()))
        if (instance.is_array() && instance.size() == 2)
            id.instances.push_back({instance[0].get<std::string>(), instance[1].get<std::string>()});
    id.instancePerSlice = j.value("instance_per_slice", false);
    id.retrievedFrom = j.value("retrieved_from", "");
    return id;
}

}  // namespace ipnp
