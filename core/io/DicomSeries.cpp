#include "DicomSeries.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcobject.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <gdcmImageReader.h>

#include "Error.h"

namespace ipnp {

namespace fs = std::filesystem;

namespace {

void initialiseDcmtk() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Elements written with VR "UN" (GDCM does that when it makes explicit VR from implicit)
        // are read with their dictionary VR, so positions and spacings stay numbers.
        dcmEnableUnknownVRConversion.set(OFTrue);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

std::string text(DcmItem& item, const DcmTagKey& tag) {
    OFString value;
    if (item.findAndGetOFStringArray(tag, value).good()) return std::string(value.c_str());
    return {};
}

double number(DcmItem& item, const DcmTagKey& tag, double fallback, unsigned long position = 0) {
    Float64 value = 0;
    return item.findAndGetFloat64(tag, value, position).good() ? double(value) : fallback;
}

Vec3 cross(const Vec3& a, const Vec3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
int integer(DcmItem& item, const DcmTagKey& tag, int fallback) {
    Sint32 value = 0;
    return item.findAndGetSint32(tag, value).good() ? int(value) : fallback;
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

std::string roundedKey(double value) {
    std::ostringstream out;
    out << std::lround(value * 1000);
    return out.str();
}

}  // namespace

bool isDicomFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char magic[132] = {};
    in.read(magic, sizeof magic);
    return in.gcount() == 132 && std::string(magic + 128, 4) == "DICM";
}

std::string DicomSeries::suggestedName() const {
    std::string base = patientId.empty() ? "dicom" : patientId;
    base += "_" + (seriesNumber > 0 ? "s" + std::to_string(seriesNumber) : seriesDescription);
    std::string out;
    for (char c : base) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
    return out;
}

DicomFolderContents scanDicomFolder(const std::string& folder) {
    if (!fs::is_directory(folder)) throw Error(folder, "is not a folder");
    initialiseDcmtk();
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder))
        if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());

    DicomFolderContents out;
    std::map<std::string, DicomSeries> byKey;
    std::vector<std::string> order;
    for (const fs::path& path : files) {
        DcmFileFormat file;
        // Headers only: the pixel data stays on disk until the series is read.
        const OFCondition status = file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096);
        if (status.bad()) {
            if (isDicomFile(path.string())) throw Error(path.string(), std::string("damaged DICOM file: ") + status.text());
            out.skipped.push_back(path.string() + ": not a DICOM file, skipped");
            continue;
        }
        DcmDataset& data = *file.getDataset();
        if (!data.tagExists(DCM_PixelData)) {
            // A slice of an image series without its pixels would leave a gap: refuse it. Other
            // objects (structure sets, reports, DICOMDIR) are not images: note and skip them.
            const std::string modality = text(data, DCM_Modality);
            if (data.tagExists(DCM_ImagePositionPatient) && (modality == "CT" || modality == "MR" || modality == "PT"))
                throw Error(path.string(), "is a " + modality + " slice without pixel data (damaged export?)");
            out.skipped.push_back(path.string() + ": DICOM without an image (" + modality + "), skipped");
            continue;
        }
        DicomSeries header;
        header.seriesInstanceUid = text(data, DCM_SeriesInstanceUID);
        header.studyInstanceUid = text(data, DCM_StudyInstanceUID);
        header.frameOfReferenceUid = text(data, DCM_FrameOfReferenceUID);
        header.modality = text(data, DCM_Modality);
        header.seriesDescription = text(data, DCM_SeriesDescription);
        header.patientName = text(data, DCM_PatientName);
        header.patientId = text(data, DCM_PatientID);
        header.studyDate = text(data, DCM_StudyDate);
        header.patientBirthDate = text(data, DCM_PatientBirthDate);
        header.patientSex = text(data, DCM_PatientSex);
        header.studyTime = text(data, DCM_StudyTime);
        header.studyId = text(data, DCM_StudyID);
        header.accessionNumber = text(data, DCM_AccessionNumber);
        header.studyDescription = text(data, DCM_StudyDescription);
        header.referringPhysician = text(data, DCM_ReferringPhysicianName);
        header.seriesNumber = integer(data, DCM_SeriesNumber, 0);
        Uint16 rows = 0, columns = 0;
        data.findAndGetUint16(DCM_Rows, rows);
        data.findAndGetUint16(DCM_Columns, columns);
        header.rows = rows;
        header.columns = columns;
        header.rowSpacing = number(data, DCM_PixelSpacing, 1, 0);
        header.columnSpacing = number(data, DCM_PixelSpacing, 1, 1);
        for (int n = 0; n < 3; ++n) {
            header.rowDirection[std::size_t(n)] = number(data, DCM_ImageOrientationPatient, n == 0 ? 1 : 0, unsigned(n));
            header.columnDirection[std::size_t(n)] = number(data, DCM_ImageOrientationPatient, n == 1 ? 1 : 0, unsigned(n + 3));
        }
        header.gantryTilt = number(data, DCM_GantryDetectorTilt, 0);
        DicomSlice slice;
        slice.file = path.string();
        slice.sopInstanceUid = text(data, DCM_SOPInstanceUID);
        slice.sopClassUid = text(data, DCM_SOPClassUID);
        slice.instanceNumber = integer(data, DCM_InstanceNumber, 0);
        for (int n = 0; n < 3; ++n) slice.position[std::size_t(n)] = number(data, DCM_ImagePositionPatient, 0, unsigned(n));

        std::string key = header.seriesInstanceUid;
        if (key.empty()) {
            key = "frame:" + header.frameOfReferenceUid + "|";
            for (double v : header.rowDirection) key += roundedKey(v) + ",";
            for (double v : header.columnDirection) key += roundedKey(v) + ",";
            key += roundedKey(header.rowSpacing) + "," + roundedKey(header.columnSpacing) + "|" +
                   std::to_string(header.rows) + "x" + std::to_string(header.columns) + "|" + header.seriesDescription;
        }
        auto [it, inserted] = byKey.emplace(key, header);
        if (inserted) order.push_back(key);
        it->second.slices.push_back(slice);
    }
    for (const std::string& key : order) {
        DicomSeries series = byKey.at(key);
        const Vec3 normal = cross(series.rowDirection, series.columnDirection);
        std::stable_sort(series.slices.begin(), series.slices.end(), [&](const DicomSlice& a, const DicomSlice& b) {
            return dot(a.position, normal) < dot(b.position, normal);
        });
        out.series.push_back(std::move(series));
    }
    return out;
}

namespace {

// The decoded pixel data of a JPEG 2000 slice (little endian, as stored: no rescale).
std::vector<char> decodeWithGdcm(const std::string& file) {
    gdcm::ImageReader reader;
    reader.SetFileName(file.c_str());
    if (!reader.Read()) throw Error(file, "cannot decode its JPEG 2000 pixel data");
    const gdcm::Image& image = reader.GetImage();
    std::vector<char> buffer(image.GetBufferLength());
    if (!image.GetBuffer(buffer.data())) throw Error(file, "cannot decode its JPEG 2000 pixel data");
    return buffer;
}

struct DecodedSlice {
    std::vector<float> values;  // rows x columns, rescaled
};

DecodedSlice decodeSlice(const DicomSlice& slice, const DicomSeries& series) {
    initialiseDcmtk();
    DcmFileFormat file;
    if (file.loadFile(slice.file.c_str()).bad()) throw Error(slice.file, "cannot be read");
    DcmDataset& data = *file.getDataset();
    const E_TransferSyntax syntax = data.getOriginalXfer();
    const bool jpeg2000 = syntax == EXS_JPEG2000 || syntax == EXS_JPEG2000LosslessOnly;
    // DCMTK has no JPEG 2000 codec: GDCM (OpenJPEG) decodes those slices.
    std::vector<char> gdcmPixels;
    if (jpeg2000) gdcmPixels = decodeWithGdcm(slice.file);
    else if (data.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad())
        throw Error(slice.file, std::string("cannot decode its pixel data (transfer syntax ") +
                                    DcmXfer(syntax).getXferName() + ")");
    Uint16 rows = 0, columns = 0, allocated = 0, stored = 0, representation = 0, samples = 1;
    data.findAndGetUint16(DCM_Rows, rows);
    data.findAndGetUint16(DCM_Columns, columns);
    data.findAndGetUint16(DCM_BitsAllocated, allocated);
    data.findAndGetUint16(DCM_BitsStored, stored);
    data.findAndGetUint16(DCM_PixelRepresentation, representation);
    data.findAndGetUint16(DCM_SamplesPerPixel, samples);
    if (rows != series.rows || columns != series.columns)
        throw Error(slice.file, "is " + std::to_string(columns) + "x" + std::to_string(rows) + ", the series' other slices " +
                                    std::to_string(series.columns) + "x" + std::to_string(series.rows));
    if (samples != 1) throw Error(slice.file, "is not a greyscale image (" + std::to_string(samples) + " samples per pixel)");
    const double slope = number(data, DCM_RescaleSlope, 1), intercept = number(data, DCM_RescaleIntercept, 0);
    const std::size_t count = std::size_t(rows) * columns;
    DecodedSlice out;
    out.values.resize(count);
    if (stored == 0) stored = allocated;
    const auto toValue = [&](std::uint32_t raw) {
        raw &= (stored >= 32 ? 0xffffffffu : ((1u << stored) - 1));
        double value = double(raw);
        if (representation == 1 && stored < 32 && (raw & (1u << (stored - 1)))) value -= double(1ull << stored);
        return float(value * slope + intercept);
    };
    if (jpeg2000) {
        const std::size_t bytes = std::size_t(allocated / 8);
        if (gdcmPixels.size() < count * bytes) throw Error(slice.file, "has too little pixel data");
        for (std::size_t v = 0; v < count; ++v) {
            std::uint32_t raw = 0;
            if (bytes == 2) raw = std::uint32_t(std::uint8_t(gdcmPixels[2 * v])) | std::uint32_t(std::uint8_t(gdcmPixels[2 * v + 1])) << 8;
            else raw = std::uint8_t(gdcmPixels[v]);
            out.values[v] = toValue(raw);
        }
    } else if (allocated == 16) {
        const Uint16* pixels = nullptr;
        unsigned long length = 0;
        if (data.findAndGetUint16Array(DCM_PixelData, pixels, &length).bad() || !pixels || length < count)
            throw Error(slice.file, "has no (or too little) pixel data");
        for (std::size_t v = 0; v < count; ++v) out.values[v] = toValue(pixels[v]);
    } else if (allocated == 8) {
        const Uint8* pixels = nullptr;
        unsigned long length = 0;
        if (data.findAndGetUint8Array(DCM_PixelData, pixels, &length).bad() || !pixels || length < count)
            throw Error(slice.file, "has no (or too little) pixel data");
        for (std::size_t v = 0; v < count; ++v) out.values[v] = toValue(pixels[v]);
    } else {
        throw Error(slice.file, std::to_string(allocated) + " bits allocated per pixel: not supported");
    }
    return out;
}

}  // namespace

DicomVolume readDicomSeries(const DicomSeries& series) {
    const std::string name = "series " + (series.seriesInstanceUid.empty() ? series.suggestedName() : series.seriesInstanceUid);
    if (series.slices.empty()) throw Error(name + ": has no slices");
    const Vec3 normal = cross(series.rowDirection, series.columnDirection);
    if (std::abs(std::sqrt(dot(normal, normal)) - 1) > 1e-3)
        throw Error(series.slices.front().file, "ImageOrientationPatient is not two orthonormal directions");
    if (std::abs(series.gantryTilt) > 0.01)
        throw Error(name, "is gantry-tilted (" + std::to_string(series.gantryTilt) +
                              " degrees): not supported; reconstruct it without tilt on the scanner");
    DicomVolume out;
    // Positions along the normal, and the in-plane shear that a tilt would show.
    std::vector<double> along;
    for (std::size_t n = 0; n < series.slices.size(); ++n) {
        along.push_back(dot(series.slices[n].position, normal));
        if (n == 0) continue;
        Vec3 step;
        for (std::size_t a = 0; a < 3; ++a) step[a] = series.slices[n].position[a] - series.slices[n - 1].position[a];
        const double length = std::sqrt(dot(step, step));
        if (length < 1e-4)
            throw Error(series.slices[n].file, "lies at the same position as " + series.slices[n - 1].file +
                                                   " (two slices of one place: a mixed or duplicated series)");
        const double alongNormal = std::abs(dot(step, normal)) / length;
        if (alongNormal < 0.9999)
            throw Error(name, "is gantry-tilted (its slices are sheared by " +
                                  std::to_string(std::acos(std::min(1.0, alongNormal)) * 180.0 / M_PI) +
                                  " degrees): not supported; reconstruct it without tilt on the scanner");
    }
    double spacing = 1.0;
    bool irregular = false;
    if (along.size() > 1) {
        std::vector<double> gaps;
        for (std::size_t n = 1; n < along.size(); ++n) gaps.push_back(along[n] - along[n - 1]);
        std::vector<double> sorted = gaps;
        std::sort(sorted.begin(), sorted.end());
        spacing = sorted[sorted.size() / 2];
        for (double gap : gaps) irregular = irregular || std::abs(gap - spacing) > 0.01 * spacing + 1e-3;
        if (irregular) {
            std::ostringstream warning;
            warning << name << ": irregular slice spacing (" << sorted.front() << " to " << sorted.back()
                    << " mm): resampled to " << spacing << " mm along the slice normal";
            out.warnings.push_back(warning.str());
        }
    }
    const std::size_t planes = irregular ? std::size_t(std::floor((along.back() - along.front()) / spacing + 1e-6)) + 1
                                         : series.slices.size();
    ImageGeometry g;
    g.size = {std::size_t(series.columns), std::size_t(series.rows), planes};
    g.spacing = {series.columnSpacing, series.rowSpacing, spacing};
    g.origin = series.slices.front().position;
    for (std::size_t r = 0; r < 3; ++r) {
        g.direction[r * 3 + 0] = series.rowDirection[r];     // i: along a row (columns increase)
        g.direction[r * 3 + 1] = series.columnDirection[r];  // j: down a column (rows increase)
        g.direction[r * 3 + 2] = normal[r];                  // k: the slice normal
    }
    out.image = FloatVolume(g, 0.0f);
    const std::size_t perSlice = std::size_t(series.rows) * series.columns;
    if (!irregular) {
        for (std::size_t k = 0; k < planes; ++k) {
            const DecodedSlice slice = decodeSlice(series.slices[k], series);
            std::copy(slice.values.begin(), slice.values.end(), out.image.data() + k * perSlice);
        }
        return out;
    }
    // Linear interpolation between the two acquired slices around each regular position.
    std::vector<DecodedSlice> decoded;
    for (const DicomSlice& slice : series.slices) decoded.push_back(decodeSlice(slice, series));
    for (std::size_t k = 0; k < planes; ++k) {
        const double target = along.front() + double(k) * spacing;
        std::size_t upper = 1;
        while (upper < along.size() - 1 && along[upper] < target - 1e-6) ++upper;
        const std::size_t lower = upper - 1;
        const double t = std::clamp((target - along[lower]) / (along[upper] - along[lower]), 0.0, 1.0);
        float* plane = out.image.data() + k * perSlice;
        for (std::size_t v = 0; v < perSlice; ++v)
            plane[v] = float((1 - t) * decoded[lower].values[v] + t * decoded[upper].values[v]);
    }
    return out;
}

}  // namespace ipnp
