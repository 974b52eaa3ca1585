#include "RtStruct.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <map>

#include "AtomicFile.h"
#include "ContourTracer.h"
#include "DicomReading.h"
#include "DicomSeries.h"
#include "DicomWriting.h"
#include "Error.h"

namespace ipnp {

namespace {

using dicomreading::itemsOf;
using dicomreading::text;

int integer(DcmItem& item, const DcmTagKey& tag) {
    Sint32 value = 0;
    item.findAndGetSint32(tag, value);  // IS: DCMTK converts
    return int(value);
}

bool loadDataset(const std::string& path, DcmFileFormat& file) {
    return isDicomFile(path) && file.loadFile(path.c_str()).good();
}

}  // namespace

bool isRtStructFile(const std::string& path) { return structureKindOf(path) == StructureKind::RtStruct; }

RtStructureSet readRtStruct(const std::string& path) {
    DcmFileFormat file;
    if (!loadDataset(path, file)) throw Error(path, "is not a readable DICOM file");
    DcmDataset& data = *file.getDataset();
    if (dicomreading::structureKindOf(data) != StructureKind::RtStruct) {
        const std::string sopClass = text(data, DCM_SOPClassUID);
        throw Error(path, "is not an RT Structure Set (SOP class " + (sopClass.empty() ? std::string("empty") : sopClass) +
                              ", modality " + text(data, DCM_Modality) + ")");
    }
    RtStructureSet out;
    out.file = path;
    out.label = text(data, DCM_StructureSetLabel);
    out.patientId = text(data, DCM_PatientID);
    for (DcmItem* frame : itemsOf(data, DCM_ReferencedFrameOfReferenceSequence)) {
        if (out.frameOfReferenceUid.empty()) out.frameOfReferenceUid = text(*frame, DCM_FrameOfReferenceUID);
        for (DcmItem* study : itemsOf(*frame, DCM_RTReferencedStudySequence))
            for (DcmItem* series : itemsOf(*study, DCM_RTReferencedSeriesSequence))
                if (out.referencedSeriesUid.empty()) out.referencedSeriesUid = text(*series, DCM_SeriesInstanceUID);
    }
    std::map<int, std::size_t> roiAt;  // ROI number -> position in out.rois
    for (DcmItem* roi : itemsOf(data, DCM_StructureSetROISequence)) {
        RtRoi item;
        item.number = integer(*roi, DCM_ROINumber);
        item.name = text(*roi, DCM_ROIName);
        if (out.frameOfReferenceUid.empty()) out.frameOfReferenceUid = text(*roi, DCM_ReferencedFrameOfReferenceUID);
        if (roiAt.count(item.number)) throw Error(path, "ROI number " + std::to_string(item.number) + " is used twice");
        roiAt[item.number] = out.rois.size();
        out.rois.push_back(std::move(item));
    }
    if (out.rois.empty()) throw Error(path, "holds no ROI (empty StructureSetROISequence)");
    for (DcmItem* roiContour : itemsOf(data, DCM_ROIContourSequence)) {
        const int number = integer(*roiContour, DCM_ReferencedROINumber);
        const auto at = roiAt.find(number);
        if (at == roiAt.end())
            throw Error(path, "contours refer to ROI number " + std::to_string(number) + ", which the structure set does not list");
        RtRoi& roi = out.rois[at->second];
        std::size_t skipped = 0;
        for (DcmItem* contour : itemsOf(*roiContour, DCM_ContourSequence)) {
            const std::string type = text(*contour, DCM_ContourGeometricType);
            if (type != "CLOSED_PLANAR") {
                ++skipped;
                continue;
            }
            DcmElement* element = nullptr;
            if (contour->findAndGetElement(DCM_ContourData, element).bad() || !element) continue;
            const unsigned long values = element->getVM();
            const int declared = integer(*contour, DCM_NumberOfContourPoints);
            if (values % 3 != 0 || (declared > 0 && unsigned(declared) * 3 != values))
                throw Error(path, "ROI '" + roi.name + "': contour data holds " + std::to_string(values) +
                                      " values, not 3 per point (" + std::to_string(declared) + " points declared)");
            ClosedContour points(values / 3);
            for (unsigned long v = 0; v < values; ++v) {
                Float64 coordinate = 0;
                if (element->getFloat64(coordinate, v).bad())
                    throw Error(path, "ROI '" + roi.name + "': contour data is not numeric");
                points[v / 3][v % 3] = coordinate;
            }
            roi.contours.push_back(std::move(points));
        }
        if (skipped > 0)
            out.notes.push_back("ROI '" + roi.name + "': " + std::to_string(skipped) +
                                " contours that are not CLOSED_PLANAR (points, open polylines) skipped");
    }
    for (const RtRoi& roi : out.rois)
        if (roi.contours.empty()) out.notes.push_back("ROI '" + roi.name + "' has no closed contour");
    return out;
}

using namespace dicomwriting;

void writeRtStruct(const std::string& path, const LabelMap& labels, const DicomSourceIdentity& source,
                   const std::vector<RtExportRoi>& rois, const std::string& label) {
    if (rois.empty()) throw Error(path, "nothing to export: the scan has no accepted or manual label");
    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    putNewDerivedObject(d, UID_RTStructureSetStorage, "RTSTRUCT", "9002", label, source);
    d.putAndInsertString(DCM_OperatorsName, "");
    d.putAndInsertString(DCM_StructureSetLabel, "IPNP");
    d.putAndInsertString(DCM_StructureSetName, label.substr(0, 64).c_str());
    OFString date, time;
    d.findAndGetOFString(DCM_ContentDate, date);
    d.findAndGetOFString(DCM_ContentTime, time);
    d.putAndInsertString(DCM_StructureSetDate, date.c_str());
    d.putAndInsertString(DCM_StructureSetTime, time.c_str());
    // The RT Structure Set IOD has no content date and time (its own date and time take their place).
    d.findAndDeleteElement(DCM_ContentDate);
    d.findAndDeleteElement(DCM_ContentTime);

    const bool perSlice = source.instancePerSlice && source.instances.size() == labels.geometry().size[2];
    DcmItem* frame = nullptr;
    d.findOrCreateSequenceItem(DCM_ReferencedFrameOfReferenceSequence, frame, -2);
    frame->putAndInsertString(DCM_FrameOfReferenceUID, source.frameOfReferenceUid.c_str());
    DcmItem* study = nullptr;
    frame->findOrCreateSequenceItem(DCM_RTReferencedStudySequence, study, -2);
    study->putAndInsertString(DCM_ReferencedSOPClassUID, "1.2.840.10008.3.1.2.3.1");  // Study Component Management
    study->putAndInsertString(DCM_ReferencedSOPInstanceUID, source.studyUid.c_str());
    DcmItem* series = nullptr;
    study->findOrCreateSequenceItem(DCM_RTReferencedSeriesSequence, series, -2);
    series->putAndInsertString(DCM_SeriesInstanceUID, source.seriesUid.c_str());
    for (const auto& instance : source.instances) {
        DcmItem* image = nullptr;
        series->findOrCreateSequenceItem(DCM_ContourImageSequence, image, -2);
        image->putAndInsertString(DCM_ReferencedSOPClassUID, instance.sopClassUid.c_str());
        image->putAndInsertString(DCM_ReferencedSOPInstanceUID, instance.sopInstanceUid.c_str());
    }

    for (std::size_t n = 0; n < rois.size(); ++n) {
        const RtExportRoi& roi = rois[n];
        const std::string number = std::to_string(n + 1);
        DcmItem* item = nullptr;
        d.findOrCreateSequenceItem(DCM_StructureSetROISequence, item, -2);
        item->putAndInsertString(DCM_ROINumber, number.c_str());
        item->putAndInsertString(DCM_ReferencedFrameOfReferenceUID, source.frameOfReferenceUid.c_str());
        item->putAndInsertString(DCM_ROIName, roi.name.c_str());
        item->putAndInsertString(DCM_ROIGenerationAlgorithm, roi.manual ? "MANUAL" : "SEMIAUTOMATIC");

        DcmItem* contours = nullptr;
        d.findOrCreateSequenceItem(DCM_ROIContourSequence, contours, -2);
        contours->putAndInsertString(DCM_ReferencedROINumber, number.c_str());
        const std::string colour = std::to_string(roi.colour[0]) + "\\" + std::to_string(roi.colour[1]) + "\\" +
                                   std::to_string(roi.colour[2]);
        contours->putAndInsertString(DCM_ROIDisplayColor, colour.c_str());
        for (const SliceContours& slice : traceContours(labels, roi.value))
            for (const ClosedContour& contour : slice.contours) {
                DcmItem* c = nullptr;
                contours->findOrCreateSequenceItem(DCM_ContourSequence, c, -2);
                if (perSlice) {
                    DcmItem* image = nullptr;
                    c->findOrCreateSequenceItem(DCM_ContourImageSequence, image, -2);
                    image->putAndInsertString(DCM_ReferencedSOPClassUID, source.instances[slice.slice].sopClassUid.c_str());
                    image->putAndInsertString(DCM_ReferencedSOPInstanceUID, source.instances[slice.slice].sopInstanceUid.c_str());
                }
                c->putAndInsertString(DCM_ContourGeometricType, "CLOSED_PLANAR");
                c->putAndInsertString(DCM_NumberOfContourPoints, std::to_string(contour.size()).c_str());
                std::string data;
                for (const Vec3& point : contour) {
                    for (double value : point) data += (data.empty() ? "" : "\\") + decimal(value);
                }
                c->putAndInsertString(DCM_ContourData, data.c_str());
            }
        DcmItem* observation = nullptr;
        d.findOrCreateSequenceItem(DCM_RTROIObservationsSequence, observation, -2);
        observation->putAndInsertString(DCM_ObservationNumber, number.c_str());
        observation->putAndInsertString(DCM_ReferencedROINumber, number.c_str());
        observation->putAndInsertString(DCM_RTROIInterpretedType, "ORGAN");
        observation->putAndInsertString(DCM_ROIInterpreter, "");
    }
    saveAtomically(file, path);
}

}  // namespace ipnp
