// Image IO: bit-exact round trips with oblique geometry, an independent reader (nibabel), and
// every broken input named with its file.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "Error.h"
#include "ImageFile.h"
#include "TestSupport.h"

using namespace ipnp;
using test::errorOf;

namespace {

// Rotation by 30 degrees about x, then 20 degrees about z: an oblique, proper rotation.
Mat3 obliqueDirection() {
    const double a = 30 * M_PI / 180, b = 20 * M_PI / 180;
    const double rx[9] = {1, 0, 0, 0, std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a)};
    const double rz[9] = {std::cos(b), -std::sin(b), 0, std::sin(b), std::cos(b), 0, 0, 0, 1};
    Mat3 d{};
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            for (int n = 0; n < 3; ++n) d[r * 3 + c] += rz[r * 3 + n] * rx[n * 3 + c];
    return d;
}

// Anisotropic spacing and an origin that float32 holds exactly.
ScanVolume patternVolume() {
    ImageGeometry g;
    g.size = {23, 17, 11};
    g.spacing = {0.75, 1.25, 2.5};
    g.origin = {-120.5, 30.25, 17.75};
    g.direction = obliqueDirection();
    ScanVolume volume(g);
    for (std::size_t k = 0; k < 11; ++k)
        for (std::size_t j = 0; j < 17; ++j)
            for (std::size_t i = 0; i < 23; ++i) volume.at(i, j, k) = std::int16_t((i * 7 + j * 13 + k * 31) % 2000 - 1000);
    return volume;
}

void requireGeometryWithin(const ImageGeometry& a, const ImageGeometry& b, double tolerance) {
    QCOMPARE(a.size, b.size);
    for (int n = 0; n < 3; ++n) {
        QVERIFY2(std::abs(a.spacing[n] - b.spacing[n]) <= tolerance, "spacing");
        QVERIFY2(std::abs(a.origin[n] - b.origin[n]) <= tolerance, "origin");
    }
    for (int n = 0; n < 9; ++n) QVERIFY2(std::abs(a.direction[n] - b.direction[n]) <= tolerance, "direction");
}


}  // namespace

class ImageFileTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString path(const char* name) { return dir.filePath(name); }

private Q_SLOTS:
    void roundTripsAreBitExact_data() {
        QTest::addColumn<QString>("name");
        for (const char* name : {"v.nii.gz", "v.nii", "v.nrrd", "v.mha"}) QTest::newRow(name) << QString(name);
    }
    void roundTripsAreBitExact() {
        QFETCH(QString, name);
        const ScanVolume original = patternVolume();
        const std::string file = dir.filePath(name).toStdString();
        writeVolume(original, file);
        const ImageHeader header = readImageHeader(file);
        QCOMPARE(header.componentType, ComponentType::Int16);
        const ScanVolume back = readVolume<std::int16_t>(file);
        QVERIFY(back.voxels() == original.voxels());
        requireGeometryWithin(back.geometry(), original.geometry(), 1e-5);
    }

    void nibabelReadsTheSameVoxelsAndWorldGeometry() {
        if (!test::debianPythonHasNibabel()) QSKIP("/usr/bin/python3 lacks nibabel (apt-get install python3-nibabel)");
        const ScanVolume original = patternVolume();
        const QString file = path("for_nibabel.nii.gz");
        writeVolume(original, file.toStdString());
        const char* script =
            "import sys, json, nibabel as nib, numpy as np\n"
            "img = nib.load(sys.argv[1])\n"
            "a = np.asarray(img.dataobj.get_unscaled())\n"
            "print(json.dumps({'shape': list(a.shape), 'dtype': str(a.dtype), 'affine': img.affine.tolist(),\n"
            "  'sum': int(a.astype(np.int64).sum()), 'v': [int(a[3, 5, 7]), int(a[22, 16, 10]), int(a[0, 0, 0])]}))\n";
        const auto result = test::runProgram("/usr/bin/python3", {"-c", script, file});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QJsonObject out = QJsonDocument::fromJson(result.out.toUtf8()).object();
        QCOMPARE(out["dtype"].toString(), QString("int16"));
        QCOMPARE(out["shape"].toArray(), (QJsonArray{23, 17, 11}));
        // Expected voxels from the pattern formula, summed here by hand.
        qint64 sum = 0;
        for (int k = 0; k < 11; ++k)
            for (int j = 0; j < 17; ++j)
                for (int i = 0; i < 23; ++i) sum += (i * 7 + j * 13 + k * 31) % 2000 - 1000;
        QCOMPARE(out["sum"].toInteger(), sum);
        QCOMPARE(out["v"].toArray()[0].toInt(), (3 * 7 + 5 * 13 + 7 * 31) % 2000 - 1000);
        QCOMPARE(out["v"].toArray()[1].toInt(), (22 * 7 + 16 * 13 + 10 * 31) % 2000 - 1000);
        // nibabel's affine maps voxel indices to RAS: diag(-1,-1,1) * (direction * diag(spacing) | origin).
        const QJsonArray affine = out["affine"].toArray();
        const ImageGeometry& g = original.geometry();
        const double flip[3] = {-1, -1, 1};
        for (int row = 0; row < 3; ++row) {
            const QJsonArray line = affine[row].toArray();
            for (int col = 0; col < 3; ++col)
                QVERIFY(std::abs(line[col].toDouble() - flip[row] * g.direction[row * 3 + col] * g.spacing[col]) < 1e-5);
            QVERIFY(std::abs(line[3].toDouble() - flip[row] * g.origin[row]) < 1e-4);
        }
    }

    void largeFilesAreCompressedInPiecesThatEveryReaderJoins() {
        // 256^3 int16 (32 MiB) is cut into pieces compressed in parallel, one gzip member each: the
        // file must still be one gzip stream to gzip itself, to nibabel and to this project's reader.
        ImageGeometry g;
        g.size = {256, 256, 256};
        ScanVolume volume(g);
        for (std::size_t v = 0; v < volume.voxelCount(); ++v) volume.data()[v] = std::int16_t(v % 65521 - 30000);
        const QString file = path("large.nii.gz");
        writeVolume(volume, file.toStdString());
        const auto members = test::runProgram("/bin/sh", {"-c", "gzip -t '" + file + "' && gzip -dc '" + file + "' | wc -c"});
        QVERIFY2(members.exitCode == 0, qPrintable(members.err));
        QCOMPARE(members.out.trimmed(), QString::number(352 + 256 * 256 * 256 * 2));  // NIfTI-1 header + voxels
        QVERIFY(readVolume<std::int16_t>(file.toStdString()).voxels() == volume.voxels());
        if (!test::debianPythonHasNibabel()) QSKIP("/usr/bin/python3 lacks nibabel (apt-get install python3-nibabel)");
        // Voxel (i, j, k) holds (i + 256 j + 65536 k) % 65521 - 30000: (255, 255, 255) -> 16777215 % 65521 - 30000.
        const auto nib = test::runProgram("/usr/bin/python3", {"-c",
            "import nibabel, numpy, sys; a = numpy.asarray(nibabel.load(sys.argv[1]).dataobj); print(a.shape, a[255, 255, 255], a[1, 2, 3])",
            file});
        QVERIFY2(nib.exitCode == 0, qPrintable(nib.err));
        QCOMPARE(nib.out.trimmed(), QString("(256, 256, 256) %1 %2").arg(16777215 % 65521 - 30000).arg((1 + 512 + 196608) % 65521 - 30000));
    }

    void niftiFromAnotherWriterReadsTheSame() {
        // gzip itself compresses our plain .nii in one member (no member lengths: one sequential
        // pass) and nibabel writes a scaled int16 file (scl_slope 2, scl_inter -10: ITK applies it).
        const ScanVolume original = patternVolume();
        const QString plain = path("other.nii"), single = path("other.nii.gz");
        writeVolume(original, plain.toStdString());
        const auto gz = test::runProgram("/bin/sh", {"-c", "gzip -c '" + plain + "' > '" + single + "'"});
        QVERIFY2(gz.exitCode == 0, qPrintable(gz.err));
        const ScanVolume fromPlain = readVolume<std::int16_t>(plain.toStdString());
        const ScanVolume fromSingle = readVolume<std::int16_t>(single.toStdString());
        QVERIFY(fromPlain.voxels() == original.voxels());
        QVERIFY(fromSingle.voxels() == original.voxels());
        requireGeometryWithin(fromSingle.geometry(), original.geometry(), 1e-5);
        if (!test::debianPythonHasNibabel()) QSKIP("/usr/bin/python3 lacks nibabel (apt-get install python3-nibabel)");
        const QString scaled = path("scaled.nii.gz");
        const auto nib = test::runProgram("/usr/bin/python3", {"-c",
            "import nibabel, numpy, sys\n"
            "a = (numpy.arange(24, dtype=numpy.int16) * 3).reshape((4, 3, 2), order='F')\n"
            "img = nibabel.Nifti1Image(a, numpy.diag([0.5, 2, 3, 1]))\n"
            "img.header.set_slope_inter(2, -10)\n"
            "nibabel.save(img, sys.argv[1])", scaled});
        QVERIFY2(nib.exitCode == 0, qPrintable(nib.err));
        const FloatVolume values = readVolume<float>(scaled.toStdString());
        QCOMPARE(values.at(0, 0, 0), -10.0f);          // 0 * 2 - 10
        QCOMPARE(values.at(1, 0, 0), 3 * 2 - 10.0f);   // stored 3
        QCOMPARE(values.at(3, 2, 1), 23 * 3 * 2 - 10.0f);
    }

    void damagedGzipMemberIsNamed() {
        // A flipped byte in the middle of the compressed voxels: the member's CRC (or its deflate
        // stream) no longer checks out, in whichever member it lands.
        ImageGeometry g;
        g.size = {256, 256, 80};  // 10 MiB: two members
        ScanVolume volume(g);
        for (std::size_t n = 0; n < volume.voxelCount(); ++n) volume.data()[n] = std::int16_t((n * 2654435761u) >> 20);
        const std::string file = path("flipped.nii.gz").toStdString();
        writeVolume(volume, file);
        std::fstream bytes(file, std::ios::in | std::ios::out | std::ios::binary);
        const auto middle = std::streamoff(std::filesystem::file_size(file) / 3);
        bytes.seekg(middle);
        const char original = char(bytes.get());
        bytes.seekp(middle);
        bytes.put(char(original ^ 0x5a));
        bytes.close();
        const QString message = errorOf([&] { readRawImage(file); });
        QVERIFY2(message.contains("flipped.nii.gz"), qPrintable(message));
        QVERIFY2(message.contains("corrupt") || message.contains("truncated"), qPrintable(message));
    }

    void missingFileIsNamed() {
        const QString message = errorOf([&] { readRawImage(path("nothing.nii.gz").toStdString()); });
        QVERIFY(message.contains("nothing.nii.gz") && message.contains("no such file"));
    }

    void truncatedFileIsRefused() {
        ImageGeometry g;
        g.size = {64, 64, 40};
        ScanVolume volume(g);
        for (std::size_t n = 0; n < volume.voxelCount(); ++n) volume.data()[n] = std::int16_t((n * 2654435761u) >> 20);
        const std::string file = path("cut.nii.gz").toStdString();
        writeVolume(volume, file);
        std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);
        const QString message = errorOf([&] { readRawImage(file); });
        QVERIFY2(message.contains("cut.nii.gz"), qPrintable(message));
        QVERIFY2(message.contains("truncated") || message.contains("incomplete"), qPrintable(message));
    }

    void fourDimensionalImageIsRefused() {
        test::writeHandMadeNrrd(path("four.nrrd"), "short", {4, 4, 4, 2}, QByteArray(4 * 4 * 4 * 2 * 2, '\0'));
        const QString message = errorOf([&] { readRawImage(path("four.nrrd").toStdString()); });
        QVERIFY2(message.contains("four.nrrd") && message.contains("4D"), qPrintable(message));
    }

    void floatLabelMapIsRefused() {
        test::writeHandMadeNrrd(path("float.nrrd"), "float", {4, 4, 4}, QByteArray(4 * 4 * 4 * 4, '\0'));
        const QString message = errorOf([&] { readLabelMap(path("float.nrrd").toStdString()); });
        QVERIFY2(message.contains("float.nrrd") && message.contains("integer labels"), qPrintable(message));
    }

    void labelValuesAbove255AreRefused() {
        QByteArray data(2 * 2 * 2 * 2, '\0');
        data[0] = char(0x2c);  // 300 as little-endian uint16
        data[1] = char(0x01);
        test::writeHandMadeNrrd(path("big.nrrd"), "unsigned short", {2, 2, 2}, data);
        const QString message = errorOf([&] { readLabelMap(path("big.nrrd").toStdString()); });
        QVERIFY2(message.contains("big.nrrd") && message.contains("0..255") && message.contains("300"), qPrintable(message));
    }

    void handMadeNrrdReadsAsWritten() {
        // Independent of our writer: bytes laid out by hand, x fastest.
        QByteArray data;
        for (int n = 0; n < 24; ++n) data.append(char(n));
        test::writeHandMadeNrrd(path("hand.nrrd"), "unsigned char", {4, 3, 2}, data, "0.5 2 3");
        const LabelMap labels = readLabelMap(path("hand.nrrd").toStdString());
        QCOMPARE(int(labels.at(1, 0, 0)), 1);
        QCOMPARE(int(labels.at(0, 1, 0)), 4);
        QCOMPARE(int(labels.at(3, 2, 1)), 23);
        QCOMPARE(labels.geometry().spacing[0], 0.5);
        QCOMPARE(labels.geometry().spacing[2], 3.0);
    }

    void notAnImageIsRefused() {
        QFile text(path("notes.nii.gz"));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("these are not voxels");
        text.close();
        const QString message = errorOf([&] { readRawImage(path("notes.nii.gz").toStdString()); });
        QVERIFY2(message.contains("notes.nii.gz"), qPrintable(message));
    }

    void realSampleNrrdReads() {
        const std::string file = IPNP_SHARED_DATA "/pyradiomics_brain1/brain1_label.nrrd";
        if (!std::filesystem::exists(file)) QSKIP("../shared/data is not here");
        const LabelMap labels = readLabelMap(file);
        QVERIFY(labels.voxelCount() > 0);
        const ImageHeader image = readImageHeader(IPNP_SHARED_DATA "/pyradiomics_brain1/brain1_image.nrrd");
        QVERIFY(image.geometry.sameGrid(labels.geometry(), 1e-3));
    }
};

QTEST_APPLESS_MAIN(ImageFileTest)
#include "ImageFileTest.moc"
