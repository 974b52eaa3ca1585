#include "DicomReading.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include "DicomSeries.h"

namespace ipnp {

namespace dicomreading {

std::string text(DcmItem& item, const DcmTagKey& tag) {
    OFString value;
    if (item.findAndGetOFString(tag, value).good()) return std::string(value.c_str());
    return {};
}

DcmItem* firstItem(DcmItem& item, const DcmTagKey& tag) {
    DcmSequenceOfItems* sequence = nullptr;
    if (item.findAndGetSequence(tag, sequence).good() && sequence && sequence->card() > 0) return sequence->getItem(0);
    return nullptr;
}

std::vector<DcmItem*> itemsOf(DcmItem& item, const DcmTagKey& tag) {
    std::vector<DcmItem*> out;
    DcmSequenceOfItems* sequence = nullptr;
    if (item.findAndGetSequence(tag, sequence).good() && sequence)
        for (unsigned long n = 0; n < sequence->card(); ++n) out.push_back(sequence->getItem(n));
    return out;
}

StructureKind structureKindOf(DcmItem& dataset) {
    const std::string sopClass = text(dataset, DCM_SOPClassUID);
    if (sopClass == UID_RTStructureSetStorage || (sopClass.empty() && text(dataset, DCM_Modality) == "RTSTRUCT"))
        return StructureKind::RtStruct;
    if (sopClass == UID_SegmentationStorage) return StructureKind::Seg;
    return StructureKind::None;
}

}  // namespace dicomreading

StructureKind structureKindOf(const std::string& path) {
    DcmFileFormat file;
    // Elements longer than 4 KB (pixel data, contour data) are left on disk: only the header counts.
    if (!isDicomFile(path) || file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096).bad())
        return StructureKind::None;
    return dicomreading::structureKindOf(*file.getDataset());
}

}  // namespace ipnp
