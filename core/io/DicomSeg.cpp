#include "DicomSeg.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cmath>
#include <cstdio>
#include <ctime>

#include "AtomicFile.h"
#include "DicomReading.h"
#include "DicomSeries.h"
#include "DicomWriting.h"
#include "Error.h"

namespace ipnp {

namespace {

using dicomreading::firstItem;
using dicomreading::text;

// A functional group's first item, from the frame's own groups or else the shared ones.
DcmItem* group(DcmItem* perFrame, DcmItem* shared, const DcmTagKey& tag) {
    DcmItem* found = perFrame ? firstItem(*perFrame, tag) : nullptr;
    return found ? found : (shared ? firstItem(*shared, tag) : nullptr);
}

bool numbers(DcmItem* item, const DcmTagKey& tag, double* out, unsigned long count) {
    if (!item) return false;
    for (unsigned long n = 0; n < count; ++n) {
        Float64 value = 0;
        if (item->findAndGetFloat64(tag, value, n).bad()) return false;
        out[n] = value;
    }
    return true;
}

}  // namespace

bool isDicomSegFile(const std::string& path) { return structureKindOf(path) == StructureKind::Seg; }

DicomSegmentation readDicomSeg(const std::string& path) {
    DcmFileFormat file;
    if (!isDicomFile(path) || file.loadFile(path.c_str()).bad()) throw Error(path, "is not a readable DICOM file");
    DcmDataset& data = *file.getDataset();
    if (dicomreading::structureKindOf(data) != StructureKind::Seg)
        throw Error(path, "is not a DICOM Segmentation (SOP class " + text(data, DCM_SOPClassUID) + ")");
    DicomSegmentation seg;
    seg.file = path;
    if (DcmItem* series = firstItem(data, DCM_ReferencedSeriesSequence)) seg.referencedSeriesUid = text(*series, DCM_SeriesInstanceUID);
    Uint16 rows = 0, columns = 0, bits = 0;
    data.findAndGetUint16(DCM_Rows, rows);
    data.findAndGetUint16(DCM_Columns, columns);
    data.findAndGetUint16(DCM_BitsAllocated, bits);
    seg.rows = rows;
    seg.columns = columns;
    const std::string type = text(data, DCM_SegmentationType);
    if (type != "BINARY" && type != "FRACTIONAL") throw Error(path, "has an unknown SegmentationType '" + type + "'");
    if ((type == "BINARY" && bits != 1) || (type == "FRACTIONAL" && bits != 8))
        throw Error(path, "has " + std::to_string(bits) + " bits per pixel for a " + type + " segmentation");
    double maxFraction = 255;
    if (type == "FRACTIONAL") {
        Uint16 max = 0;
        if (data.findAndGetUint16(DCM_MaximumFractionalValue, max).good() && max > 0) maxFraction = max;
    }
    DcmSequenceOfItems* segments = nullptr;
    if (data.findAndGetSequence(DCM_SegmentSequence, segments).bad() || !segments || segments->card() == 0)
        throw Error(path, "holds no segment (empty SegmentSequence)");
    for (unsigned long n = 0; n < segments->card(); ++n) {
        DcmItem& item = *segments->getItem(n);
        SegSegment segment;
        Uint16 number = 0;
        item.findAndGetUint16(DCM_SegmentNumber, number);
        segment.number = number;
        segment.label = text(item, DCM_SegmentLabel);
        if (DcmItem* code = firstItem(item, DCM_SegmentedPropertyTypeCodeSequence)) segment.propertyMeaning = text(*code, DCM_CodeMeaning);
        seg.segments.push_back(segment);
    }

    DcmItem* shared = firstItem(data, DCM_SharedFunctionalGroupsSequence);
    DcmSequenceOfItems* perFrame = nullptr;
    data.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame);
    Sint32 frameCount = 0;
    data.findAndGetSint32(DCM_NumberOfFrames, frameCount);
    if (!perFrame || frameCount <= 0 || perFrame->card() != unsigned(frameCount))
        throw Error(path, "its per-frame functional groups do not match NumberOfFrames (" + std::to_string(frameCount) + ")");
    const Uint8* pixels = nullptr;
    unsigned long pixelBytes = 0;
    if (data.findAndGetUint8Array(DCM_PixelData, pixels, &pixelBytes).bad() || !pixels)
        throw Error(path, "has no pixel data");
    const std::size_t perFramePixels = std::size_t(rows) * columns;
    const std::size_t needed = type == "BINARY" ? (perFramePixels * std::size_t(frameCount) + 7) / 8
                                                : perFramePixels * std::size_t(frameCount);
    if (pixelBytes < needed)
        throw Error(path, "its pixel data holds " + std::to_string(pixelBytes) + " bytes, " + std::to_string(needed) +
                              " needed for " + std::to_string(frameCount) + " frames (truncated file?)");
    for (Sint32 f = 0; f < frameCount; ++f) {
        DcmItem* own = perFrame->getItem(unsigned(f));
        double orientation[6], spacing[2], position[3];
        if (!numbers(group(own, shared, DCM_PlaneOrientationSequence), DCM_ImageOrientationPatient, orientation, 6) ||
            !numbers(group(own, shared, DCM_PixelMeasuresSequence), DCM_PixelSpacing, spacing, 2) ||
            !numbers(group(own, shared, DCM_PlanePositionSequence), DCM_ImagePositionPatient, position, 3))
            throw Error(path, "frame " + std::to_string(f + 1) + " lacks its orientation, pixel spacing or position");
        if (f == 0) {
            seg.rowDirection = {orientation[0], orientation[1], orientation[2]};
            seg.columnDirection = {orientation[3], orientation[4], orientation[5]};
            seg.rowSpacing = spacing[0];
            seg.columnSpacing = spacing[1];
        }
        SegFrame frame;
        Uint16 segment = 0;
        if (DcmItem* id = group(own, shared, DCM_SegmentIdentificationSequence)) id->findAndGetUint16(DCM_ReferencedSegmentNumber, segment);
        frame.segment = segment;
        frame.position = {position[0], position[1], position[2]};
        frame.inside = std::vector<std::uint8_t>(perFramePixels);
        for (std::size_t p = 0; p < perFramePixels; ++p) {
            if (type == "BINARY") {
                // Frames follow each other bit by bit, least significant bit first.
                const std::size_t bit = std::size_t(f) * perFramePixels + p;
                frame.inside[p] = (pixels[bit / 8] >> (bit % 8)) & 1;
            } else {
                frame.inside[p] = pixels[std::size_t(f) * perFramePixels + p] / maxFraction >= 0.5;
            }
        }
        seg.frames.push_back(std::move(frame));
    }
    return seg;
}

Mask segmentMask(const DicomSegmentation& seg, int segmentNumber, const ImageGeometry& grid) {
    // The frames must share the grid's in-plane axes and spacing; each frame then lands on one slice.
    const auto same = [](double a, double b) { return std::abs(a - b) <= 1e-3 * std::max(1.0, std::abs(b)); };
    for (int a = 0; a < 3; ++a)
        if (!same(seg.rowDirection[std::size_t(a)], grid.direction[std::size_t(a * 3)]) ||
            !same(seg.columnDirection[std::size_t(a)], grid.direction[std::size_t(a * 3 + 1)]))
            throw Error(seg.file, "its frames are oriented differently from the scan");
    if (!same(seg.columnSpacing, grid.spacing[0]) || !same(seg.rowSpacing, grid.spacing[1]))
        throw Error(seg.file, "its pixel spacing (" + std::to_string(seg.rowSpacing) + " x " +
                                  std::to_string(seg.columnSpacing) + " mm) differs from the scan's");
    Mask mask(grid, 0);
    for (const SegFrame& frame : seg.frames) {
        if (frame.segment != segmentNumber) continue;
        const Vec3 at = grid.worldToIndex(frame.position);
        const long i0 = std::lround(at[0]), j0 = std::lround(at[1]), k = std::lround(at[2]);
        if (std::abs(at[0] - double(i0)) > 0.1 || std::abs(at[1] - double(j0)) > 0.1 || std::abs(at[2] - double(k)) > 0.1)
            throw Error(seg.file, "a frame of segment " + std::to_string(segmentNumber) + " lies between the scan's voxel centres");
        for (int r = 0; r < seg.rows; ++r)
            for (int c = 0; c < seg.columns; ++c) {
                if (!frame.inside[std::size_t(r) * std::size_t(seg.columns) + std::size_t(c)]) continue;
                const Index3 v{i0 + c, j0 + r, k};
                if (!grid.contains(v))
                    throw Error(seg.file, "segment " + std::to_string(segmentNumber) + " reaches outside the scan");
                mask.at(std::size_t(v[0]), std::size_t(v[1]), std::size_t(v[2])) = 1;
            }
    }
    return mask;
}


using namespace dicomwriting;

void writeDicomSeg(const std::string& path, const LabelMap& labels, const DicomSourceIdentity& source,
                   const std::vector<SegExportSegment>& segments, const std::string& seriesDescription) {
    const ImageGeometry& grid = labels.geometry();
    if (segments.empty()) throw Error(path, "nothing to export: the scan has no accepted or manual label");
    const std::size_t columns = grid.size[0], rows = grid.size[1], slices = grid.size[2];
    if (columns > 65535 || rows > 65535) throw Error(path, "the scan's slices are too large for DICOM");
    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    putNewDerivedObject(d, UID_SegmentationStorage, "SEG", "9001", seriesDescription, source);
    d.putAndInsertString(DCM_ImageType, "DERIVED\\PRIMARY");
    d.putAndInsertString(DCM_ContentLabel, "IPNP");
    d.putAndInsertString(DCM_ContentDescription, "Organ labels from IPnP Studio");
    d.putAndInsertString(DCM_ContentCreatorName, "IPnP^Studio");
    d.putAndInsertUint16(DCM_SamplesPerPixel, 1);
    d.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    d.putAndInsertUint16(DCM_Rows, Uint16(rows));
    d.putAndInsertUint16(DCM_Columns, Uint16(columns));
    d.putAndInsertUint16(DCM_BitsAllocated, 1);
    d.putAndInsertUint16(DCM_BitsStored, 1);
    d.putAndInsertUint16(DCM_HighBit, 0);
    d.putAndInsertUint16(DCM_PixelRepresentation, 0);
    d.putAndInsertString(DCM_LossyImageCompression, "00");
    d.putAndInsertString(DCM_SegmentationType, "BINARY");

    for (std::size_t n = 0; n < segments.size(); ++n) {
        const SegExportSegment& s = segments[n];
        DcmItem* item = nullptr;
        d.findOrCreateSequenceItem(DCM_SegmentSequence, item, -2);
        item->putAndInsertUint16(DCM_SegmentNumber, Uint16(n + 1));
        item->putAndInsertString(DCM_SegmentLabel, s.label.c_str());
        item->putAndInsertString(DCM_SegmentAlgorithmType, s.manual ? "MANUAL" : "SEMIAUTOMATIC");
        if (!s.manual) item->putAndInsertString(DCM_SegmentAlgorithmName, "IPnP Studio");
        putCode(*item, DCM_SegmentedPropertyCategoryCodeSequence, anatomicalStructureCategory());
        putCode(*item, DCM_SegmentedPropertyTypeCodeSequence, s.anatomy.type);
        if (s.anatomy.laterality) {
            DcmItem* type = nullptr;
            item->findOrCreateSequenceItem(DCM_SegmentedPropertyTypeCodeSequence, type, 0);
            putCode(*type, DCM_SegmentedPropertyTypeModifierCodeSequence, *s.anatomy.laterality);
        }
    }

    // Dimensions: segment number, then position (as dcmqi and most readers expect).
    const std::string dimensionUid = newUid(SITE_INSTANCE_UID_ROOT);
    DcmItem* organisation = nullptr;
    d.findOrCreateSequenceItem(DCM_DimensionOrganizationSequence, organisation, -2);
    organisation->putAndInsertString(DCM_DimensionOrganizationUID, dimensionUid.c_str());
    const std::pair<DcmTagKey, DcmTagKey> dimensions[2] = {{DCM_ReferencedSegmentNumber, DCM_SegmentIdentificationSequence},
                                                          {DCM_ImagePositionPatient, DCM_PlanePositionSequence}};
    const char* dimensionLabels[2] = {"ReferencedSegmentNumber", "ImagePositionPatient"};
    for (int n = 0; n < 2; ++n) {
        DcmItem* index = nullptr;
        d.findOrCreateSequenceItem(DCM_DimensionIndexSequence, index, -2);
        index->putAndInsertString(DCM_DimensionOrganizationUID, dimensionUid.c_str());
        index->putAndInsertTagKey(DCM_DimensionIndexPointer, dimensions[n].first);
        index->putAndInsertTagKey(DCM_FunctionalGroupPointer, dimensions[n].second);
        index->putAndInsertString(DCM_DimensionDescriptionLabel, dimensionLabels[n]);
    }

    DcmItem* shared = nullptr;
    d.findOrCreateSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, -2);
    DcmItem* measures = nullptr;
    shared->findOrCreateSequenceItem(DCM_PixelMeasuresSequence, measures, -2);
    measures->putAndInsertString(DCM_PixelSpacing, decimals({grid.spacing[1], grid.spacing[0]}).c_str());
    measures->putAndInsertString(DCM_SliceThickness, decimal(grid.spacing[2]).c_str());
    measures->putAndInsertString(DCM_SpacingBetweenSlices, decimal(grid.spacing[2]).c_str());
    DcmItem* orientation = nullptr;
    shared->findOrCreateSequenceItem(DCM_PlaneOrientationSequence, orientation, -2);
    const Mat3& m = grid.direction;
    orientation->putAndInsertString(DCM_ImageOrientationPatient,
                                    decimals({m[0], m[3], m[6], m[1], m[4], m[7]}).c_str());

    // Frames: every slice a segment has voxels on, segment by segment.
    std::vector<std::uint8_t> bits;
    std::size_t frames = 0;
    const std::size_t framePixels = rows * columns;
    const bool perSlice = source.instancePerSlice && source.instances.size() == slices;
    for (std::size_t n = 0; n < segments.size(); ++n) {
        const std::uint8_t value = segments[n].value;
        for (std::size_t k = 0; k < slices; ++k) {
            const std::uint8_t* slice = labels.data() + k * framePixels;
            if (std::none_of(slice, slice + framePixels, [value](std::uint8_t v) { return v == value; })) continue;
            bits.resize((frames + 1) * framePixels);
            for (std::size_t p = 0; p < framePixels; ++p) bits[frames * framePixels + p] = slice[p] == value;
            ++frames;
            DcmItem* frame = nullptr;
            d.findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, -2);
            DcmItem* content = nullptr;
            frame->findOrCreateSequenceItem(DCM_FrameContentSequence, content, -2);
            const Uint32 indices[2] = {Uint32(n + 1), Uint32(k + 1)};
            content->putAndInsertUint32Array(DCM_DimensionIndexValues, indices, 2);
            DcmItem* position = nullptr;
            frame->findOrCreateSequenceItem(DCM_PlanePositionSequence, position, -2);
            const Vec3 corner = grid.indexToWorld({0, 0, double(k)});
            position->putAndInsertString(DCM_ImagePositionPatient, decimals({corner[0], corner[1], corner[2]}).c_str());
            DcmItem* identification = nullptr;
            frame->findOrCreateSequenceItem(DCM_SegmentIdentificationSequence, identification, -2);
            identification->putAndInsertUint16(DCM_ReferencedSegmentNumber, Uint16(n + 1));
            if (perSlice) {
                DcmItem* derivation = nullptr;
                frame->findOrCreateSequenceItem(DCM_DerivationImageSequence, derivation, -2);
                putCode(*derivation, DCM_DerivationCodeSequence, {"113076", "DCM", "Segmentation"});
                DcmItem* sourceImage = nullptr;
                derivation->findOrCreateSequenceItem(DCM_SourceImageSequence, sourceImage, -2);
                sourceImage->putAndInsertString(DCM_ReferencedSOPClassUID, source.instances[k].sopClassUid.c_str());
                sourceImage->putAndInsertString(DCM_ReferencedSOPInstanceUID, source.instances[k].sopInstanceUid.c_str());
                putCode(*sourceImage, DCM_PurposeOfReferenceCodeSequence,
                        {"121322", "DCM", "Source image for image processing operation"});
            }
        }
    }
    if (frames == 0) throw Error(path, "nothing to export: every label is empty");
    d.putAndInsertString(DCM_NumberOfFrames, std::to_string(frames).c_str());
    // Frames follow each other bit by bit, least significant bit first; the whole padded to even bytes.
    std::vector<Uint8> packed(((bits.size() + 7) / 8 + 1) / 2 * 2, 0);
    for (std::size_t b = 0; b < bits.size(); ++b)
        if (bits[b]) packed[b / 8] |= Uint8(1u << (b % 8));
    d.putAndInsertUint8Array(DCM_PixelData, packed.data(), unsigned(packed.size()));

    // What the segmentation was drawn on (Common Instance Reference module).
    DcmItem* referenced = nullptr;
    d.findOrCreateSequenceItem(DCM_ReferencedSeriesSequence, referenced, -2);
    referenced->putAndInsertString(DCM_SeriesInstanceUID, source.seriesUid.c_str());
    for (const auto& instance : source.instances) {
        DcmItem* item = nullptr;
        referenced->findOrCreateSequenceItem(DCM_ReferencedInstanceSequence, item, -2);
        item->putAndInsertString(DCM_ReferencedSOPClassUID, instance.sopClassUid.c_str());
        item->putAndInsertString(DCM_ReferencedSOPInstanceUID, instance.sopInstanceUid.c_str());
    }
    saveAtomically(file, path);
}

}  // namespace ipnp
