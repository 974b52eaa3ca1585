#pragma once
// Reading and writing 3D images (NIfTI .nii/.nii.gz, NRRD .nrrd/.nhdr, MetaImage .mha/.mhd) through
// ITK. Every error names the file and says what is wrong with it.
#include <string>
#include <vector>

#include "Volume.h"

namespace ipnp {

enum class ComponentType { UInt8, Int8, UInt16, Int16, UInt32, Int32, UInt64, Int64, Float32, Float64, Other };

const char* toString(ComponentType type);
bool isIntegerType(ComponentType type);
std::size_t byteSize(ComponentType type);

struct ImageHeader {
    ImageGeometry geometry;
    unsigned dimensions = 3;  // after dropping trailing axes of length 1
    unsigned components = 1;  // values per voxel (3 for RGB)
    ComponentType componentType = ComponentType::Other;
};

// The voxels exactly as the file stores them (native component type, x fastest).
struct RawImage {
    ImageHeader header;
    std::vector<char> bytes;
};

// Reads only the header. Throws ipnp::Error for a missing, unreadable or unsupported file.
ImageHeader readImageHeader(const std::string& path);
// Decodes every voxel (a truncated or corrupt file fails here). Requires a 3D scalar image.
// A caller that checks the gzip stream itself while reading the bytes anyway (the importer
// copies them) passes GzipCheck::Skip to avoid inflating the file twice.
enum class GzipCheck { Verify, Skip };
RawImage readRawImage(const std::string& path, GzipCheck gzipCheck = GzipCheck::Verify);

// Converted voxel values; an integer target refuses values it cannot hold.
template <typename T>
Volume<T> toVolume(const RawImage& raw, const std::string& pathForMessages);
template <typename T>
Volume<T> readVolume(const std::string& path) {
    return toVolume<T>(readRawImage(path), path);
}
// A label map: integer voxels within 0..255.
LabelMap readLabelMap(const std::string& path);

// Writes atomically (temporary file + rename); .nii.gz/.nrrd/.mha are compressed.
// `compressionLevel` 1 (fast) .. 9 (small).
template <typename T>
void writeVolume(const Volume<T>& volume, const std::string& path, int compressionLevel = 1);

// Accepts a direction matrix with columns of unit length, orthogonal to 1e-4; throws otherwise.
void requireSupportedGeometry(const ImageGeometry& geometry, const std::string& path);

}  // namespace ipnp
