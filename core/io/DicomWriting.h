#pragma once
// What the DICOM objects this project writes (SEG, RTSTRUCT) share: new UIDs, coded concepts,
// the patient/study/frame-of-reference modules copied from the source series, and the
// equipment and dates of the object itself. For core/io's own writers only.
#include <initializer_list>
#include <string>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "AnatomyCodes.h"
#include "DicomIdentity.h"

namespace ipnp::dicomwriting {

std::string newUid(const char* root);
void putCode(DcmItem& parent, const DcmTagKey& sequence, const CodedConcept& code);
// A DS value: at most 16 characters, as the VR requires.
std::string decimal(double value);
std::string decimals(std::initializer_list<double> values);
void putSourceModules(DcmDataset& d, const DicomSourceIdentity& source);
void putEquipmentAndDates(DcmDataset& d);
// A new object in a new series of the source's study: SOP class, fresh UIDs, modality, series
// number and description, the source's patient/study/frame of reference, equipment and dates.
void putNewDerivedObject(DcmDataset& d, const char* sopClassUid, const char* modality, const char* seriesNumber,
                         const std::string& seriesDescription, const DicomSourceIdentity& source);
// Writes `file` to `path` atomically; throws ipnp::Error naming `path`.
void saveAtomically(DcmFileFormat& file, const std::string& path);

}  // namespace ipnp::dicomwriting
