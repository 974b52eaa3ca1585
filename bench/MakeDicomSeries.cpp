// bench_make_dicom_series OUT_FOLDER: the DICOM import benchmark's input. The import benchmark's
// phantom (512 x 512 x 300 int16, 0.8 x 0.8 x 1.0 mm) as a CT series of 300 uncompressed files
// (explicit VR little endian, rescale intercept -1024), as a scanner would export it.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include "PhantomGenerator.h"

using namespace ipnp;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_make_dicom_series OUT_FOLDER\n");
        return 2;
    }
    const std::string out = argv[1];
    std::filesystem::create_directories(out);
    PhantomOptions options;
    options.size = {512, 512, 300};
    options.spacing = {0.8, 0.8, 1.0};
    options.seed = 2024;
    const auto start = std::chrono::steady_clock::now();
    const PhantomCase phantom = PhantomGenerator(options).generate(0);
    char uid[100];
    const std::string study = dcmGenerateUniqueIdentifier(uid, SITE_STUDY_UID_ROOT);
    const std::string series = dcmGenerateUniqueIdentifier(uid, SITE_SERIES_UID_ROOT);
    const std::string frame = dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
    std::vector<Uint16> pixels(512 * 512);
    for (std::size_t k = 0; k < 300; ++k) {
        DcmFileFormat file;
        DcmDataset* d = file.getDataset();
        d->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
        d->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
        d->putAndInsertString(DCM_StudyInstanceUID, study.c_str());
        d->putAndInsertString(DCM_SeriesInstanceUID, series.c_str());
        d->putAndInsertString(DCM_FrameOfReferenceUID, frame.c_str());
        d->putAndInsertString(DCM_Modality, "CT");
        d->putAndInsertString(DCM_PatientID, "BENCH");
        d->putAndInsertString(DCM_PatientName, "Bench^Phantom");
        d->putAndInsertString(DCM_SeriesNumber, "1");
        d->putAndInsertString(DCM_InstanceNumber, std::to_string(k + 1).c_str());
        const std::string position = "0\\0\\" + std::to_string(double(k) * 1.0);
        d->putAndInsertString(DCM_ImagePositionPatient, position.c_str());
        d->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
        d->putAndInsertString(DCM_PixelSpacing, "0.8\\0.8");
        d->putAndInsertString(DCM_SliceThickness, "1");
        d->putAndInsertString(DCM_RescaleSlope, "1");
        d->putAndInsertString(DCM_RescaleIntercept, "-1024");
        d->putAndInsertUint16(DCM_Rows, 512);
        d->putAndInsertUint16(DCM_Columns, 512);
        d->putAndInsertUint16(DCM_SamplesPerPixel, 1);
        d->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
        d->putAndInsertUint16(DCM_BitsAllocated, 16);
        d->putAndInsertUint16(DCM_BitsStored, 16);
        d->putAndInsertUint16(DCM_HighBit, 15);
        d->putAndInsertUint16(DCM_PixelRepresentation, 0);
        for (std::size_t v = 0; v < pixels.size(); ++v)
            pixels[v] = Uint16(std::max(0, int(phantom.image.data()[k * pixels.size() + v]) + 1024));
        d->putAndInsertUint16Array(DCM_PixelData, pixels.data(), unsigned(pixels.size()));
        char name[32];
        std::snprintf(name, sizeof name, "/IM%04zu.dcm", k);
        if (file.saveFile((out + name).c_str(), EXS_LittleEndianExplicit).bad()) {
            std::fprintf(stderr, "cannot write %s%s\n", out.c_str(), name);
            return 1;
        }
    }
    std::fprintf(stderr, "wrote 300 slices to %s in %.1f s\n", out.c_str(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return 0;
}
