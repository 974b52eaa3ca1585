#include "PhantomGenerator.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <random>

#include "Error.h"

namespace ipnp {

namespace {

constexpr double kPi = 3.14159265358979323846;

// ---------------------------------------------------------------------------------------------
// Anatomy frame and field of view
//
// The anatomy is written in "model millimetres" for an adult abdomen: x to patient Left, y to
// Posterior, z to Superior (LPS, like the world), body 320 mm wide and 240 mm deep centred on
// x = y = 0, organs stacked around model z = kModelZCentre. A model point q maps to the world as
// world = scale * (q - (0, 0, kModelZCentre)).
// Choice for small fields of view: the default 96 x 2 mm = 192 mm would crop a real-size body,
// which would make most of every slice the inside of the abdomen with no outline at all. So the
// anatomy is scaled down isotropically (scale < 1) until the body, with a 10% margin, fits the
// in-plane field of view; it is never scaled up. Along z the body is an infinite cylinder and
// the field of view just crops it (organs span about 190 model mm around kModelZCentre).
constexpr double kBodyHalfWidth = 160.0;
constexpr double kBodyHalfDepth = 120.0;
constexpr double kFovMargin = 1.1;
constexpr double kModelZCentre = 10.0;

constexpr double kBlurSigmaVoxels = 0.7;
constexpr double kNoiseSd = 15.0;

using Vec = Vec3;

Vec operator+(const Vec& a, const Vec& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
Vec operator-(const Vec& a, const Vec& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec operator*(double s, const Vec& a) { return {s * a[0], s * a[1], s * a[2]}; }
double dot(const Vec& a, const Vec& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec hadamard(const Vec& a, const Vec& b) { return {a[0] * b[0], a[1] * b[1], a[2] * b[2]}; }

// ---------------------------------------------------------------------------------------------
// Random numbers. Only the engine comes from std: std::*_distribution differ between standard
// libraries, and a phantom data set must be the same wherever it is generated.

std::uint64_t splitMix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Independent streams per (seed, case, purpose), so that e.g. the noise does not shift when the
// anatomy draws one more number.
enum class Stream : std::uint64_t { Anatomy = 1, Noise = 2 };

std::uint64_t streamSeed(std::uint64_t seed, int caseIndex, Stream stream) {
    const auto caseBits = static_cast<std::uint64_t>(static_cast<std::int64_t>(caseIndex));
    return splitMix64(splitMix64(splitMix64(seed) ^ caseBits) ^ static_cast<std::uint64_t>(stream));
}

class Random {
public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}

    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    // Box-Muller; the second value of each pair is kept for the next call.
    double normal() {
        if (hasSpare_) {
            hasSpare_ = false;
            return spare_;
        }
        const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));  // 1 - u > 0
        const double angle = 2.0 * kPi * uniform();
        spare_ = radius * std::sin(angle);
        hasSpare_ = true;
        return radius * std::cos(angle);
    }

    Vec unitVector() {
        const double z = uniform(-1.0, 1.0);
        const double angle = uniform(0.0, 2.0 * kPi);
        const double r = std::sqrt(std::max(0.0, 1.0 - z * z));
        return {r * std::cos(angle), r * std::sin(angle), z};
    }

private:
    std::mt19937_64 engine_;
    double spare_ = 0.0;
    bool hasSpare_ = false;
};

// ---------------------------------------------------------------------------------------------
// Tissue classes. Organ classes are their AMOS label indices, so that the truth is simply the
// class wherever the class is below kFirstNonOrgan.

enum Tissue : std::uint8_t {
    kAir = 0,
    kSpleen = 1,
    kRightKidney = 2,
    kLeftKidney = 3,
    kGallbladder = 4,
    kLiver = 6,
    kStomach = 7,
    kAorta = 8,
    kPostcava = 9,
    kPancreas = 10,
    kFirstNonOrgan = 100,
    kSubcutaneousFat = kFirstNonOrgan,
    kVisceralFat,
    kMuscle,
    kCorticalBone,
    kMarrow,
    kDisc,
    kSpinalCanal,
    kLung,
    kHeart,
    kVessel,
    kColonWall,
    kColonGas,
    kColonStool,
    kFirstBowel,  // one class per small-bowel loop, each with its own content density
};
constexpr int kBowelLoops = 10;

bool isOrgan(std::uint8_t tissue) { return tissue != kAir && tissue < kFirstNonOrgan; }

// ---------------------------------------------------------------------------------------------
// Shapes: unions of ellipsoids and tapered capsules, tested through a bounding box first.

struct Box {
    Vec lo{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
           std::numeric_limits<double>::max()};
    Vec hi{std::numeric_limits<double>::lowest(), std::numeric_limits<double>::lowest(),
           std::numeric_limits<double>::lowest()};

    bool contains(const Vec& q) const {
        return q[0] >= lo[0] && q[0] <= hi[0] && q[1] >= lo[1] && q[1] <= hi[1] && q[2] >= lo[2] &&
               q[2] <= hi[2];
    }
    void include(const Vec& centre, const Vec& halfSize) {
        for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], centre[a] - halfSize[a]);
            hi[a] = std::max(hi[a], centre[a] + halfSize[a]);
        }
    }
    Vec centre() const { return 0.5 * (lo + hi); }
};

struct Ellipsoid {
    Vec centre;
    Vec semi;  // semi-axes along x, y, z

    bool contains(const Vec& q) const {
        double sum = 0.0;
        for (int a = 0; a < 3; ++a) {
            const double t = (q[a] - centre[a]) / semi[a];
            sum += t * t;
        }
        return sum <= 1.0;
    }
};

// The points within radius(t) of the segment a-b, radius going linearly from radiusA to radiusB:
// a vessel when both radii are equal, a psoas muscle or a pancreas tail when they are not.
struct Capsule {
    Vec a;
    Vec b;
    double radiusA = 1.0;
    double radiusB = 1.0;

    bool contains(const Vec& q) const {
        const Vec ab = b - a;
        const double length2 = dot(ab, ab);
        const double t = length2 > 0 ? std::clamp(dot(q - a, ab) / length2, 0.0, 1.0) : 0.0;
        const Vec d = q - (a + t * ab);
        const double radius = radiusA + t * (radiusB - radiusA);
        return dot(d, d) <= radius * radius;
    }
};

struct Shape {
    std::uint8_t tissue = kAir;
    std::vector<Ellipsoid> ellipsoids;
    std::vector<Capsule> capsules;
    Box bounds;

    Shape& add(const Ellipsoid& e) {
        ellipsoids.push_back(e);
        bounds.include(e.centre, e.semi);
        return *this;
    }
    Shape& add(const Capsule& c) {
        capsules.push_back(c);
        bounds.include(c.a, {c.radiusA, c.radiusA, c.radiusA});
        bounds.include(c.b, {c.radiusB, c.radiusB, c.radiusB});
        return *this;
    }
    bool contains(const Vec& q) const {
        if (!bounds.contains(q)) return false;
        for (const Ellipsoid& e : ellipsoids)
            if (e.contains(q)) return true;
        for (const Capsule& c : capsules)
            if (c.contains(q)) return true;
        return false;
    }
};

Shape makeShape(std::uint8_t tissue) {
    Shape shape;
    shape.tissue = tissue;
    return shape;
}

// Per-case variation of one organ: random scale per axis about the shape's centre plus a random
// offset. Returns the shape rebuilt, so its bounds stay right.
Shape perturbed(const Shape& shape, Random& random, double scaleSpread, double maxOffset) {
    const Vec scale{1.0 + random.uniform(-scaleSpread, scaleSpread),
                    1.0 + random.uniform(-scaleSpread, scaleSpread),
                    1.0 + random.uniform(-scaleSpread, scaleSpread)};
    const Vec offset{random.uniform(-maxOffset, maxOffset), random.uniform(-maxOffset, maxOffset),
                     random.uniform(-maxOffset, maxOffset)};
    const Vec pivot = shape.bounds.centre();
    const auto move = [&](const Vec& p) {
        return pivot + offset + hadamard(scale, p - pivot);
    };
    const double radiusScale = (scale[0] + scale[1] + scale[2]) / 3.0;

    Shape out = makeShape(shape.tissue);
    for (const Ellipsoid& e : shape.ellipsoids)
        out.add(Ellipsoid{move(e.centre), hadamard(scale, e.semi)});
    for (const Capsule& c : shape.capsules)
        out.add(Capsule{move(c.a), move(c.b), c.radiusA * radiusScale, c.radiusB * radiusScale});
    return out;
}

// ---------------------------------------------------------------------------------------------
// The voxel grid in model coordinates, one coordinate table per axis.

struct ModelGrid {
    std::array<std::size_t, 3> size{};
    std::array<std::vector<double>, 3> coordinate;  // model mm of each index along each axis
};

ModelGrid makeModelGrid(const ImageGeometry& geometry, double scale) {
    ModelGrid grid;
    grid.size = geometry.size;
    for (int a = 0; a < 3; ++a) {
        const double shift = a == 2 ? kModelZCentre : 0.0;
        for (std::size_t n = 0; n < geometry.size[a]; ++n)
            grid.coordinate[a].push_back(
                (geometry.origin[a] + geometry.spacing[a] * static_cast<double>(n)) / scale +
                shift);
    }
    return grid;
}

// A smooth random scalar field, a sum of plane waves A sin(k.q + phase). Evaluated on the grid
// through per-axis tables of exp(i k_a q_a), so that a voxel costs one complex product per wave
// instead of a sine: this is what keeps a 96^3 case well under a second.
class WaveField {
public:
    struct Wave {
        Vec k;  // radians per model mm
        double phase = 0.0;
        double amplitude = 0.0;
    };

    WaveField(std::vector<Wave> waves, const ModelGrid& grid) : waves_(std::move(waves)) {
        for (int a = 0; a < 3; ++a) {
            const std::vector<double>& coordinate = grid.coordinate[a];
            tables_[a].reserve(waves_.size() * coordinate.size());
            for (const Wave& wave : waves_)
                for (double q : coordinate) tables_[a].push_back(std::polar(1.0, wave.k[a] * q));
        }
        size_ = grid.size;
        row_.resize(waves_.size());
    }

    // Folds the j and k factors (and phase, amplitude) of every wave once per row of voxels.
    void startRow(std::size_t j, std::size_t k) {
        for (std::size_t w = 0; w < waves_.size(); ++w)
            row_[w] = tables_[1][w * size_[1] + j] * tables_[2][w * size_[2] + k] *
                      std::polar(waves_[w].amplitude, waves_[w].phase);
    }

    double at(std::size_t i) const {
        double sum = 0.0;
        for (std::size_t w = 0; w < waves_.size(); ++w) {
            const std::complex<double>& r = row_[w];
            const std::complex<double>& x = tables_[0][w * size_[0] + i];
            sum += r.real() * x.imag() + r.imag() * x.real();  // Im(r * x)
        }
        return sum;
    }

private:
    std::vector<Wave> waves_;
    std::array<std::vector<std::complex<double>>, 3> tables_;
    std::array<std::size_t, 3> size_{};
    std::vector<std::complex<double>> row_;
};

// Random waves with wavelengths in [minWavelength, maxWavelength] and amplitudes in
// [minAmplitude, maxAmplitude].
std::vector<WaveField::Wave> randomWaves(Random& random, int count, double minWavelength,
                                         double maxWavelength, double minAmplitude,
                                         double maxAmplitude) {
    std::vector<WaveField::Wave> waves;
    for (int n = 0; n < count; ++n) {
        const double wavelength = random.uniform(minWavelength, maxWavelength);
        WaveField::Wave wave;
        wave.k = (2.0 * kPi / wavelength) * random.unitVector();
        wave.phase = random.uniform(0.0, 2.0 * kPi);
        wave.amplitude = random.uniform(minAmplitude, maxAmplitude);
        waves.push_back(wave);
    }
    return waves;
}

// ---------------------------------------------------------------------------------------------
// One case's anatomy, in model mm.

struct BodyLayers {
    double halfWidth = kBodyHalfWidth;
    double halfDepth = kBodyHalfDepth;
    double fat = 18.0;     // subcutaneous fat thickness
    double muscle = 10.0;  // abdominal wall thickness
};

struct Spine {
    double bodyY = 50.0;   // centre of the vertebral bodies
    double period = 34.0;  // one vertebra plus one disc
    double phase = 0.0;
};

struct Anatomy {
    BodyLayers body;
    Spine spine;
    std::vector<Shape> organs;  // priority order: the first that contains a point gets it
    std::vector<Shape> extras;  // unlabelled structures in the abdominal cavity, below organs
    Shape heart;
    double diaphragmTop = 100.0;  // model z of the top of the diaphragm's domes
    std::array<float, 256> hu{};
    std::array<float, 256> textureSd{};
};

// Elliptic outline with a flatter back (cubic instead of quadratic in y posteriorly).
bool insideOutline(double x, double y, double halfWidth, double halfDepth) {
    const double u = x / halfWidth;
    const double v = y / halfDepth;
    const double vTerm = v > 0 ? v * v * v : v * v;
    return u * u + vTerm <= 1.0;
}

BodyLayers randomBody(Random& random) {
    BodyLayers body;
    body.halfWidth = kBodyHalfWidth * (1.0 + random.uniform(-0.05, 0.05));
    body.halfDepth = kBodyHalfDepth * (1.0 + random.uniform(-0.05, 0.05));
    body.fat = random.uniform(12.0, 25.0);
    body.muscle = random.uniform(8.0, 12.0);
    return body;
}

// The solid organs. Dependent organs are placed after their parents' per-case perturbation, so
// that the designed contacts hold in every case by construction: the liver's caudate lobe is
// centred on the postcava (which has priority, so the liver wraps it) and the pancreatic tail
// ends inside the spleen's lower pole (which has priority, so the tail abuts it). The common
// smooth deformation applied afterwards moves both members of a pair together and keeps them in
// contact.
std::vector<Shape> randomOrgans(Random& random) {
    const double spread = 0.1;  // +-10% size per axis
    const double offset = 5.0;  // +-5 mm per axis

    Shape aorta = makeShape(kAorta);
    aorta.add(Capsule{{12, 22, -115}, {12, 26, 150}, 12, 12});
    aorta = perturbed(aorta, random, 0.05, 4.0);

    Shape postcava = makeShape(kPostcava);
    postcava.add(Capsule{{-26, 25, -125}, {-26, 22, 92}, 13, 13});
    postcava = perturbed(postcava, random, 0.05, 4.0);

    Shape liver = makeShape(kLiver);
    liver.add(Ellipsoid{{-65, 0, 35}, {65, 78, 62}});    // right lobe
    liver.add(Ellipsoid{{-10, -45, 48}, {45, 32, 36}});  // left lobe, anterior, over the stomach
    liver = perturbed(liver, random, spread, offset);
    const Capsule& cava = postcava.capsules.front();
    const Vec cavaAt40 =
        cava.a + ((40.0 - cava.a[2]) / (cava.b[2] - cava.a[2])) * (cava.b - cava.a);
    liver.add(Ellipsoid{cavaAt40 + Vec{-2, -6, 0}, {24, 22, 40}});  // caudate lobe

    Shape gallbladder = makeShape(kGallbladder);
    gallbladder.add(Ellipsoid{{-52, -52, -18}, {15, 15, 30}});
    gallbladder.add(Ellipsoid{{-54, -58, -38}, {17, 17, 16}});  // fundus
    gallbladder = perturbed(gallbladder, random, spread, offset);

    Shape spleen = makeShape(kSpleen);
    spleen.add(Ellipsoid{{88, 38, 60}, {24, 40, 40}});
    spleen.add(Ellipsoid{{80, 14, 32}, {18, 26, 26}});  // lower pole, at the hilum
    spleen = perturbed(spleen, random, spread, offset);
    const Ellipsoid& lowerPole = spleen.ellipsoids.back();
    const Vec hilum = lowerPole.centre + Vec{-0.35 * lowerPole.semi[0], 0, 0};

    Shape pancreas = makeShape(kPancreas);
    const Vec head{-30, -8, -18};
    const Vec neck{-2, -15, -8};
    const Vec body{30, -5, 8};
    pancreas.add(Ellipsoid{head, {18, 15, 22}});
    pancreas.add(Capsule{head, neck, 13, 12});
    pancreas.add(Capsule{neck, body, 12, 11});
    pancreas = perturbed(pancreas, random, spread, offset);
    pancreas.add(Capsule{pancreas.capsules.back().b, hilum, 11, 10});  // tail

    Shape rightKidney = makeShape(kRightKidney);
    rightKidney.add(Ellipsoid{{-60, 50, -38}, {25, 20, 50}});
    rightKidney = perturbed(rightKidney, random, spread, offset);

    Shape leftKidney = makeShape(kLeftKidney);
    leftKidney.add(Ellipsoid{{62, 50, -18}, {25, 20, 50}});
    leftKidney = perturbed(leftKidney, random, spread, offset);

    Shape stomach = makeShape(kStomach);
    stomach.add(Ellipsoid{{45, -10, 78}, {32, 32, 28}});         // fundus
    stomach.add(Ellipsoid{{52, -42, 38}, {30, 30, 40}});         // body
    stomach.add(Capsule{{40, -55, 8}, {-5, -62, -10}, 17, 14});  // antrum towards the pylorus
    stomach = perturbed(stomach, random, spread, offset);

    // Vessels first (thin, must stay continuous), then small organs that sit in or on bigger
    // ones, the liver last as it is the one everything else presses into.
    return {aorta,       postcava,   gallbladder, spleen, pancreas,
            rightKidney, leftKidney, stomach,     liver};
}

// Unlabelled structures of the cavity: psoas muscles, iliac vessels, colon, small bowel loops.
std::vector<Shape> randomExtras(Random& random, const Spine& spine) {
    std::vector<Shape> extras;
    for (double side : {-1.0, 1.0}) {
        Shape psoas = makeShape(kMuscle);
        psoas.add(
            Capsule{{side * 24, spine.bodyY - 5, 5}, {side * 48, spine.bodyY - 20, -170}, 5, 26});
        extras.push_back(psoas);
    }
    Shape iliac = makeShape(kVessel);
    iliac.add(Capsule{{12, 22, -115}, {50, 15, -210}, 8, 7});
    iliac.add(Capsule{{12, 22, -115}, {-40, 15, -210}, 8, 7});
    iliac.add(Capsule{{-25, 25, -125}, {-50, 28, -210}, 9, 8});
    iliac.add(Capsule{{-25, 25, -125}, {40, 30, -215}, 9, 8});
    extras.push_back(iliac);

    // Colon with a 3 mm wall: the transverse part, the most anterior, where gas rises in a
    // supine patient, holds gas; the ascending and descending parts hold stool.
    const Vec caecum{-95, -5, -170}, hepaticFlexure{-95, -15, -40}, splenicFlexure{95, -10, -25};
    const Vec sigmoidStart{95, 0, -170};
    const std::vector<Vec> transverse{
        hepaticFlexure, {-30, -75, -45}, {40, -75, -40}, splenicFlexure};
    const double colonRadius = random.uniform(14.0, 18.0);
    const double lumenRadius = colonRadius - 3.0;
    Shape gas = makeShape(kColonGas);
    Shape stool = makeShape(kColonStool);
    Shape wall = makeShape(kColonWall);
    for (std::size_t n = 0; n + 1 < transverse.size(); ++n) {
        gas.add(Capsule{transverse[n], transverse[n + 1], lumenRadius, lumenRadius});
        wall.add(Capsule{transverse[n], transverse[n + 1], colonRadius, colonRadius});
    }
    for (const auto& [from, to] :
         {std::pair{caecum, hepaticFlexure}, std::pair{splenicFlexure, sigmoidStart}}) {
        stool.add(Capsule{from, to, lumenRadius, lumenRadius});
        wall.add(Capsule{from, to, colonRadius, colonRadius});
    }
    extras.push_back(gas);
    extras.push_back(stool);
    extras.push_back(wall);

    for (int n = 0; n < kBowelLoops; ++n) {
        const Vec centre{random.uniform(-80, 80), random.uniform(-85, 0),
                         random.uniform(-165, -40)};
        const double angle = random.uniform(0.0, 2.0 * kPi);
        const double half = random.uniform(15.0, 30.0);
        const Vec along{half * std::cos(angle), half * std::sin(angle),
                        random.uniform(-10.0, 10.0)};
        const double radius = random.uniform(10.0, 15.0);
        Shape loop = makeShape(static_cast<std::uint8_t>(kFirstBowel + n));
        loop.add(Capsule{centre - along, centre + along, radius, radius});
        extras.push_back(loop);
    }
    return extras;
}

// Non-contrast CT values. Soft tissues share one random shift per case (a different scanner
// calibration) plus a small per-organ jitter. The hard pairs (liver 60 / postcava 56, spleen
// 50 / pancreas 47) are set closer than their textbook values because partial volume with the
// surrounding fat pulls a thin organ's mean down by 4-8 HU at 3-4 mm voxels; measured on the
// image they then differ by about 10 HU, always well under 20.
void assignIntensities(Anatomy& anatomy, Random& random) {
    auto set = [&](int tissue, double hu, double textureSd) {
        anatomy.hu[static_cast<std::size_t>(tissue)] = static_cast<float>(hu);
        anatomy.textureSd[static_cast<std::size_t>(tissue)] = static_cast<float>(textureSd);
    };
    const double shift = random.uniform(-4.0, 4.0);
    auto soft = [&](int tissue, double hu, double textureSd) {
        set(tissue, hu + shift + random.uniform(-1.5, 1.5), textureSd);
    };
    set(kAir, -1000, 0);
    soft(kSpleen, 50, 3);
    soft(kRightKidney, 32, 4);
    soft(kLeftKidney, 32, 4);
    soft(kGallbladder, 10, 1);
    soft(kLiver, 60, 4);
    soft(kStomach, 30, 4);
    soft(kAorta, 45, 1);
    soft(kPostcava, 56, 1);
    soft(kPancreas, 47, 5);
    set(kSubcutaneousFat, -100, 6);
    set(kVisceralFat, -90, 8);
    soft(kMuscle, 50, 4);
    set(kCorticalBone, 700, 20);
    set(kMarrow, 400, 30);
    set(kDisc, 90, 5);
    set(kSpinalCanal, 20, 3);
    set(kLung, -850, 25);
    soft(kHeart, 40, 3);
    soft(kVessel, 45, 1);
    soft(kColonWall, 35, 4);
    set(kColonGas, -950, 10);
    set(kColonStool, -40, 40);
    for (int n = 0; n < kBowelLoops; ++n) set(kFirstBowel + n, random.uniform(5.0, 45.0), 5);
}

Anatomy randomAnatomy(Random& random) {
    Anatomy anatomy;
    anatomy.body = randomBody(random);
    anatomy.spine.phase = random.uniform(0.0, anatomy.spine.period);
    anatomy.organs = randomOrgans(random);
    anatomy.extras = randomExtras(random, anatomy.spine);
    anatomy.diaphragmTop = random.uniform(96.0, 104.0);
    anatomy.heart = makeShape(kHeart);
    anatomy.heart.add(Ellipsoid{{10, -30, anatomy.diaphragmTop + 50}, {60, 50, 50}});
    assignIntensities(anatomy, random);
    return anatomy;
}

// ---------------------------------------------------------------------------------------------
// Classifying a voxel.

double fraction(double x) { return x - std::floor(x); }

// Vertebral bodies (cortex around marrow, discs between), canal, arch and processes; kAir when
// q is not in the spine. Not deformed: bone is rigid.
std::uint8_t spineTissue(const Vec& q, const Spine& spine) {
    const double dx = q[0];
    const double dy = q[1] - spine.bodyY;
    if (std::abs(dx) > 45 || dy < -20 || dy > 65) return kAir;
    const double level = fraction((q[2] - spine.phase) / spine.period);  // 0..0.2: disc
    const bool disc = level < 0.2;

    const double bodyU = dx / 22.0, bodyV = dy / 17.0;
    if (bodyU * bodyU + bodyV * bodyV <= 1.0) {
        if (disc) return kDisc;
        const double innerU = dx / 18.0, innerV = dy / 13.0;
        return innerU * innerU + innerV * innerV <= 1.0 ? kMarrow : kCorticalBone;
    }
    const double canalY = dy - 28.0;
    const double canal2 = dx * dx + canalY * canalY;
    if (canal2 <= 9.0 * 9.0) return kSpinalCanal;
    if (canal2 <= 15.0 * 15.0 && canalY > -12.0) return kCorticalBone;  // arch
    const bool midVertebra = level > 0.3 && level < 0.8;
    if (midVertebra && std::abs(dx) <= 4.0 && canalY > 12.0 && canalY < 40.0) return kCorticalBone;
    if (midVertebra && std::abs(canalY) <= 4.0 && std::abs(dx) < 36.0) return kCorticalBone;
    return kAir;
}

bool insideParaspinal(const Vec& q, const Spine& spine) {
    const double u = (std::abs(q[0]) - 33.0) / 25.0;
    const double v = (q[1] - spine.bodyY - 40.0) / 20.0;
    return u * u + v * v <= 1.0;
}

// Ribs run round the wall, sloping down anteriorly, absent at the front below the sternum.
bool insideRib(const Vec& q) {
    const double zAlongRib = q[2] - 0.3 * q[1];
    if (zAlongRib < -45.0) return false;
    if (q[1] < -30.0 && std::abs(q[0]) < 60.0) return false;
    return fraction(zAlongRib / 30.0) < 0.3;
}

// Above the diaphragm: heart and lungs; the domes are highest in the middle and lower at the
// sides and at the back (the costophrenic recesses).
std::uint8_t thoraxTissue(const Vec& deformed, const Anatomy& anatomy) {
    const double x = deformed[0] / 133.0;
    const double dome = anatomy.diaphragmTop - 30.0 * x * x - 0.15 * std::max(deformed[1], 0.0);
    if (deformed[2] <= dome) return kAir;
    if (anatomy.heart.contains(deformed)) return kHeart;
    return deformed[2] > dome + 5.0 ? kLung : kMuscle;  // the diaphragm itself
}

std::uint8_t cavityTissue(const Vec& deformed, const Anatomy& anatomy) {
    for (const Shape& organ : anatomy.organs)
        if (organ.contains(deformed)) return organ.tissue;
    if (const std::uint8_t thorax = thoraxTissue(deformed, anatomy)) return thorax;
    for (const Shape& extra : anatomy.extras)
        if (extra.contains(deformed)) return extra.tissue;
    return kVisceralFat;
}

// Everything but the organs is decided on the undeformed point; the organs and other cavity
// contents use the deformed one (computed only when needed, it is the costly part).
template <typename Deform>
std::uint8_t classify(const Vec& q, const Anatomy& anatomy, Deform deform) {
    const BodyLayers& body = anatomy.body;
    if (!insideOutline(q[0], q[1], body.halfWidth, body.halfDepth)) return kAir;
    const double fatInnerWidth = body.halfWidth - body.fat;
    const double fatInnerDepth = body.halfDepth - body.fat;
    if (!insideOutline(q[0], q[1], fatInnerWidth, fatInnerDepth)) return kSubcutaneousFat;
    if (const std::uint8_t bone = spineTissue(q, anatomy.spine)) return bone;
    if (insideParaspinal(q, anatomy.spine)) return kMuscle;
    if (!insideOutline(q[0], q[1], fatInnerWidth - body.muscle, fatInnerDepth - body.muscle))
        return insideRib(q) ? kCorticalBone : kMuscle;
    return cavityTissue(deform(), anatomy);
}

std::vector<std::uint8_t> rasterize(const Anatomy& anatomy, const ModelGrid& grid,
                                    std::array<WaveField, 3>& displacement) {
    const std::array<std::size_t, 3>& n = grid.size;
    std::vector<std::uint8_t> tissue(n[0] * n[1] * n[2], kAir);
    std::size_t index = 0;
    for (std::size_t k = 0; k < n[2]; ++k) {
        for (std::size_t j = 0; j < n[1]; ++j) {
            for (WaveField& field : displacement) field.startRow(j, k);
            for (std::size_t i = 0; i < n[0]; ++i, ++index) {
                const Vec q{grid.coordinate[0][i], grid.coordinate[1][j], grid.coordinate[2][k]};
                const auto deform = [&] {
                    return Vec{q[0] + displacement[0].at(i), q[1] + displacement[1].at(i),
                               q[2] + displacement[2].at(i)};
                };
                tissue[index] = classify(q, anatomy, deform);
            }
        }
    }
    return tissue;
}

// Discrete sampling of thin places (or an organ squeezed between two others) can cut an organ
// into pieces; the truth promises one 6-connected component per organ, so smaller pieces
// become visceral fat (before intensities are assigned, so image and truth agree).
void keepLargestComponents(std::vector<std::uint8_t>& tissue, const std::array<std::size_t, 3>& n) {
    std::vector<std::int32_t> component(tissue.size(), -1);
    std::vector<std::size_t> componentSize;
    std::vector<std::size_t> queue;
    const std::size_t sliceSize = n[0] * n[1];
    for (std::size_t seed = 0; seed < tissue.size(); ++seed) {
        if (!isOrgan(tissue[seed]) || component[seed] >= 0) continue;
        const auto id = static_cast<std::int32_t>(componentSize.size());
        const std::uint8_t label = tissue[seed];
        queue.assign(1, seed);
        component[seed] = id;
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const std::size_t at = queue[head];
            const std::size_t i = at % n[0], j = (at / n[0]) % n[1], k = at / sliceSize;
            const std::size_t neighbours[6] = {
                i > 0 ? at - 1 : at,         i + 1 < n[0] ? at + 1 : at,
                j > 0 ? at - n[0] : at,      j + 1 < n[1] ? at + n[0] : at,
                k > 0 ? at - sliceSize : at, k + 1 < n[2] ? at + sliceSize : at};
            for (std::size_t next : neighbours) {
                if (tissue[next] != label || component[next] >= 0) continue;
                component[next] = id;
                queue.push_back(next);
            }
        }
        componentSize.push_back(queue.size());
    }
    std::array<std::int32_t, 256> largest;
    largest.fill(-1);
    for (std::size_t at = 0; at < tissue.size(); ++at) {
        if (!isOrgan(tissue[at])) continue;
        std::int32_t& best = largest[tissue[at]];
        if (best < 0 || componentSize[static_cast<std::size_t>(component[at])] >
                            componentSize[static_cast<std::size_t>(best)])
            best = component[at];
    }
    for (std::size_t at = 0; at < tissue.size(); ++at)
        if (isOrgan(tissue[at]) && component[at] != largest[tissue[at]]) tissue[at] = kVisceralFat;
}

// Tissue class -> HU, with a mild smooth texture scaled per tissue.
std::vector<float> intensities(const std::vector<std::uint8_t>& tissue, const Anatomy& anatomy,
                               const ModelGrid& grid, WaveField& texture) {
    const std::array<std::size_t, 3>& n = grid.size;
    std::vector<float> hu(tissue.size());
    std::size_t index = 0;
    for (std::size_t k = 0; k < n[2]; ++k) {
        for (std::size_t j = 0; j < n[1]; ++j) {
            texture.startRow(j, k);
            for (std::size_t i = 0; i < n[0]; ++i, ++index) {
                const std::uint8_t t = tissue[index];
                const float sd = anatomy.textureSd[t];
                hu[index] =
                    anatomy.hu[t] + (sd > 0 ? sd * static_cast<float>(texture.at(i)) : 0.0f);
            }
        }
    }
    return hu;
}

std::vector<float> gaussianKernel(double sigma) {
    const int radius = static_cast<int>(std::ceil(3.0 * sigma));
    std::vector<float> kernel;
    double total = 0.0;
    for (int d = -radius; d <= radius; ++d) total += std::exp(-0.5 * d * d / (sigma * sigma));
    for (int d = -radius; d <= radius; ++d)
        kernel.push_back(static_cast<float>(std::exp(-0.5 * d * d / (sigma * sigma)) / total));
    return kernel;
}

// Separable Gaussian (the partial-volume effect of the scanner's point spread), edges
// replicated. Along j and k whole rows are combined, which keeps memory access contiguous.
void gaussianBlur(std::vector<float>& data, const std::array<std::size_t, 3>& n, double sigma) {
    const std::vector<float> kernel = gaussianKernel(sigma);
    const long radius = static_cast<long>(kernel.size() / 2);
    const auto clampIndex = [](long at, std::size_t length) {
        return static_cast<std::size_t>(std::clamp(at, 0L, static_cast<long>(length) - 1));
    };

    std::vector<float> row(n[0]);
    for (std::size_t start = 0; start < data.size(); start += n[0]) {  // along i
        std::copy(data.begin() + static_cast<long>(start),
                  data.begin() + static_cast<long>(start + n[0]), row.begin());
        for (std::size_t i = 0; i < n[0]; ++i) {
            float sum = 0.0f;
            for (long d = -radius; d <= radius; ++d)
                sum += kernel[static_cast<std::size_t>(d + radius)] *
                       row[clampIndex(static_cast<long>(i) + d, n[0])];
            data[start + i] = sum;
        }
    }

    // Along j (axis 1) and k (axis 2): each output row is a weighted sum of source rows.
    std::vector<float> source;
    for (std::size_t axis = 1; axis < 3; ++axis) {
        source = data;
        const std::size_t step = axis == 1 ? n[0] : n[0] * n[1];
        for (std::size_t k = 0; k < n[2]; ++k) {
            for (std::size_t j = 0; j < n[1]; ++j) {
                const std::size_t position = axis == 1 ? j : k;
                const std::size_t rowStart = (k * n[1] + j) * n[0];
                float* out = &data[rowStart];
                std::fill(out, out + n[0], 0.0f);
                for (long d = -radius; d <= radius; ++d) {
                    const std::size_t from = clampIndex(static_cast<long>(position) + d, n[axis]);
                    const float* in = &source[rowStart - position * step + from * step];
                    const float w = kernel[static_cast<std::size_t>(d + radius)];
                    for (std::size_t i = 0; i < n[0]; ++i) out[i] += w * in[i];
                }
            }
        }
    }
}

ImageGeometry centredGeometry(const PhantomOptions& options) {
    ImageGeometry geometry;
    geometry.size = options.size;
    geometry.spacing = options.spacing;
    for (int a = 0; a < 3; ++a)
        geometry.origin[a] = -0.5 * static_cast<double>(options.size[a] - 1) * options.spacing[a];
    return geometry;
}

// World mm per model mm; see the comment at the top.
double anatomyScale(const ImageGeometry& geometry) {
    const double fovX = static_cast<double>(geometry.size[0]) * geometry.spacing[0];
    const double fovY = static_cast<double>(geometry.size[1]) * geometry.spacing[1];
    return std::min({1.0, fovX / (2.0 * kBodyHalfWidth * kFovMargin),
                     fovY / (2.0 * kBodyHalfDepth * kFovMargin)});
}

}  // namespace

PhantomGenerator::PhantomGenerator(PhantomOptions options) : options_(options) {
    for (int a = 0; a < 3; ++a) {
        if (options_.size[a] == 0)
            throw Error("phantom: the size must be at least 1 voxel per axis");
        if (!(options_.spacing[a] > 0.0) || !std::isfinite(options_.spacing[a]))
            throw Error("phantom: the spacing must be positive");
    }
}

std::vector<std::pair<int, std::string>> PhantomGenerator::organs() {
    // AMOS names (its label 8 is spelt "arota" in the data set; we spell it right).
    return {{1, "spleen"},       {2, "right kidney"}, {3, "left kidney"},
            {4, "gall bladder"}, {6, "liver"},        {7, "stomach"},
            {8, "aorta"},        {9, "postcava"},     {10, "pancreas"}};
}

SpecialistTrainingCase PhantomGenerator::trainingCase(int caseIndex) const {
    PhantomCase phantom = generate(caseIndex);
    SpecialistTrainingCase item;
    item.name = "phantom" + std::to_string(caseIndex);
    item.image = FloatVolume(phantom.image.geometry());
    std::copy(phantom.image.voxels().begin(), phantom.image.voxels().end(), item.image.voxels().begin());
    item.labels = std::move(phantom.truth);
    for (const auto& [index, name] : organs()) item.labeledOrgans.push_back(index);
    return item;
}

PhantomCase PhantomGenerator::generate(int caseIndex) const {
    const ImageGeometry geometry = centredGeometry(options_);
    const ModelGrid grid = makeModelGrid(geometry, anatomyScale(geometry));

    Random random(streamSeed(options_.seed, caseIndex, Stream::Anatomy));
    const Anatomy anatomy = randomAnatomy(random);
    // Low-frequency deformation, a few mm: organs keep their place but change shape per case.
    std::array<WaveField, 3> displacement{
        WaveField(randomWaves(random, 3, 100, 220, 1.5, 3.0), grid),
        WaveField(randomWaves(random, 3, 100, 220, 1.5, 3.0), grid),
        WaveField(randomWaves(random, 3, 100, 220, 1.5, 3.0), grid)};
    // Unit-SD texture: 6 waves of amplitude sqrt(2/6) each.
    const double textureAmplitude = std::sqrt(2.0 / 6.0);
    WaveField texture(randomWaves(random, 6, 8, 20, textureAmplitude, textureAmplitude), grid);

    std::vector<std::uint8_t> tissue = rasterize(anatomy, grid, displacement);
    keepLargestComponents(tissue, grid.size);
    std::vector<float> hu = intensities(tissue, anatomy, grid, texture);
    gaussianBlur(hu, grid.size, kBlurSigmaVoxels);

    PhantomCase result{ScanVolume(geometry), LabelMap(geometry)};
    Random noise(streamSeed(options_.seed, caseIndex, Stream::Noise));
    std::int16_t* image = result.image.data();
    std::uint8_t* truth = result.truth.data();
    for (std::size_t at = 0; at < tissue.size(); ++at) {
        const double value = std::round(hu[at] + kNoiseSd * noise.normal());
        image[at] = static_cast<std::int16_t>(std::clamp(value, -32768.0, 32767.0));
        truth[at] = isOrgan(tissue[at]) ? tissue[at] : 0;
    }
    return result;
}

}  // namespace ipnp
