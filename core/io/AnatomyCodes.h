#pragma once
// SNOMED CT codes (DICOM CID 7150 "Segmentation Property Types") for the organs of the built-in
// schemas, with a laterality modifier for paired organs: what DICOM SEG calls "coded anatomy".
#include <optional>
#include <string>

namespace ipnp {

struct CodedConcept {
    std::string value, scheme, meaning;
};

struct AnatomyCode {
    CodedConcept type;
    std::optional<CodedConcept> laterality;  // SCT 24028007 Right / 7771000 Left
};

// The category every organ is in: SCT 123037004 "Anatomical Structure".
CodedConcept anatomicalStructureCategory();
// By the organ's name (case-insensitive; the AMOS and TG-263 spellings of the built-in schemas).
// For an organ without one: a private code (scheme 99IPNP) that carries its name.
AnatomyCode anatomyCodeFor(const std::string& organName, int organIndex);

}  // namespace ipnp
