#include "DicomFixtures.h"

#include <QDir>
#include <cstdio>
#include <vector>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

namespace ipnp::test {

bool writeSlice(const QString& path, const SliceSpec& spec, int instance, const std::function<int(int, int)>& raw) {
    DcmFileFormat file;
    DcmDataset* d = file.getDataset();
    char uid[100];
    d->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
    d->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
    d->putAndInsertString(DCM_StudyInstanceUID, "1.2.826.0.1.3680043.10.1001");
    d->putAndInsertString(DCM_SeriesInstanceUID, spec.series.c_str());
    d->putAndInsertString(DCM_FrameOfReferenceUID, "1.2.826.0.1.3680043.10.1001.9");
    d->putAndInsertString(DCM_Modality, "CT");
    d->putAndInsertString(DCM_PatientID, "P7");
    d->putAndInsertString(DCM_PatientName, "Test^Patient");
    d->putAndInsertString(DCM_SeriesDescription, spec.description.c_str());
    d->putAndInsertString(DCM_SeriesNumber, std::to_string(spec.seriesNumber).c_str());
    d->putAndInsertString(DCM_InstanceNumber, std::to_string(instance).c_str());
    const std::string position = std::to_string(spec.position[0]) + "\\" + std::to_string(spec.position[1]) + "\\" +
                                 std::to_string(spec.position[2]);
    d->putAndInsertString(DCM_ImagePositionPatient, position.c_str());
    d->putAndInsertString(DCM_ImageOrientationPatient, spec.orientation.c_str());
    d->putAndInsertString(DCM_PixelSpacing, "0.8\\0.7");  // between rows, between columns
    d->putAndInsertString(DCM_SliceThickness, "2.5");
    if (spec.gantryTilt != 0) d->putAndInsertString(DCM_GantryDetectorTilt, std::to_string(spec.gantryTilt).c_str());
    d->putAndInsertString(DCM_RescaleSlope, std::to_string(spec.slope).c_str());
    d->putAndInsertString(DCM_RescaleIntercept, std::to_string(spec.intercept).c_str());
    d->putAndInsertUint16(DCM_Rows, Uint16(spec.rows));
    d->putAndInsertUint16(DCM_Columns, Uint16(spec.columns));
    d->putAndInsertUint16(DCM_SamplesPerPixel, 1);
    d->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    d->putAndInsertUint16(DCM_BitsAllocated, 16);
    d->putAndInsertUint16(DCM_BitsStored, 16);
    d->putAndInsertUint16(DCM_HighBit, 15);
    d->putAndInsertUint16(DCM_PixelRepresentation, spec.signedPixels ? 1 : 0);
    std::vector<Uint16> pixels;
    for (int j = 0; j < spec.rows; ++j)
        for (int i = 0; i < spec.columns; ++i) pixels.push_back(Uint16(std::int16_t(raw(i, j))));
    d->putAndInsertUint16Array(DCM_PixelData, pixels.data(), unsigned(pixels.size()));
    return file.saveFile(path.toStdString().c_str(), EXS_LittleEndianExplicit).good();
}

bool writeRegularSeries(const QString& folder, SliceSpec spec) {
    QDir().mkpath(folder);
    const double z0 = spec.position[2];
    for (int k = 0; k < 4; ++k) {
        spec.position[2] = z0 + 2.5 * k;
        if (!writeSlice(QString("%1/slice_%2.dcm").arg(folder).arg(9 - k), spec, k + 1,
                        [k](int i, int j) { return 1000 + 100 * k + 10 * j + i; }))
            return false;
    }
    return true;
}

bool writeRtStruct(const QString& path, const std::string& seriesUid, const std::vector<RoiSpec>& rois) {
    const char* study = "1.2.826.0.1.3680043.10.1001";
    const char* frame = "1.2.826.0.1.3680043.10.1001.9";
    DcmFileFormat file;
    DcmDataset* d = file.getDataset();
    char uid[100];
    d->putAndInsertString(DCM_SOPClassUID, UID_RTStructureSetStorage);
    d->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
    d->putAndInsertString(DCM_StudyInstanceUID, study);
    d->putAndInsertString(DCM_SeriesInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_SERIES_UID_ROOT));
    d->putAndInsertString(DCM_Modality, "RTSTRUCT");
    d->putAndInsertString(DCM_PatientID, "P7");
    d->putAndInsertString(DCM_PatientName, "Test^Patient");
    d->putAndInsertString(DCM_StructureSetLabel, "OARs");
    DcmItem* frameItem = nullptr;
    d->findOrCreateSequenceItem(DCM_ReferencedFrameOfReferenceSequence, frameItem, -2);
    frameItem->putAndInsertString(DCM_FrameOfReferenceUID, frame);
    DcmItem* studyItem = nullptr;
    frameItem->findOrCreateSequenceItem(DCM_RTReferencedStudySequence, studyItem, -2);
    studyItem->putAndInsertString(DCM_ReferencedSOPClassUID, "1.2.840.10008.3.1.2.3.1");  // Detached Study Management
    studyItem->putAndInsertString(DCM_ReferencedSOPInstanceUID, study);
    DcmItem* seriesItem = nullptr;
    studyItem->findOrCreateSequenceItem(DCM_RTReferencedSeriesSequence, seriesItem, -2);
    seriesItem->putAndInsertString(DCM_SeriesInstanceUID, seriesUid.c_str());
    for (const RoiSpec& roi : rois) {
        DcmItem* item = nullptr;
        d->findOrCreateSequenceItem(DCM_StructureSetROISequence, item, -2);
        item->putAndInsertString(DCM_ROINumber, std::to_string(roi.number).c_str());
        item->putAndInsertString(DCM_ReferencedFrameOfReferenceUID, frame);
        item->putAndInsertString(DCM_ROIName, roi.name.c_str());
        item->putAndInsertString(DCM_ROIGenerationAlgorithm, "MANUAL");
        DcmItem* contours = nullptr;
        d->findOrCreateSequenceItem(DCM_ROIContourSequence, contours, -2);
        contours->putAndInsertString(DCM_ReferencedROINumber, std::to_string(roi.number).c_str());
        contours->putAndInsertString(DCM_ROIDisplayColor, "255\\0\\0");
        for (const auto& contour : roi.contours) {
            DcmItem* c = nullptr;
            contours->findOrCreateSequenceItem(DCM_ContourSequence, c, -2);
            c->putAndInsertString(DCM_ContourGeometricType, "CLOSED_PLANAR");
            c->putAndInsertString(DCM_NumberOfContourPoints, std::to_string(contour.size()).c_str());
            std::string data;
            char number[32];
            for (const Vec3& point : contour)
                for (double value : point) {
                    std::snprintf(number, sizeof number, "%.4f", value);
                    data += (data.empty() ? "" : "\\") + std::string(number);
                }
            c->putAndInsertString(DCM_ContourData, data.c_str());
        }
        DcmItem* observation = nullptr;
        d->findOrCreateSequenceItem(DCM_RTROIObservationsSequence, observation, -2);
        observation->putAndInsertString(DCM_ObservationNumber, std::to_string(roi.number).c_str());
        observation->putAndInsertString(DCM_ReferencedROINumber, std::to_string(roi.number).c_str());
        observation->putAndInsertString(DCM_RTROIInterpretedType, "ORGAN");
        observation->putAndInsertString(DCM_ROIInterpreter, "");
    }
    return file.saveFile(path.toStdString().c_str(), EXS_LittleEndianExplicit).good();
}

}  // namespace ipnp::test
