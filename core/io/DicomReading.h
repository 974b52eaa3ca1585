#pragma once
// What core/io's readers of DICOM structure objects (RtStruct.cpp, DicomSeg.cpp) share: values
// and sequence items of a dataset, and which structure object a dataset is. For core/io only.
#include <string>
#include <vector>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include "StructureKind.h"

namespace ipnp::dicomreading {

// The element's first value as text; empty when the element is missing.
std::string text(DcmItem& item, const DcmTagKey& tag);
// The sequence's first item; null when the sequence is missing or empty.
DcmItem* firstItem(DcmItem& item, const DcmTagKey& tag);
// The items of a sequence (none when it is missing).
std::vector<DcmItem*> itemsOf(DcmItem& item, const DcmTagKey& tag);
// The rule of structureKindOf(path), on a dataset already read.
StructureKind structureKindOf(DcmItem& dataset);

}  // namespace ipnp::dicomreading
