#include "ImageFile.h"

#include <zlib.h>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOFactory.h>
#include <itkImportImageFilter.h>

#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>

#include "AtomicFile.h"
#include "Error.h"
#include "GzipIntegrity.h"
#include "GzipMembers.h"

namespace ipnp {

namespace {

ComponentType fromItk(itk::IOComponentEnum type) {
    using C = itk::IOComponentEnum;
    switch (type) {
        case C::UCHAR: return ComponentType::UInt8;
        case C::CHAR: return ComponentType::Int8;
        case C::USHORT: return ComponentType::UInt16;
        case C::SHORT: return ComponentType::Int16;
        case C::UINT: return ComponentType::UInt32;
        case C::INT: return ComponentType::Int32;
        case C::ULONG:
        case C::ULONGLONG: return sizeof(unsigned long) == 8 || type == C::ULONGLONG ? ComponentType::UInt64
                                                                                       : ComponentType::UInt32;
        case C::LONG:
        case C::LONGLONG: return sizeof(long) == 8 || type == C::LONGLONG ? ComponentType::Int64 : ComponentType::Int32;
        case C::FLOAT: return ComponentType::Float32;
        case C::DOUBLE: return ComponentType::Float64;
        default: return ComponentType::Other;
    }
}

// ITK reports problems as exceptions whose text is a long, multi-line trace; keep its last line.
std::string itkReason(const itk::ExceptionObject& error) {
    std::string text = error.GetDescription();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    const auto newline = text.rfind('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
}

itk::ImageIOBase::Pointer openImageIO(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(path, "no such file");
    if (std::filesystem::is_directory(path, ec)) throw Error(path, "is a folder, not an image file");
    itk::ImageIOBase::Pointer io =
        itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::IOFileModeEnum::ReadMode);
    if (!io)
        throw Error(path, "not a readable image (supported: .nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd)");
    io->SetFileName(path);
    try {
        io->ReadImageInformation();
    } catch (const itk::ExceptionObject& error) {
        throw Error(path, "cannot read the image header: " + itkReason(error));
    }
    return io;
}

ImageHeader headerFrom(itk::ImageIOBase& io) {
    ImageHeader header;
    unsigned dimensions = io.GetNumberOfDimensions();
    while (dimensions > 3 && io.GetDimensions(dimensions - 1) == 1) --dimensions;
    header.dimensions = dimensions;
    header.components = io.GetNumberOfComponents();
    header.componentType = fromItk(io.GetComponentType());
    ImageGeometry& g = header.geometry;
    for (unsigned axis = 0; axis < std::min(3u, io.GetNumberOfDimensions()); ++axis) {
        g.size[axis] = io.GetDimensions(axis);
        g.spacing[axis] = io.GetSpacing(axis);
        g.origin[axis] = io.GetOrigin(axis);
        const std::vector<double> column = io.GetDirection(axis);
        for (unsigned row = 0; row < 3; ++row)
            g.direction[row * 3 + axis] = row < column.size() ? column[row] : (row == axis ? 1.0 : 0.0);
    }
    for (unsigned axis = io.GetNumberOfDimensions(); axis < 3; ++axis) g.size[axis] = 1;
    return header;
}

void requireScalar3D(const ImageHeader& header, const std::string& path) {
    if (header.dimensions > 3)
        throw Error(path, "is a " + std::to_string(header.dimensions) +
                              "D image; IPnP Studio needs one 3D volume per file (split the series first)");
    if (header.dimensions < 3)
        throw Error(path, "is a " + std::to_string(header.dimensions) + "D image, not a 3D volume");
    if (header.components != 1)
        throw Error(path, "has " + std::to_string(header.components) +
                              " values per voxel (colour or vector image); a scan has one");
    if (header.componentType == ComponentType::Other) throw Error(path, "has an unsupported voxel type");
}

template <typename Source, typename T>
void convertInto(const char* bytes, std::size_t count, T* out, const std::string& path) {
    const Source* in = reinterpret_cast<const Source*>(bytes);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<Source, T>) {
        constexpr auto low = static_cast<long double>(std::numeric_limits<T>::lowest());
        constexpr auto high = static_cast<long double>(std::numeric_limits<T>::max());
        for (std::size_t n = 0; n < count; ++n) {
            const auto value = static_cast<long double>(in[n]);
            if (!(value >= low && value <= high) || value != std::floor(value)) {
                std::ostringstream message;
                message << "voxel value " << static_cast<double>(value) << " cannot be stored as "
                        << (std::is_signed_v<T> ? "a signed " : "an unsigned ") << sizeof(T) * 8
                        << "-bit integer";
                throw Error(path, message.str());
            }
            out[n] = static_cast<T>(in[n]);
        }
    } else {
        for (std::size_t n = 0; n < count; ++n) out[n] = static_cast<T>(in[n]);
    }
}

template <typename T>
itk::IOComponentEnum itkComponentOf() {
    return itk::ImageIOBase::MapPixelType<T>::CType;
}

}  // namespace

const char* toString(ComponentType type) {
    switch (type) {
        case ComponentType::UInt8: return "uint8";
        case ComponentType::Int8: return "int8";
        case ComponentType::UInt16: return "uint16";
        case ComponentType::Int16: return "int16";
        case ComponentType::UInt32: return "uint32";
        case ComponentType::Int32: return "int32";
        case ComponentType::UInt64: return "uint64";
        case ComponentType::Int64: return "int64";
        case ComponentType::Float32: return "float32";
        case ComponentType::Float64: return "float64";
        case ComponentType::Other: return "unsupported";
    }
    return "unsupported";
}

bool isIntegerType(ComponentType type) {
    return type != ComponentType::Float32 && type != ComponentType::Float64 && type != ComponentType::Other;
}

std::size_t byteSize(ComponentType type) {
    switch (type) {
        case ComponentType::UInt8:
        case ComponentType::Int8: return 1;
        case ComponentType::UInt16:
        case ComponentType::Int16: return 2;
        case ComponentType::UInt32:
        case ComponentType::Int32:
        case ComponentType::Float32: return 4;
        case ComponentType::UInt64:
        case ComponentType::Int64:
        case ComponentType::Float64: return 8;
        case ComponentType::Other: return 0;
    }
    return 0;
}

void requireSupportedGeometry(const ImageGeometry& geometry, const std::string& path) {
    for (int axis = 0; axis < 3; ++axis)
        if (!(geometry.spacing[axis] > 0) || !std::isfinite(geometry.spacing[axis]))
            throw Error(path, "voxel spacing must be positive (axis " + std::to_string(axis) + " has " +
                                  std::to_string(geometry.spacing[axis]) + ")");
    if (!isOrthonormal(geometry.direction, 1e-3))
        throw Error(path, "its voxel axes are not orthogonal (sheared grid); resample it first");
}

ImageHeader readImageHeader(const std::string& path) {
    itk::ImageIOBase::Pointer io = openImageIO(path);
    return headerFrom(*io);
}

namespace {

// The whole file in one read (an istreambuf_iterator copy took 0.5 s for 88 MB).
std::string readWholeFile(const std::string& path, const char* problem) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw Error(path, problem);
    std::string bytes(std::size_t(in.tellg()), '\0');
    in.seekg(0);
    if (!in.read(bytes.data(), std::streamsize(bytes.size()))) throw Error(path, problem);
    return bytes;
}

template <typename T>
T fieldAt(const std::vector<char>& bytes, std::size_t offset) {
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
}

ComponentType niftiComponentType(std::int16_t datatype) {
    switch (datatype) {
        case 2: return ComponentType::UInt8;
        case 4: return ComponentType::Int16;
        case 8: return ComponentType::Int32;
        case 16: return ComponentType::Float32;
        case 64: return ComponentType::Float64;
        case 256: return ComponentType::Int8;
        case 512: return ComponentType::UInt16;
        case 768: return ComponentType::UInt32;
        case 1024: return ComponentType::Int64;
        case 1280: return ComponentType::UInt64;
        default: return ComponentType::Other;
    }
}

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A single-file NIfTI-1 (.nii, .nii.gz) read in one go and inflated on all cores: ITK inflates a
// .nii.gz on one core in small reads, and with the integrity pass every scan was inflated twice
// (2.5 s for a 512x512x300 CT). ITK has read the header (the geometry from qform/sform); the raw
// header's fields that locate the voxels must agree with it. Anything else (NIfTI-2, another byte
// order, intensity scaling, a header/image pair) returns false and ITK reads the voxels.
// `gzipChecked`: the whole gzip stream was inflated and its CRCs checked (no second pass needed).
bool readNiftiVoxels(const std::string& path, const ImageHeader& header, RawImage& raw, bool& gzipChecked) {
    const bool gz = endsWith(path, ".nii.gz");
    if (!gz && !endsWith(path, ".nii")) return false;
    std::string stored = readWholeFile(path, "cannot read");
    std::vector<char> bytes = gz ? gunzipWhole(stored, path) : std::vector<char>(stored.begin(), stored.end());
    gzipChecked = gz;
    stored.clear();
    stored.shrink_to_fit();
    if (bytes.size() < 352 || fieldAt<std::int32_t>(bytes, 0) != 348 || std::memcmp(bytes.data() + 344, "n+1", 4) != 0)
        return false;
    const auto dims = fieldAt<std::int16_t>(bytes, 40);
    std::array<std::size_t, 3> size{1, 1, 1};
    for (int axis = 1; axis <= 7 && axis <= dims; ++axis) {
        const auto extent = fieldAt<std::int16_t>(bytes, 40 + 2 * std::size_t(axis));
        if (axis <= 3) size[std::size_t(axis - 1)] = std::size_t(std::max<std::int16_t>(extent, 0));
        else if (extent > 1) return false;
    }
    const float slope = fieldAt<float>(bytes, 112), intercept = fieldAt<float>(bytes, 116);
    const float voxOffset = fieldAt<float>(bytes, 108);
    if (!(voxOffset >= 352.0f && voxOffset < float(bytes.size()))) return false;  // NaN, negative: let ITK judge
    const auto offset = std::size_t(voxOffset);
    const std::size_t length = size[0] * size[1] * size[2] * byteSize(header.componentType);
    if (niftiComponentType(fieldAt<std::int16_t>(bytes, 70)) != header.componentType || size != header.geometry.size ||
        (slope != 0 && !(slope == 1 && intercept == 0)) || offset < 352 || offset + length > bytes.size())
        return false;
    bytes.erase(bytes.begin(), bytes.begin() + std::ptrdiff_t(offset));
    bytes.resize(length);
    raw.bytes = std::move(bytes);
    return true;
}

}  // namespace

RawImage readRawImage(const std::string& path, GzipCheck gzipCheck) {
    itk::ImageIOBase::Pointer io = openImageIO(path);
    {
        RawImage raw;
        raw.header = headerFrom(*io);
        requireScalar3D(raw.header, path);
        requireSupportedGeometry(raw.header.geometry, path);
        if (raw.header.geometry.voxelCount() == 0) throw Error(path, "the image has no voxels");
        bool gzipChecked = false;
        if (readNiftiVoxels(path, raw.header, raw, gzipChecked)) return raw;
        if (gzipChecked) gzipCheck = GzipCheck::Skip;
    }
    if (gzipCheck == GzipCheck::Verify && GzipIntegrity::isGzipFileName(path)) GzipIntegrity::requireWholeFile(path);
    RawImage raw;
    raw.header = headerFrom(*io);
    requireScalar3D(raw.header, path);
    requireSupportedGeometry(raw.header.geometry, path);
    const std::size_t bytes = raw.header.geometry.voxelCount() * byteSize(raw.header.componentType);
    if (bytes == 0) throw Error(path, "the image has no voxels");
    raw.bytes.resize(bytes);
    itk::ImageIORegion region(io->GetNumberOfDimensions());
    for (unsigned axis = 0; axis < io->GetNumberOfDimensions(); ++axis) {
        region.SetIndex(axis, 0);
        region.SetSize(axis, io->GetDimensions(axis));
    }
    io->SetIORegion(region);
    try {
        io->Read(raw.bytes.data());
    } catch (const itk::ExceptionObject& error) {
        throw Error(path, "the voxel data is incomplete or corrupt (truncated download?): " + itkReason(error));
    }
    return raw;
}

template <typename T>
Volume<T> toVolume(const RawImage& raw, const std::string& path) {
    Volume<T> volume(raw.header.geometry);
    const std::size_t count = volume.voxelCount();
    const char* bytes = raw.bytes.data();
    T* out = volume.data();
    switch (raw.header.componentType) {
        case ComponentType::UInt8: convertInto<std::uint8_t>(bytes, count, out, path); break;
        case ComponentType::Int8: convertInto<std::int8_t>(bytes, count, out, path); break;
        case ComponentType::UInt16: convertInto<std::uint16_t>(bytes, count, out, path); break;
        case ComponentType::Int16: convertInto<std::int16_t>(bytes, count, out, path); break;
        case ComponentType::UInt32: convertInto<std::uint32_t>(bytes, count, out, path); break;
        case ComponentType::Int32: convertInto<std::int32_t>(bytes, count, out, path); break;
        case ComponentType::UInt64: convertInto<std::uint64_t>(bytes, count, out, path); break;
        case ComponentType::Int64: convertInto<std::int64_t>(bytes, count, out, path); break;
        case ComponentType::Float32: convertInto<float>(bytes, count, out, path); break;
        case ComponentType::Float64: convertInto<double>(bytes, count, out, path); break;
        case ComponentType::Other: throw Error(path, "has an unsupported voxel type");
    }
    return volume;
}

LabelMap readLabelMap(const std::string& path) {
    RawImage raw = readRawImage(path);
    if (!isIntegerType(raw.header.componentType))
        throw Error(path, std::string("a label map must hold integer labels, but its voxels are ") +
                              toString(raw.header.componentType) + " (an intensity image given as labels?)");
    try {
        return toVolume<std::uint8_t>(raw, path);
    } catch (const Error& error) {
        throw Error(path, "label values must be 0..255 (" + std::string(error.what()).substr(path.size() + 2) + ")");
    }
}

namespace {

// Compresses `from` into `to` at `level` (1..9) and removes `from`; errors name `path`. The data is
// cut into members compressed on all cores (GzipMembers.h): one valid gzip stream that zlib, ITK,
// nibabel and gzip read as usual, and that readRawImage inflates on all cores again.
void gzipFile(const std::string& from, const std::string& to, int level, const std::string& path) {
    const std::string plain = readWholeFile(from, "cannot write (temporary file vanished)");
    std::remove(from.c_str());
    const std::string gz = gzipInMembers(plain.data(), plain.size(), level);
    if (gz.empty()) throw Error(path, "cannot compress");
    std::ofstream out(to, std::ios::binary);
    out.write(gz.data(), std::streamsize(gz.size()));
    if (!out.flush()) throw Error(path, "cannot write (disk full?)");
}

}  // namespace

template <typename T>
void writeVolume(const Volume<T>& volume, const std::string& path, int compressionLevel) {
    using ImageType = itk::Image<T, 3>;
    const ImageGeometry& g = volume.geometry();
    typename ImageType::Pointer image = ImageType::New();
    typename ImageType::RegionType region;
    typename ImageType::DirectionType direction;
    typename ImageType::PointType origin;
    typename ImageType::SpacingType spacing;
    for (unsigned axis = 0; axis < 3; ++axis) {
        region.SetSize(axis, g.size[axis]);
        origin[axis] = g.origin[axis];
        spacing[axis] = g.spacing[axis];
        for (unsigned row = 0; row < 3; ++row) direction[row][axis] = g.direction[row * 3 + axis];
    }
    image->SetRegions(region);
    image->SetOrigin(origin);
    image->SetSpacing(spacing);
    image->SetDirection(direction);
    // Borrow the voxels without copying; ITK must not free them.
    image->GetPixelContainer()->SetImportPointer(const_cast<T*>(volume.data()), volume.voxelCount(), false);

    writeFileAtomically(path, [&](const std::string& finalTemp) {
        // ITK 5.2's NIfTI writer ignores the compression level (gzip's default 6 took 15 s for a
        // 512x512x300 CT, measured): it writes a plain .nii, and zlib compresses that at the level asked.
        const bool niftiGz = imageExtension(path) == ".nii.gz";
        const std::string temp =
            niftiGz ? finalTemp.substr(0, finalTemp.size() - std::string(".nii.gz").size()) + "-plain.nii" : finalTemp;
        itk::ImageIOBase::Pointer io =
            itk::ImageIOFactory::CreateImageIO(temp.c_str(), itk::IOFileModeEnum::WriteMode);
        if (!io) throw Error(path, "unsupported image format (use .nii.gz, .nii, .nrrd or .mha)");
        const std::string extension = imageExtension(path);
        const bool compress = !niftiGz && extension != ".nii" && extension != ".nhdr" && extension != ".mhd";
        // Level 1 is fastest; the files are written once and read many times, but mostly small.
        io->SetCompressionLevel(compressionLevel);  // clamped by ITK to the format's range
        auto writer = itk::ImageFileWriter<ImageType>::New();
        writer->SetImageIO(io);
        writer->SetFileName(temp);
        writer->SetInput(image);
        writer->SetUseCompression(compress);
        try {
            writer->Update();
        } catch (const itk::ExceptionObject& error) {
            throw Error(path, "cannot write: " + itkReason(error));
        }
        if (niftiGz) gzipFile(temp, finalTemp, compressionLevel, path);
    });
}

template Volume<std::uint8_t> toVolume<std::uint8_t>(const RawImage&, const std::string&);
template Volume<std::int16_t> toVolume<std::int16_t>(const RawImage&, const std::string&);
template Volume<float> toVolume<float>(const RawImage&, const std::string&);
template void writeVolume<std::uint8_t>(const Volume<std::uint8_t>&, const std::string&, int);
template void writeVolume<std::int16_t>(const Volume<std::int16_t>&, const std::string&, int);
template void writeVolume<float>(const Volume<float>&, const std::string&, int);

}  // namespace ipnp
