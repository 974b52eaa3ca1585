// TorchScript generalists under the point3d and box2d contracts (docs/generalists.md), with models
// built here by torch::jit::Module::define whose outputs are known: "+10 inside the box it is
// given", "balls around its positive points", "the image minus a constant". The voxels each
// should give are computed in this file from the contracts' formulas (scan 0.8 x 0.8 x 2.5 mm, a
// crop spacing that differs from the scan's on every axis), never by the code under test.
#include <torch/cuda.h>
#include <torch/script.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>
#include <set>

#include "Error.h"
#include "GeneralistContractFile.h"
#include "TestSupport.h"
#include "TorchScriptGeneralist.h"

using namespace ipnp;
using ipnp::test::errorOf;

namespace {

void saveModel(const QString& path, const std::string& source) {
    torch::jit::Module module("TestGeneralist");
    module.define(source);
    module.save(path.toStdString());
}

void writeText(const QString& path, const QByteArray& text) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
}

// The scan every test uses: 40 x 36 x 24 voxels of 0.8 x 0.8 x 2.5 mm, a direction that is not
// the identity (the contracts work on voxel axes, so it must not matter).
ImageGeometry scanGeometry() {
    ImageGeometry g;
    g.size = {40, 36, 24};
    g.spacing = {0.8, 0.8, 2.5};
    g.origin = {-12.0, 30.5, 7.25};
    g.direction = {0, 1, 0, 1, 0, 0, 0, 0, -1};
    return g;
}

FloatVolume scanOf(const std::function<float(long, long, long)>& value) {
    FloatVolume image(scanGeometry());
    for (long k = 0; k < 24; ++k)
        for (long j = 0; j < 36; ++j)
            for (long i = 0; i < 40; ++i) image.at(std::size_t(i), std::size_t(j), std::size_t(k)) = value(i, j, k);
    return image;
}

using VoxelSet = std::set<std::array<long, 3>>;

// Scan voxels (i, j, k) of a region-sized mask that are 1.
VoxelSet voxelsOf(const Mask& mask, const VoxelRegion& region) {
    VoxelSet set;
    const auto& size = mask.size();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i)
                if (mask.at(i, j, k)) set.insert({region.first[0] + long(i), region.first[1] + long(j), region.first[2] + long(k)});
    return set;
}

VoxelSet voxelsWhere(const VoxelRegion& region, const std::function<bool(long, long, long)>& inside) {
    VoxelSet set;
    for (long k = region.first[2]; k < region.end[2]; ++k)
        for (long j = region.first[1]; j < region.end[1]; ++j)
            for (long i = region.first[0]; i < region.end[0]; ++i)
                if (inside(i, j, k)) set.insert({i, j, k});
    return set;
}

QString describe(const VoxelSet& got, const VoxelSet& expected) {
    QStringList lines{QString("got %1 voxels, expected %2").arg(got.size()).arg(expected.size())};
    int shown = 0;
    for (const auto& v : got)
        if (!expected.count(v) && shown++ < 5) lines << QString("extra (%1, %2, %3)").arg(v[0]).arg(v[1]).arg(v[2]);
    for (const auto& v : expected)
        if (!got.count(v) && shown++ < 10) lines << QString("missing (%1, %2, %3)").arg(v[0]).arg(v[1]).arg(v[2]);
    return lines.join("; ");
}

// ---- point3d, by hand ----
// The test crop: [D, H, W] = [15, 23, 19] voxels of [3.1, 1.3, 1.1] mm (z, y, x).
constexpr long kCropD = 15, kCropH = 23, kCropW = 19;
constexpr double kCropSz = 3.1, kCropSy = 1.3, kCropSx = 1.1;

const char* point3dJson(const char* extra) {
    static std::string text;
    text = std::string("{\"contract\": \"point3d\", \"crop_size\": [15, 23, 19], \"crop_spacing_mm\": [3.1, 1.3, 1.1],\n"
                       " \"threshold\": 0, ") +
           extra + "}\n";
    return text.c_str();
}

// The axis map of the contract: crop coordinate u of scan index x along one axis.
struct AxisMap {
    double centre;  // (box.first + box.end - 1) / 2
    double ratio;   // scan spacing / crop spacing
    long n;         // crop voxels along the axis
    double u(double x) const { return (n - 1) / 2.0 + (x - centre) * ratio; }
    double x(double u) const { return centre + (u - (n - 1) / 2.0) / ratio; }
    long nearest(long p) const {  // -1 outside the crop
        const long u0 = long(std::floor(u(double(p)) + 0.5));
        return u0 >= 0 && u0 < n ? u0 : -1;
    }
};

std::array<AxisMap, 3> axisMaps(const VoxelRegion& box) {
    const double crop[3] = {kCropSx, kCropSy, kCropSz};
    const long n[3] = {kCropW, kCropH, kCropD};
    const auto spacing = scanGeometry().spacing;
    std::array<AxisMap, 3> maps{};
    for (int a = 0; a < 3; ++a) maps[a] = {(box.first[a] + box.end[a] - 1) / 2.0, spacing[a] / crop[a], n[a]};
    return maps;
}

// No scan voxel of the region may sit (within 1e-6) half-way between two crop voxels, so "nearest"
// has one answer whatever the rounding.
void requireNoTies(const std::array<AxisMap, 3>& maps, const VoxelRegion& region) {
    for (int a = 0; a < 3; ++a)
        for (long p = region.first[a]; p < region.end[a]; ++p) {
            const double u = maps[a].u(double(p));
            QVERIFY2(std::abs(u - std::floor(u) - 0.5) > 1e-6, qPrintable(QString("tie on axis %1 at %2").arg(a).arg(p)));
        }
}

PromptSet point3dPrompt() {
    PromptSet prompt;
    prompt.organ = 3;
    prompt.box = {{14, 10, 8}, {25, 19, 13}};   // centre (19, 14, 10)
    prompt.region = {{0, 2, 4}, {40, 30, 18}};  // wider than the crop along i (crop spans ~28.7 scan voxels)
    prompt.coarse = Mask(scanGeometry().region(prompt.region.first, prompt.region.size()));
    return prompt;
}

// ---- box2d, by hand ----
// PyTorch's bilinear resize (align_corners=False) of a 1D signal of n samples to m samples.
std::vector<double> resize1d(const std::vector<double>& signal, long m) {
    const long n = long(signal.size());
    std::vector<double> out(static_cast<std::size_t>(m));
    for (long x = 0; x < m; ++x) {
        double s = (x + 0.5) * double(n) / double(m) - 0.5;
        if (s < 0) s = 0;
        const long lo = std::min(long(std::floor(s)), n - 1), hi = std::min(lo + 1, n - 1);
        const double t = s - double(lo);
        out[std::size_t(x)] = (1 - t) * signal[std::size_t(lo)] + t * signal[std::size_t(hi)];
    }
    return out;
}

const char* kBoxMaskModel =
    // +10 on the output pixels whose centre (in input pixels) lies inside the box [x0, x1) x [y0, y1).
    "def forward(self, image, box):\n"
    "    OH = OUT_H\n"
    "    OW = OUT_W\n"
    "    y = (torch.arange(OH).float() + 0.5) * (image.size(2) / OH)\n"
    "    x = (torch.arange(OW).float() + 0.5) * (image.size(3) / OW)\n"
    "    b = box[0]\n"
    "    iy = ((y >= b[1]) & (y < b[3])).float().view(OH, 1)\n"
    "    ix = ((x >= b[0]) & (x < b[2])).float().view(1, OW)\n"
    "    return (iy * ix * 20.0 - 10.0).view(1, 1, OH, OW)\n";

std::string withOutput(const char* source, long height, long width) {
    std::string s = source;
    s.replace(s.find("OUT_H"), 5, std::to_string(height));
    s.replace(s.find("OUT_W"), 5, std::to_string(width));
    return s;
}

PromptSet box2dPrompt() {
    PromptSet prompt;
    prompt.organ = 5;
    prompt.box = {{12, 9, 6}, {27, 21, 11}};
    prompt.region = {{6, 4, 5}, {34, 27, 13}};
    // Different boxes per slice; slice 12 has none (stays 0); slice 3 lies outside the region. No
    // edge is at i = 20 or j = 18, where a 13-pixel output would have a pixel centre exactly on it.
    prompt.sliceBoxes = {{5, 13, 10, 25, 20}, {6, 12, 9, 27, 21}, {7, 14, 11, 23, 17}, {8, 15, 12, 22, 19},
                         {9, 16, 10, 26, 19}, {10, 12, 9, 19, 14}, {11, 17, 13, 21, 16}, {3, 10, 10, 20, 20}};
    prompt.coarse = Mask(scanGeometry().region(prompt.region.first, prompt.region.size()));
    return prompt;
}

}  // namespace

class TorchScriptGeneralistTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    // Saves `source` as NAME.pt with `json` as NAME.json and opens it as the CLI will.
    std::unique_ptr<TorchScriptGeneralist> open(const QString& name, const std::string& source, const char* json) {
        const QString pt = dir_.filePath(name + ".pt");
        saveModel(pt, source);
        writeText(dir_.filePath(name + ".json"), json);
        const std::string path = pt.toStdString();
        return std::make_unique<TorchScriptGeneralist>(path, readGeneralistContractFile(generalistContractPathFor(path)),
                                                       "sha-of-" + name.toStdString());
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void point3dBoxLandsOnTheVoxelsOfItsCrop() {
        // The model: +10 on the crop voxels inside the box it is given (inclusive, crop voxel
        // coordinates z, y, x), -10 elsewhere.
        const std::string source =
            "def forward(self, image, points, labels, box):\n"
            "    d = image.size(2)\n"
            "    h = image.size(3)\n"
            "    w = image.size(4)\n"
            "    z = torch.arange(d).float().view(d, 1, 1)\n"
            "    y = torch.arange(h).float().view(1, h, 1)\n"
            "    x = torch.arange(w).float().view(1, 1, w)\n"
            "    b = box[0]\n"
            "    inside = (z >= b[0]) & (z <= b[3]) & (y >= b[1]) & (y <= b[4]) & (x >= b[2]) & (x <= b[5])\n"
            "    return (inside.float() * 20.0 - 10.0).view(1, 1, d, h, w)\n";
        auto generalist = open("boxmodel", source,
                               point3dJson("\"normalization\": \"zscore\", \"max_points\": 1, \"pad_points\": false, "
                                           "\"box_input\": true"));
        const GeneralistIdentity identity = generalist->identity();
        QCOMPARE(QString::fromStdString(identity.name), QString("boxmodel.pt"));
        QCOMPARE(QString::fromStdString(identity.sha256), QString("sha-of-boxmodel"));
        QCOMPARE(QString::fromStdString(identity.contract), QString("point3d"));

        PromptSet prompt = point3dPrompt();
        prompt.positivePoints = {{19, 14, 10}};
        const auto maps = axisMaps(prompt.box);
        requireNoTies(maps, prompt.region);
        const FloatVolume image = scanOf([](long i, long j, long k) { return float(i * 3 + j - k); });
        const Mask mask = generalist->segment(image, prompt);
        QCOMPARE(mask.size(), prompt.region.size());
        QVERIFY(mask.geometry().sameGrid(scanGeometry().region(prompt.region.first, prompt.region.size())));

        // The box the model got, as float32 crop coordinates of the first and last box voxels.
        std::array<float, 3> lo{}, hi{};
        for (int a = 0; a < 3; ++a) {
            lo[a] = float(std::clamp(maps[a].u(double(prompt.box.first[a])), 0.0, double(maps[a].n - 1)));
            hi[a] = float(std::clamp(maps[a].u(double(prompt.box.end[a] - 1)), 0.0, double(maps[a].n - 1)));
        }
        const VoxelSet expected = voxelsWhere(prompt.region, [&](long i, long j, long k) {
            const long p[3] = {i, j, k};
            for (int a = 0; a < 3; ++a) {
                const long u = maps[a].nearest(p[a]);
                if (u < 0 || float(u) < lo[a] || float(u) > hi[a]) return false;
            }
            return true;
        });
        const VoxelSet got = voxelsOf(mask, prompt.region);
        QVERIFY2(got == expected, qPrintable(describe(got, expected)));
        // And that is the prompt box give or take the crop's coarser voxels: it holds the box's
        // inner part and stays within one crop voxel of it.
        QVERIFY(expected.count({15, 11, 9}) && expected.count({23, 17, 11}));
        for (const auto& v : expected)
            QVERIFY(v[0] >= 13 && v[0] <= 25 && v[1] >= 9 && v[1] <= 19 && v[2] >= 7 && v[2] <= 13);
    }

    void point3dPointsBecomeBallsWithHoles() {
        // The model: the union of 6 mm balls (in crop mm) around label-1 points, minus 3 mm balls
        // around label-0 points; label -1 ignored. It also insists on COUNT rows.
        const std::string source =
            "def forward(self, image, points, labels):\n"
            "    d = image.size(2)\n"
            "    h = image.size(3)\n"
            "    w = image.size(4)\n"
            "    z = torch.arange(d).float().view(d, 1, 1)\n"
            "    y = torch.arange(h).float().view(1, h, 1)\n"
            "    x = torch.arange(w).float().view(1, 1, w)\n"
            "    pos = torch.zeros([d, h, w])\n"
            "    neg = torch.zeros([d, h, w])\n"
            "    for n in range(points.size(1)):\n"
            "        p = points[0, n]\n"
            "        d2 = ((z - p[0]) * 3.1) ** 2 + ((y - p[1]) * 1.3) ** 2 + ((x - p[2]) * 1.1) ** 2\n"
            "        if int(labels[0, n]) == 1:\n"
            "            pos = torch.maximum(pos, (d2 <= 36.0).float())\n"
            "        if int(labels[0, n]) == 0:\n"
            "            neg = torch.maximum(neg, (d2 <= 9.0).float())\n"
            "    ok = 1.0 if points.size(1) == COUNT and labels.element_size() == 8 and not labels.is_floating_point() else 0.0\n"
            "    return ((pos * (1.0 - neg) * ok) * 20.0 - 10.0).view(1, 1, d, h, w)\n";
        const auto withCount = [&](int count) {
            std::string s = source;
            s.replace(s.find("COUNT"), 5, std::to_string(count));
            return s;
        };

        PromptSet prompt = point3dPrompt();
        // The first positive point lies outside the crop (i = 2 maps to crop x < -0.5): left out.
        prompt.positivePoints = {{2, 14, 10}, {17, 13, 10}, {22, 16, 9}};
        prompt.negativePoints = {{24, 10, 10}, {22, 16, 9}};
        const auto maps = axisMaps(prompt.box);
        requireNoTies(maps, prompt.region);
        QVERIFY(maps[0].u(2.0) < -0.5);
        const FloatVolume image = scanOf([](long, long, long) { return 0.0f; });

        const auto expectedFor = [&](const std::vector<Index3>& positives, const std::vector<Index3>& negatives) {
            const auto d2 = [&](const std::array<long, 3>& u, const Index3& p) {
                const double mm[3] = {kCropSx, kCropSy, kCropSz};
                double sum = 0;
                for (int a = 0; a < 3; ++a) {
                    const double delta = (double(u[a]) - double(float(maps[a].u(double(p[a]))))) * mm[a];
                    sum += delta * delta;
                }
                return sum;
            };
            return voxelsWhere(prompt.region, [&](long i, long j, long k) {
                const std::array<long, 3> u{maps[0].nearest(i), maps[1].nearest(j), maps[2].nearest(k)};
                if (u[0] < 0 || u[1] < 0 || u[2] < 0) return false;
                bool in = false;
                for (const Index3& p : positives) {
                    const double d = d2(u, p);
                    if (std::abs(d - 36.0) < 1e-3) qFatal("ball radius tie");
                    in = in || d <= 36.0;
                }
                for (const Index3& p : negatives) in = in && d2(u, p) > 9.0;
                return in;
            });
        };

        // max_points 3, no padding: the two positives inside the crop and the first negative; the
        // second negative (inside the second ball) is one too many.
        {
            auto generalist = open("balls3", withCount(3),
                                   point3dJson("\"normalization\": \"none\", \"max_points\": 3, \"pad_points\": false, "
                                               "\"box_input\": false"));
            const VoxelSet got = voxelsOf(generalist->segment(image, prompt), prompt.region);
            const VoxelSet expected = expectedFor({{17, 13, 10}, {22, 16, 9}}, {{24, 10, 10}});
            // The hole is visible, the second negative point is not.
            QVERIFY(expected.count({17, 13, 10}) && expected.count({22, 16, 9}));
            QVERIFY(expected != expectedFor({{17, 13, 10}, {22, 16, 9}}, {}));
            QVERIFY2(got == expected, qPrintable(describe(got, expected)));
        }
        // max_points 6, padded: both negatives, and one padding row of label -1.
        {
            auto generalist = open("balls6", withCount(6),
                                   point3dJson("\"normalization\": \"none\", \"max_points\": 6, \"pad_points\": true, "
                                               "\"box_input\": false"));
            const VoxelSet got = voxelsOf(generalist->segment(image, prompt), prompt.region);
            const VoxelSet expected = expectedFor({{17, 13, 10}, {22, 16, 9}}, {{24, 10, 10}, {22, 16, 9}});
            QVERIFY(!expected.count({22, 16, 9}) && expected.count({17, 13, 10}));
            QVERIFY2(got == expected, qPrintable(describe(got, expected)));
        }
        // No positive point inside the crop: the component's voxel nearest (mm) to the crop centre.
        {
            auto generalist = open("balls1", withCount(1),
                                   point3dJson("\"normalization\": \"none\", \"max_points\": 1, \"pad_points\": false, "
                                               "\"box_input\": false"));
            PromptSet far = prompt;
            far.positivePoints = {{2, 14, 10}};
            far.negativePoints.clear();
            // Component voxels (scan indices): (19, 14, 13) is 7.5 mm from the centre (19, 14, 10),
            // (21, 15, 10) 1.79 mm, (3, 14, 10) is outside the crop.
            for (const Index3& p : std::vector<Index3>{{19, 14, 13}, {21, 15, 10}, {3, 14, 10}})
                far.coarse.at(std::size_t(p[0] - far.region.first[0]), std::size_t(p[1] - far.region.first[1]),
                              std::size_t(p[2] - far.region.first[2])) = 1;
            const VoxelSet got = voxelsOf(generalist->segment(image, far), far.region);
            const VoxelSet expected = expectedFor({{21, 15, 10}}, {});
            QVERIFY2(got == expected, qPrintable(describe(got, expected)));
            far.coarse = Mask(far.coarse.geometry());
            const QString error = errorOf([&] { generalist->segment(image, far); });
            QVERIFY2(error.contains("balls1.pt") && error.contains("no positive point"), qPrintable(error));
        }
    }

    void point3dCropSamplesTheScanTrilinearly() {
        // The model: logits = image - 0.25. Scan intensities are linear in one index (trilinear
        // interpolation reproduces them exactly, clamped at the scan's edges), so the crop voxel
        // at scan position x holds f(clamp(x)); ct_window [0, 200] then maps 10 x - 100 to
        // clamp((10 x - 100) / 200, 0, 1) > 0.25 <=> x > 15 (on the i axis).
        const std::string source = "def forward(self, image, points, labels):\n    return image - 0.25\n";
        PromptSet prompt = point3dPrompt();
        prompt.positivePoints = {{19, 14, 10}};
        const auto maps = axisMaps(prompt.box);
        const auto clampTo = [](double x, long n) { return std::clamp(x, 0.0, double(n - 1)); };

        auto window = open("image_window", source,
                           point3dJson("\"normalization\": \"ct_window\", \"window\": [0, 200], \"max_points\": 1, "
                                       "\"pad_points\": false, \"box_input\": false"));
        const auto crossing = [&](int axis, double threshold) {
            return voxelsWhere(prompt.region, [&](long i, long j, long k) {
                const long p[3] = {i, j, k};
                long u[3];
                for (int a = 0; a < 3; ++a)
                    if ((u[a] = maps[a].nearest(p[a])) < 0) return false;
                const double x = clampTo(maps[axis].x(double(u[axis])), long(scanGeometry().size[std::size_t(axis)]));
                if (std::abs(x - threshold) < 1e-4) qFatal("threshold tie");
                return x > threshold;
            });
        };
        {
            const FloatVolume image = scanOf([](long i, long, long) { return float(10 * i - 100); });
            const VoxelSet got = voxelsOf(window->segment(image, prompt), prompt.region);
            const VoxelSet expected = crossing(0, 15.0);
            QVERIFY(!expected.empty() && expected.size() < crossing(0, -1.0).size());
            QVERIFY2(got == expected, qPrintable(describe(got, expected)));
        }
        // Along j and along k, with no normalisation: image = j / 10 (> 0.25 <=> y > 2.5) and
        // image = (k - 8.3) / 2 (> 0.25 <=> z > 8.8); both crops reach past the scan's first
        // voxel (where the edge value repeats).
        auto plain = open("image_plain", source,
                          point3dJson("\"normalization\": \"none\", \"max_points\": 1, \"pad_points\": false, "
                                      "\"box_input\": false"));
        {
            PromptSet shifted = prompt;
            shifted.box = {{14, 1, 8}, {25, 8, 13}};
            shifted.region = {{10, 0, 6}, {30, 14, 16}};
            const auto shiftedMaps = axisMaps(shifted.box);
            requireNoTies(shiftedMaps, shifted.region);
            const FloatVolume image = scanOf([](long, long j, long) { return float(j) / 10.0f; });
            const VoxelSet got = voxelsOf(plain->segment(image, shifted), shifted.region);
            const VoxelSet expected = voxelsWhere(shifted.region, [&](long i, long j, long k) {
                const long p[3] = {i, j, k};
                long u[3];
                for (int a = 0; a < 3; ++a)
                    if ((u[a] = shiftedMaps[a].nearest(p[a])) < 0) return false;
                return clampTo(shiftedMaps[1].x(double(u[1])), 36) > 2.5;
            });
            QVERIFY(!expected.empty());
            QVERIFY2(got == expected, qPrintable(describe(got, expected)));
        }
        {
            PromptSet tall = prompt;
            tall.box = {{14, 10, 0}, {25, 19, 6}};
            tall.region = {{12, 8, 0}, {27, 21, 16}};
            const auto tallMaps = axisMaps(tall.box);
            requireNoTies(tallMaps, tall.region);
            QVERIFY(tallMaps[2].x(0) < 0 && tallMaps[2].x(kCropD - 1) > 8.8);
            const FloatVolume image = scanOf([](long, long, long k) { return float(k - 8.3) / 2.0f; });
            const VoxelSet got = voxelsOf(plain->segment(image, tall), tall.region);
            const VoxelSet expected = voxelsWhere(tall.region, [&](long i, long j, long k) {
                const long p[3] = {i, j, k};
                long u[3];
                for (int a = 0; a < 3; ++a)
                    if ((u[a] = tallMaps[a].nearest(p[a])) < 0) return false;
                return clampTo(tallMaps[2].x(double(u[2])), 24) > 8.8;
            });
            QVERIFY(!expected.empty());
            QVERIFY2(got == expected, qPrintable(describe(got, expected)));
        }
    }

    void point3dNormalisationsReachTheModel() {
        // The model answers +10 everywhere when the crop's statistics are what the normalisation
        // promises (zscore: mean 0, SD 1; minmax: min 0, max 1), -10 otherwise.
        const char* statistics =
            "def forward(self, image, points, labels):\n"
            "    m = image.mean()\n"
            "    sd = ((image - m) ** 2).mean().sqrt()\n"
            "    ok = 10.0 if CONDITION else -10.0\n"
            "    return torch.zeros_like(image) + ok\n";
        const auto model = [&](const char* condition) {
            std::string s = statistics;
            s.replace(s.find("CONDITION"), 9, condition);
            return s;
        };
        PromptSet prompt = point3dPrompt();
        prompt.positivePoints = {{19, 14, 10}};
        const FloatVolume image = scanOf([](long i, long j, long k) { return float(1000 + 7 * i - 3 * j + 20 * k); });
        const VoxelSet wholeCrop = voxelsWhere(prompt.region, [&](long i, long j, long k) {
            const auto maps = axisMaps(prompt.box);
            return maps[0].nearest(i) >= 0 && maps[1].nearest(j) >= 0 && maps[2].nearest(k) >= 0;
        });
        QVERIFY(!wholeCrop.empty() && wholeCrop.size() < prompt.region.voxelCount());
        auto zscore = open("stats_z", model("abs(float(m)) < 1e-4 and abs(float(sd) - 1.0) < 1e-4"),
                           point3dJson("\"normalization\": \"zscore\", \"max_points\": 1, \"pad_points\": false, "
                                       "\"box_input\": false"));
        QCOMPARE(voxelsOf(zscore->segment(image, prompt), prompt.region), wholeCrop);
        auto minmax = open("stats_mm", model("float(image.min()) == 0.0 and float(image.max()) == 1.0"),
                           point3dJson("\"normalization\": \"minmax\", \"max_points\": 1, \"pad_points\": false, "
                                       "\"box_input\": false"));
        QCOMPARE(voxelsOf(minmax->segment(image, prompt), prompt.region), wholeCrop);
        // The same minmax model on raw intensities says no.
        auto raw = open("stats_raw", model("float(image.min()) == 0.0 and float(image.max()) == 1.0"),
                        point3dJson("\"normalization\": \"none\", \"max_points\": 1, \"pad_points\": false, "
                                    "\"box_input\": false"));
        QVERIFY(voxelsOf(raw->segment(image, prompt), prompt.region).empty());

        // zscore_positive: the statistics of the crop voxels > 0 only. With image = 10 i - 300 the
        // crop voxel u (along i) holds 10 x(u) - 300 (x clamped to the scan: this crop reaches past
        // i = 39); logits = the normalised image > 0 exactly where that value exceeds the mean of
        // the positive ones (zscore: the mean of all).
        prompt.box = {{26, 10, 8}, {37, 19, 13}};
        prompt.positivePoints = {{31, 14, 10}};
        const auto maps = axisMaps(prompt.box);
        requireNoTies(maps, prompt.region);
        const FloatVolume ramp = scanOf([](long i, long, long) { return float(10 * i - 300); });
        std::vector<double> values;
        for (long u = 0; u < kCropW; ++u) values.push_back(10 * std::clamp(maps[0].x(double(u)), 0.0, 39.0) - 300);
        double positiveSum = 0, allSum = 0;
        int positives = 0;
        for (double v : values) {
            allSum += v;
            if (v > 0) positiveSum += v, ++positives;
        }
        QVERIFY(positives > 2 && positives < kCropW - 2);
        const auto aboveMean = [&](double mean) {
            for (double v : values)
                if (std::abs(v - mean) < 1e-3) qFatal("mean tie");
            return voxelsWhere(prompt.region, [&](long i, long j, long k) {
                const long u = maps[0].nearest(i);
                return u >= 0 && maps[1].nearest(j) >= 0 && maps[2].nearest(k) >= 0 && values[std::size_t(u)] > mean;
            });
        };
        const VoxelSet positiveExpected = aboveMean(positiveSum / positives), allExpected = aboveMean(allSum / kCropW);
        QVERIFY(positiveExpected != allExpected && !positiveExpected.empty());
        const char* identity = "def forward(self, image, points, labels):\n    return image\n";
        auto zscorePositive = open("ramp_zp", identity,
                                   point3dJson("\"normalization\": \"zscore_positive\", \"max_points\": 1, "
                                               "\"pad_points\": false, \"box_input\": false"));
        const VoxelSet gotPositive = voxelsOf(zscorePositive->segment(ramp, prompt), prompt.region);
        QVERIFY2(gotPositive == positiveExpected, qPrintable(describe(gotPositive, positiveExpected)));
        auto zscoreAll = open("ramp_z", identity,
                              point3dJson("\"normalization\": \"zscore\", \"max_points\": 1, \"pad_points\": false, "
                                          "\"box_input\": false"));
        const VoxelSet gotAll = voxelsOf(zscoreAll->segment(ramp, prompt), prompt.region);
        QVERIFY2(gotAll == allExpected, qPrintable(describe(gotAll, allExpected)));
    }

    void box2dSameSizeOutputGivesTheBoxes() {
        // Input 72 x 80 (H, W) from 36 x 40 slices (both scale by 2); the output has the input's
        // size, so resizing back (pixel i averages model pixels 2i and 2i + 1) lands each box
        // exactly on its slice box.
        auto generalist = open("medsam_like_full", withOutput(kBoxMaskModel, 72, 80),
                               "{\"contract\": \"box2d\", \"input_size\": [72, 80], \"channels\": 3, "
                               "\"output_size\": [72, 80], \"normalization\": \"minmax\", \"threshold\": 0,"
                               " \"description\": \"test\"}");
        QCOMPARE(QString::fromStdString(generalist->identity().contract), QString("box2d"));
        const PromptSet prompt = box2dPrompt();
        const FloatVolume image = scanOf([](long i, long j, long k) { return float(i * j - k); });
        const VoxelSet got = voxelsOf(generalist->segment(image, prompt), prompt.region);
        VoxelSet expected;
        for (const SliceBox& b : prompt.sliceBoxes) {
            if (b.k < prompt.region.first[2] || b.k >= prompt.region.end[2]) continue;
            for (long j = std::max(b.j0, prompt.region.first[1]); j < std::min(b.j1, prompt.region.end[1]); ++j)
                for (long i = std::max(b.i0, prompt.region.first[0]); i < std::min(b.i1, prompt.region.end[0]); ++i)
                    expected.insert({i, j, b.k});
        }
        QVERIFY(expected.size() > 100);
        QVERIFY2(got == expected, qPrintable(describe(got, expected)));
    }

    void box2dSmallerOutputIsResizedBackBilinearly() {
        // MedSAM's shape of things: a square input (64 x 64) from a 40 x 36 slice, logits about 5
        // times smaller (13 x 13; 13 rather than 16 so that no slice pixel falls exactly half-way
        // between two logits), resized back bilinearly and thresholded at 0. The box mask is
        // separable, so the resized logit is 20 bx(i) by(j) - 10 with bx, by the 1D resizes.
        auto generalist = open("medsam_like", withOutput(kBoxMaskModel, 13, 13),
                               "{\"contract\": \"box2d\", \"input_size\": [64, 64], \"channels\": 3, "
                               "\"output_size\": [13, 13], \"normalization\": \"minmax\", \"threshold\": 0}");
        const PromptSet prompt = box2dPrompt();
        const FloatVolume image = scanOf([](long i, long, long) { return float(i); });
        const VoxelSet got = voxelsOf(generalist->segment(image, prompt), prompt.region);
        VoxelSet expected;
        for (const SliceBox& b : prompt.sliceBoxes) {
            if (b.k < prompt.region.first[2] || b.k >= prompt.region.end[2]) continue;
            // The box in input pixels (float32, as the model gets it) and the output pixels'
            // centres in input pixels (float32, as the model computes them).
            const float x0 = float(b.i0 * 64.0 / 40.0), x1 = float(b.i1 * 64.0 / 40.0);
            const float y0 = float(b.j0 * 64.0 / 36.0), y1 = float(b.j1 * 64.0 / 36.0);
            std::vector<double> ix(13), iy(13);
            for (long x = 0; x < 13; ++x) {
                const float centre = float(x + 0.5) * float(64.0 / 13.0);
                for (float edge : {x0, x1, y0, y1}) QVERIFY2(std::abs(centre - edge) > 1e-3, "edge tie");
                ix[std::size_t(x)] = centre >= x0 && centre < x1;
                iy[std::size_t(x)] = centre >= y0 && centre < y1;
            }
            const std::vector<double> bx = resize1d(ix, 40), by = resize1d(iy, 36);
            for (long j = prompt.region.first[1]; j < prompt.region.end[1]; ++j)
                for (long i = prompt.region.first[0]; i < prompt.region.end[0]; ++i) {
                    const double v = bx[std::size_t(i)] * by[std::size_t(j)];
                    QVERIFY2(std::abs(v - 0.5) > 1e-4, qPrintable(QString("tie at %1 %2 %3").arg(i).arg(j).arg(b.k)));
                    if (v > 0.5) expected.insert({i, j, b.k});
                }
        }
        QVERIFY(expected.size() > 100);
        QVERIFY2(got == expected, qPrintable(describe(got, expected)));
    }

    void box2dImageIsTheResizedSliceInEveryChannel() {
        // The model: logits = third channel - 0.5. Each slice k is -50 HU left of i = 18 + k % 3
        // and 150 HU from there on; minmax makes that 0 / 1. Up by 2 then down by 2 (half-pixel
        // bilinear) gives 0.375 s[i-1] + 0.5 s[i] + 0.125 s[i+1] along i: > 0.5 exactly where s[i] = 1.
        auto generalist = open("image2d", "def forward(self, image, box):\n    return image[:, 2:3] - 0.5\n",
                               "{\"contract\": \"box2d\", \"input_size\": [72, 80], \"channels\": 3, "
                               "\"output_size\": [72, 80], \"normalization\": \"minmax\", \"threshold\": 0}");
        const PromptSet prompt = box2dPrompt();
        const FloatVolume image = scanOf([](long i, long, long k) { return i >= 18 + k % 3 ? 150.0f : -50.0f; });
        const VoxelSet got = voxelsOf(generalist->segment(image, prompt), prompt.region);
        std::set<long> slices;
        for (const SliceBox& b : prompt.sliceBoxes) slices.insert(b.k);
        const VoxelSet expected = voxelsWhere(prompt.region, [&](long i, long, long k) {
            return slices.count(k) && i >= 18 + k % 3;
        });
        QVERIFY(!expected.empty() && expected.size() < prompt.region.voxelCount());
        QVERIFY2(got == expected, qPrintable(describe(got, expected)));
        // A model for one channel given three breaks the contract? No: channels are the contract's
        // business; a one-channel contract makes image[:, 2:3] empty, which the shape check catches.
        auto oneChannel = open("image2d_1ch", "def forward(self, image, box):\n    return image[:, 2:3] - 0.5\n",
                               "{\"contract\": \"box2d\", \"input_size\": [72, 80], \"channels\": 1, "
                               "\"output_size\": [72, 80], \"normalization\": \"minmax\", \"threshold\": 0}");
        const QString error = errorOf([&] { oneChannel->segment(image, prompt); });
        QVERIFY2(error.contains("box2d") && error.contains("[1, 1, 72, 80]") && error.contains("[1, 0, 72, 80]"),
                 qPrintable(error));
    }

    void refusesFilesThatAreNotTorchScript() {
        const QString pt = dir_.filePath("notes.pt");
        writeText(pt, "this is a text file, not a model\n");
        GeneralistContract contract;
        const QString error = errorOf([&] { TorchScriptGeneralist(pt.toStdString(), contract, "x"); });
        QVERIFY2(error.startsWith(pt + ": not a TorchScript model: "), qPrintable(error));
        const QString missing = dir_.filePath("nowhere.pt");
        const QString missingError = errorOf([&] { TorchScriptGeneralist(missing.toStdString(), contract, "x"); });
        QVERIFY2(missingError.startsWith(missing + ": cannot open"), qPrintable(missingError));
    }

    void aDeviceItCannotUseIsNamedWithTheModel() {
        auto generalist = open("devicemodel", withOutput(kBoxMaskModel, 8, 8),
                               "{\"contract\": \"box2d\", \"input_size\": [8, 8], \"channels\": 1, "
                               "\"output_size\": [8, 8], \"normalization\": \"minmax\", \"threshold\": 0}");
        const QString pt = dir_.filePath("devicemodel.pt");
        QVERIFY2(errorOf([&] { generalist->setDevice("tpu"); }).startsWith(pt + ": unknown device 'tpu'"),
                 qPrintable(errorOf([&] { generalist->setDevice("tpu"); })));
        generalist->setDevice("cpu");
        if (torch::cuda::is_available()) QSKIP("a GPU is visible here (tests/smoke/cuda_check.sh checks it)");
        const QString error = errorOf([&] { generalist->setDevice("cuda"); });
        QVERIFY2(error.startsWith(pt + ": --device cuda: this LibTorch has no CUDA support"), qPrintable(error));
    }

    void refusesOutputsThatBreakTheContract() {
        auto twoChannels = open("two_channels", "def forward(self, image, points, labels):\n    return torch.cat([image, image], 1)\n",
                                point3dJson("\"normalization\": \"none\", \"max_points\": 1, \"pad_points\": false, "
                                            "\"box_input\": false"));
        PromptSet prompt = point3dPrompt();
        prompt.positivePoints = {{19, 14, 10}};
        const FloatVolume image = scanOf([](long, long, long) { return 1.0f; });
        const QString error = errorOf([&] { twoChannels->segment(image, prompt); });
        QVERIFY2(error.contains("two_channels.pt") && error.contains("point3d") && error.contains("expected [1, 1, 15, 23, 19]") &&
                     error.contains("got [1, 2, 15, 23, 19]"),
                 qPrintable(error));

        auto tuple = open("tuple", "def forward(self, image, points, labels):\n    return (image, image)\n",
                          point3dJson("\"normalization\": \"none\", \"max_points\": 1, \"pad_points\": false, "
                                      "\"box_input\": false"));
        const QString tupleError = errorOf([&] { tuple->segment(image, prompt); });
        QVERIFY2(tupleError.contains("point3d") && tupleError.contains("Tuple"), qPrintable(tupleError));

        auto small = open("small2d", withOutput(kBoxMaskModel, 16, 16),
                          "{\"contract\": \"box2d\", \"input_size\": [64, 64], \"channels\": 3, "
                          "\"output_size\": [32, 32], \"normalization\": \"minmax\", \"threshold\": 0}");
        const QString smallError = errorOf([&] { small->segment(image, box2dPrompt()); });
        QVERIFY2(smallError.contains("box2d") && smallError.contains("expected [1, 1, 32, 32]") &&
                     smallError.contains("got [1, 1, 16, 16]"),
                 qPrintable(smallError));

        // A forward that cannot take the contract's inputs is refused when opened.
        const QString arity = errorOf([&] {
            open("arity", "def forward(self, image, box):\n    return image\n",
                 point3dJson("\"normalization\": \"none\", \"max_points\": 1, \"pad_points\": false, \"box_input\": true"));
        });
        QVERIFY2(arity.contains("arity.pt") && arity.contains("point3d") && arity.contains("(image, points, labels, box)"),
                 qPrintable(arity));

        // A model that fails inside names itself.
        auto failing = open("failing", "def forward(self, image, points, labels):\n    return image.view(7, 7)\n",
                            point3dJson("\"normalization\": \"none\", \"max_points\": 1, \"pad_points\": false, "
                                        "\"box_input\": false"));
        const QString failure = errorOf([&] { failing->segment(image, prompt); });
        QVERIFY2(failure.startsWith(dir_.filePath("failing.pt") + ": the point3d model failed"), qPrintable(failure));

        PromptSet absent;
        absent.absent = true;
        QVERIFY(errorOf([&] { failing->segment(image, absent); }).contains("absent"));
    }

    void contractFilesAreStrict() {
        const QString path = dir_.filePath("c.json");
        const auto errorFor = [&](const QByteArray& json) {
            writeText(path, json);
            return errorOf([&] { readGeneralistContractFile(path.toStdString()); });
        };
        const QByteArray good =
            "{\"contract\": \"point3d\", \"crop_size\": [128, 96, 64], \"crop_spacing_mm\": [1.5, 1.25, 1.0], "
            "\"normalization\": \"ct_window\", \"window\": [-160, 240], \"threshold\": 0.5, \"max_points\": 5, "
            "\"pad_points\": true, \"box_input\": true, \"description\": \"SAM-Med3D-turbo\"}";
        writeText(path, good);
        const GeneralistContract c = readGeneralistContractFile(path.toStdString());
        QVERIFY(c.kind == GeneralistContract::Kind::Point3d);
        QCOMPARE(c.cropSize, (std::array<long, 3>{128, 96, 64}));
        QCOMPARE(c.cropSpacingMm, (std::array<double, 3>{1.5, 1.25, 1.0}));
        QVERIFY(c.normalization == GeneralistContract::Normalization::CtWindow);
        QCOMPARE(c.window, (std::array<double, 2>{-160, 240}));
        QCOMPARE(c.threshold, 0.5);
        QCOMPARE(c.maxPoints, 5L);
        QVERIFY(c.padPoints && c.boxInput);
        QCOMPARE(QString::fromStdString(c.description), QString("SAM-Med3D-turbo"));
        // Round trip.
        const GeneralistContract again = generalistContractFromJson(generalistContractToJson(c), "again");
        QCOMPARE(QString::fromStdString(generalistContractToJson(again)), QString::fromStdString(generalistContractToJson(c)));
        QCOMPARE(QString::fromStdString(generalistContractPathFor("/a/b.c/medsam.pt")), QString("/a/b.c/medsam.json"));

        struct Case {
            QByteArray json;
            QStringList mustContain;
        };
        const QList<Case> cases = {
            {QByteArray(good).replace("\"threshold\"", "\"treshold\""), {"\"treshold\"", "unknown key"}},
            {QByteArray(good).replace("\"box_input\": true, ", ""), {"\"box_input\"", "missing"}},
            {QByteArray(good).replace("\"description\"", "\"input_size\""), {"\"input_size\"", "box2d contract"}},
            {QByteArray(good).replace("[128, 96, 64]", "[128, 0, 64]"), {"\"crop_size\"", "positive integer"}},
            {QByteArray(good).replace("[128, 96, 64]", "[128, 96.5, 64]"), {"\"crop_size\"", "positive integer"}},
            {QByteArray(good).replace("[128, 96, 64]", "[128, 96]"), {"\"crop_size\"", "3 positive integers"}},
            {QByteArray(good).replace("[1.5, 1.25, 1.0]", "[1.5, -1.25, 1.0]"), {"\"crop_spacing_mm\"", "positive"}},
            {QByteArray(good).replace("\"point3d\"", "\"point2d\""), {"\"contract\"", "unknown contract"}},
            {QByteArray(good).replace("\"ct_window\"", "\"zscore\""), {"\"window\"", "ct_window"}},
            {QByteArray(good).replace("\"window\": [-160, 240], ", ""), {"\"window\"", "missing"}},
            {QByteArray(good).replace("[-160, 240]", "[240, -160]"), {"\"window\"", "low < high"}},
            {QByteArray(good).replace("\"max_points\": 5", "\"max_points\": 0"), {"\"max_points\"", "positive"}},
            {QByteArray(good).replace("\"pad_points\": true", "\"pad_points\": 1"), {"\"pad_points\"", "true or false"}},
            {QByteArray(good).replace("\"ct_window\"", "\"hu\""), {"\"normalization\"", "unknown normalisation"}},
            {"{\"contract\": \"box2d\", \"input_size\": [1024, 1024], \"channels\": 3, \"normalization\": \"minmax\", "
             "\"threshold\": 0}",
             {"\"output_size\"", "missing"}},
            {"{\"contract\": \"box2d\", \"input_size\": [1024, 1024], \"channels\": 3, \"output_size\": [256, 256], "
             "\"normalization\": \"minmax\", \"threshold\": 0, \"box_input\": true}",
             {"\"box_input\"", "point3d contract"}},
            {"[1, 2]", {"JSON object"}},
            {"{\"contract\": ", {"not valid JSON"}},
        };
        for (const Case& test : cases) {
            const QString error = errorFor(test.json);
            QVERIFY2(error.startsWith(path + ": "), qPrintable(error + "  <-  " + QString::fromUtf8(test.json)));
            for (const QString& part : test.mustContain)
                QVERIFY2(error.contains(part), qPrintable(error + "  lacks  " + part + "  <-  " + QString::fromUtf8(test.json)));
        }
        const QString missingFile = errorOf([&] { readGeneralistContractFile(dir_.filePath("none.json").toStdString()); });
        QVERIFY2(missingFile.startsWith(dir_.filePath("none.json") + ": cannot open"), qPrintable(missingFile));
    }
};

QTEST_APPLESS_MAIN(TorchScriptGeneralistTest)
#include "TorchScriptGeneralistTest.moc"
