// bench_specialist COMMAND [OPTIONS]: the specialist network (models/) against its peer or target.
//   train       one training step (forward + loss + backward + clip + SGD) against the same step of
//               the same network in Python (bench/specialist_peer.py, Debian's python3-torch), steps
//               interleaved C++ / Python so that a busy machine slows both alike; target ratio <= 1.0.
//               Also the step's conv GFLOP/s against a large torch::mm (the roofline), no target.
//   infer       predictSlidingWindow on a 96^3 volume against the Python twin's sliding window (the
//               same windows, 50 % overlap, Gaussian weights, softmax accumulation), interleaved;
//               target ratio <= 1.0. Extra: one patch forward in eval + no_grad in both.
//   throughput  predictSlidingWindow on a 256^3 volume: voxels per second (no peer, no target).
//   memory      peak RSS (VmHWM) of a child process running predictSlidingWindow on a 512x512x300
//               float volume, against the 6 GB target.
// Timings are wall time; the exit status is non-zero only when something could not be measured.
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "PartialLabelLoss.h"
#include "SlidingWindowPredictor.h"
#include "UNet3d.h"
#include "Volume.h"

#ifndef IPNP_BENCH_PEER
#define IPNP_BENCH_PEER "bench/specialist_peer.py"
#endif

using namespace ipnp;

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kTargetRatio = 1.0;
constexpr double kMemoryTargetGb = 6.0;
constexpr double kGradientClip = 12.0;  // SpecialistSettings' defaults, as TorchSpecialist::train uses them
constexpr double kLearningRate = 0.01;
constexpr double kMomentum = 0.99;
constexpr double kWeightDecay = 3e-5;
constexpr long kRooflineSize = 2048;

struct Options {
    std::string command;
    int threads = 2;
    int repeats = 5;  // timed runs after the warm-ups, median reported
    int warmUps = 1;
    int batch = 2;
    int patch = 64;
    int width = 16;
    int stages = 4;
    int channels = 10;
    int volume = 96;                           // infer: the cube the sliding windows cover
    int throughputSize = 256;                  // throughput: the cube
    std::array<int, 3> memorySize{512, 512, 300};  // memory: i, j, k
    int memoryChannels = 16;
    std::string python = "/usr/bin/python3";
    std::string peer = IPNP_BENCH_PEER;
};

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
    if (values.empty()) throw std::runtime_error("median of nothing");
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

const char* verdict(bool ok) { return ok ? "OK" : "MISSED"; }

// What decides the speed besides the code, read by both sides (the peer inherits the environment):
// libgomp's wait policy (spinning threads steal the cores of a shared machine) and the kernels
// OpenBLAS picked (it may misdetect a virtual CPU). Both are read when the libraries load, so
// they can only be changed in the environment of the process, not from inside it.
std::string environmentSummary() {
    const char* wait = std::getenv("OMP_WAIT_POLICY");
    const char* coreType = std::getenv("OPENBLAS_CORETYPE");
    using CoreName = char* (*)();
    const auto coreName = reinterpret_cast<CoreName>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    std::string text = std::string("OMP_WAIT_POLICY ") + (wait ? wait : "unset (libgomp spins)") + ", BLAS ";
    text += coreName ? std::string("OpenBLAS ") + coreName() + " kernels" : std::string("not OpenBLAS");
    if (coreType) text += std::string(" (OPENBLAS_CORETYPE ") + coreType + ")";
    return text;
}

NetworkShape networkShape(const Options& options) {
    NetworkShape shape;
    shape.stages = options.stages;
    shape.baseWidth = options.width;
    shape.deepSupervision = true;
    return shape;
}

std::string describeNetwork(const Options& options, int channels) {
    char text[160];
    std::snprintf(text, sizeof text, "width %d, %d stages, %d channels, %d threads", options.width, options.stages,
                  channels, options.threads);
    return text;
}

// ---- FLOPs, counted from the shape (UNet3dImpl's layout) ----------------------------------------

double convFlops(double in, double out, double kernelVolume, double voxels) { return 2.0 * in * out * kernelVolume * voxels; }

// One forward of the network on `batch` cubes of `patch`: every convolution 2 * Cin * Cout * k^3 *
// output voxels; a transposed convolution (k 2, stride 2) 2 * Cin * Cout * 8 * input voxels, i.e. per
// voxel it reads (its output has 8x as many). Heads: the full-resolution one, plus the coarser ones
// when `withDeepSupervision`. Norms, activations and the concatenations are not counted.
double forwardFlops(const NetworkShape& shape, int inChannels, int outChannels, long patch, int batch,
                    bool withDeepSupervision) {
    auto width = [&](int stage) { return double(std::min(shape.baseWidth << stage, shape.maxWidth)); };
    auto voxels = [&](int stage) { const double side = double(patch >> stage); return side * side * side; };
    double flops = 0;
    for (int stage = 0; stage < shape.stages; ++stage) {
        const double in = stage == 0 ? inChannels : width(stage - 1);
        flops += convFlops(in, width(stage), 27, voxels(stage)) + convFlops(width(stage), width(stage), 27, voxels(stage));
    }
    for (int stage = shape.stages - 2; stage >= 0; --stage) {
        flops += convFlops(width(stage + 1), width(stage), 8, voxels(stage + 1));
        flops += convFlops(2 * width(stage), width(stage), 27, voxels(stage)) +
                 convFlops(width(stage), width(stage), 27, voxels(stage));
        if (stage == 0 || withDeepSupervision) flops += convFlops(width(stage), outChannels, 1, voxels(stage));
    }
    return flops * batch;
}

// GFLOP/s of a large float matrix product on this machine with these threads: the roofline.
double matmulGflops(int repeats) {
    torch::manual_seed(3);
    const torch::Tensor a = torch::randn({kRooflineSize, kRooflineSize});
    const torch::Tensor b = torch::randn({kRooflineSize, kRooflineSize});
    torch::Tensor c = torch::mm(a, b);  // warm-up
    std::vector<double> seconds;
    for (int n = 0; n < repeats; ++n) {
        const auto start = Clock::now();
        c = torch::mm(a, b);
        seconds.push_back(secondsSince(start));
    }
    return 2.0 * std::pow(double(kRooflineSize), 3) / median(seconds) / 1e9;
}

// ---- the Python twin, as a child process answering one line per request -------------------------

class PythonPeer {
public:
    explicit PythonPeer(const Options& options) {
        int toChild[2], fromChild[2];
        if (::pipe(toChild) != 0 || ::pipe(fromChild) != 0) throw std::runtime_error("pipe() failed");
        std::vector<std::string> args{options.python,
                                      options.peer,
                                      "serve",
                                      "--threads", std::to_string(options.threads),
                                      "--batch", std::to_string(options.batch),
                                      "--patch", std::to_string(options.patch),
                                      "--width", std::to_string(options.width),
                                      "--stages", std::to_string(options.stages),
                                      "--channels", std::to_string(options.channels),
                                      "--volume", std::to_string(options.volume)};
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork() failed");
        if (pid_ == 0) {
            ::dup2(toChild[0], STDIN_FILENO);
            ::dup2(fromChild[1], STDOUT_FILENO);
            for (int fd : {toChild[0], toChild[1], fromChild[0], fromChild[1]}) ::close(fd);
            std::vector<char*> argv;
            for (std::string& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            std::fprintf(stderr, "bench_specialist: cannot run %s: %s\n", argv[0], std::strerror(errno));
            ::_exit(127);
        }
        ::close(toChild[0]);
        ::close(fromChild[1]);
        to_ = ::fdopen(toChild[1], "w");
        from_ = ::fdopen(fromChild[0], "r");
        if (readLine() != "ready") throw std::runtime_error("the Python peer did not start (" + options.peer + ")");
    }
    ~PythonPeer() {
        if (to_) {
            std::fputs("quit\n", to_);
            std::fclose(to_);
        }
        if (from_) std::fclose(from_);
        if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
    }
    PythonPeer(const PythonPeer&) = delete;
    PythonPeer& operator=(const PythonPeer&) = delete;

    // Sends one command; the answer is a line of numbers (seconds).
    std::vector<double> request(const std::string& command) {
        std::fprintf(to_, "%s\n", command.c_str());
        std::fflush(to_);
        const std::string line = readLine();
        std::istringstream stream(line);
        std::vector<double> numbers;
        double value = 0;
        while (stream >> value) numbers.push_back(value);
        if (numbers.empty()) throw std::runtime_error("the Python peer answered '" + line + "' to '" + command + "'");
        return numbers;
    }

private:
    std::string readLine() {
        char* buffer = nullptr;
        std::size_t capacity = 0;
        const ssize_t length = ::getline(&buffer, &capacity, from_);
        std::string line = length > 0 ? std::string(buffer, std::size_t(length)) : std::string();
        std::free(buffer);
        if (length <= 0) throw std::runtime_error("the Python peer stopped (its error is above)");
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        return line;
    }

    pid_t pid_ = -1;
    FILE* to_ = nullptr;
    FILE* from_ = nullptr;
};

// ---- train ----------------------------------------------------------------------------------------

// The training step's loss, as TorchSpecialist uses it.
torch::Tensor supervisedLoss(const std::vector<torch::Tensor>& outputs, const PartialLabelTargets& targets) {
    return deepSupervisionLoss(outputs, targets).total;
}

struct StepTimes {
    double forward = 0, loss = 0, backward = 0, optimizer = 0, total = 0;
};

StepTimes medianTimes(const std::vector<StepTimes>& steps) {
    auto field = [&](double StepTimes::*member) {
        std::vector<double> values;
        for (const StepTimes& step : steps) values.push_back(step.*member);
        return median(values);
    };
    return {field(&StepTimes::forward), field(&StepTimes::loss), field(&StepTimes::backward),
            field(&StepTimes::optimizer), field(&StepTimes::total)};
}

// What one iteration of TorchSpecialist::train does once the batch is drawn.
StepTimes trainStep(UNet3d& model, torch::optim::SGD& optimizer, const torch::Tensor& image,
                    const PartialLabelTargets& targets) {
    StepTimes times;
    const auto start = Clock::now();
    const std::vector<torch::Tensor> outputs = model->forward(image);
    times.forward = secondsSince(start);
    auto mark = Clock::now();
    const torch::Tensor loss = supervisedLoss(outputs, targets);
    if (!std::isfinite(loss.item<double>())) throw std::runtime_error("the C++ training loss is not finite");
    times.loss = secondsSince(mark);
    mark = Clock::now();
    optimizer.zero_grad();
    loss.backward();
    times.backward = secondsSince(mark);
    mark = Clock::now();
    torch::nn::utils::clip_grad_norm_(model->parameters(), kGradientClip);
    optimizer.step();
    times.optimizer = secondsSince(mark);
    times.total = secondsSince(start);
    return times;
}

// A batch with partial labels: sample 0 knows every channel, the others channels 0..C/2 only.
// The values are random: the cost of the step does not depend on them.
struct TrainingInputs {
    torch::Tensor image;
    PartialLabelTargets targets;
};

TrainingInputs makeTrainingInputs(const Options& options) {
    torch::manual_seed(1);
    const long b = options.batch, p = options.patch, c = options.channels;
    TrainingInputs inputs;
    inputs.image = torch::randn({b, 1, p, p, p});
    inputs.targets.labeled = torch::ones({b, c}, torch::kBool);
    std::vector<torch::Tensor> targets;
    for (long n = 0; n < b; ++n) {
        const long known = n == 0 ? c : c / 2 + 1;
        if (known < c) inputs.targets.labeled[n].slice(0, known).fill_(false);
        targets.push_back(torch::randint(0, known, {p, p, p}, torch::kLong));
    }
    inputs.targets.target = torch::stack(targets);
    inputs.targets.valid = torch::ones({b, p, p, p}, torch::kFloat);
    return inputs;
}

// The Python twin's loss in C++ (cross-entropy + soft Dice, background excluded, deep-supervision
// weights): the same ops on both sides, so "loss alone" separates the loss's own work from the API.
torch::Tensor crossEntropyDiceLoss(const std::vector<torch::Tensor>& outputs, const torch::Tensor& target, int channels) {
    using torch::indexing::None;
    using torch::indexing::Slice;
    constexpr double smooth = 1e-5;
    double norm = 0;
    for (std::size_t k = 0; k < outputs.size(); ++k) norm += 1.0 / (1 << k);
    torch::Tensor total;
    for (std::size_t k = 0; k < outputs.size(); ++k) {
        const long stride = 1L << k;
        const auto every = Slice(None, None, stride);
        const torch::Tensor t = target.index({Slice(), every, every, every});
        const torch::Tensor crossEntropy = torch::nn::functional::cross_entropy(outputs[k], t);
        const torch::Tensor p = torch::softmax(outputs[k], 1);
        const torch::Tensor oneHot = torch::one_hot(t, channels).permute({0, 4, 1, 2, 3}).to(p.dtype());
        const torch::Tensor intersection = (p * oneHot).sum({2, 3, 4});
        const torch::Tensor dice = (2 * intersection + smooth) / (p.sum({2, 3, 4}) + oneHot.sum({2, 3, 4}) + smooth);
        const torch::Tensor term = (crossEntropy + 1 - dice.slice(1, 1).mean()) * ((1.0 / stride) / norm);
        total = total.defined() ? total + term : term;
    }
    return total;
}

// Forward + backward of a loss alone, on fixed logits (leaves that require grad).
double timeLoss(const std::vector<torch::Tensor>& logits,
                const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& loss) {
    std::vector<torch::Tensor> leaves;
    for (const torch::Tensor& output : logits) leaves.push_back(output.detach().requires_grad_(true));
    const auto start = Clock::now();
    loss(leaves).backward();
    return secondsSince(start);
}

int runTrain(const Options& options) {
    const NetworkShape shape = networkShape(options);
    torch::manual_seed(1);
    UNet3d model(shape, 1, options.channels);
    model->train();
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(kLearningRate)
                                                         .momentum(kMomentum)
                                                         .nesterov(true)
                                                         .weight_decay(kWeightDecay));
    const TrainingInputs inputs = makeTrainingInputs(options);
    PythonPeer peer(options);

    std::vector<StepTimes> cpp, python;
    auto pythonStep = [&] {
        const std::vector<double> t = peer.request("train");
        if (t.size() != 5) throw std::runtime_error("the Python peer's train answer needs 5 numbers");
        return StepTimes{t[0], t[1], t[2], t[3], t[4]};
    };
    for (int n = 0; n < options.warmUps + options.repeats; ++n) {
        const StepTimes a = trainStep(model, optimizer, inputs.image, inputs.targets);
        const StepTimes b = pythonStep();
        if (n >= options.warmUps) {
            cpp.push_back(a);
            python.push_back(b);
        }
    }
    const StepTimes c = medianTimes(cpp), p = medianTimes(python);
    const double ratio = c.total / p.total;
    std::printf("training step (batch %d, patch %d^3, %s, deep supervision): C++ %.2f s, Python %.2f s, "
                "ratio %.2f (target <= %.1f: %s)\n",
                options.batch, options.patch, describeNetwork(options, options.channels).c_str(), c.total, p.total,
                ratio, kTargetRatio, verdict(ratio <= kTargetRatio));
    std::printf("  median of %d after %d warm-up, steps interleaved C++ / Python; a step = forward, loss, "
                "zero_grad + backward, clip_grad_norm_(12) + SGD (Nesterov 0.99)\n",
                options.repeats, options.warmUps);
    std::printf("  loss: C++ partialLabelLoss (marginal CE + Dice + exclusion), Python CE + soft Dice; "
                "both with deep-supervision weights 1/2^k\n");
    auto breakdown = [](const char* who, const StepTimes& t) {
        std::printf("  %-7s forward %.2f s, loss %.3f s, backward %.2f s, clip + SGD %.3f s\n", who, t.forward, t.loss,
                    t.backward, t.optimizer);
    };
    breakdown("C++:", c);
    breakdown("Python:", p);

    // Diagnosis: the loss alone on fixed logits (the step's outputs), interleaved as above.
    std::vector<torch::Tensor> logits;
    {
        torch::NoGradGuard noGrad;
        logits = model->forward(inputs.image);
    }
    std::vector<double> partialTimes, twinTimes, pythonTimes;
    for (int n = 0; n < options.warmUps + options.repeats; ++n) {
        const double partial = timeLoss(logits, [&](const std::vector<torch::Tensor>& x) { return supervisedLoss(x, inputs.targets); });
        const double twin = timeLoss(logits, [&](const std::vector<torch::Tensor>& x) {
            return crossEntropyDiceLoss(x, inputs.targets.target, options.channels);
        });
        const double python = peer.request("loss").at(0);
        if (n >= options.warmUps) {
            partialTimes.push_back(partial);
            twinTimes.push_back(twin);
            pythonTimes.push_back(python);
        }
    }
    std::printf("  loss alone, forward + backward on fixed logits: C++ partialLabelLoss %.3f s, C++ CE + soft Dice "
                "%.3f s, Python CE + soft Dice %.3f s\n",
                median(partialTimes), median(twinTimes), median(pythonTimes));

    const double flops = 3.0 * forwardFlops(shape, 1, options.channels, options.patch, options.batch, true);
    const double roofline = matmulGflops(options.repeats);
    const double cppGflops = flops / c.total / 1e9, pythonGflops = flops / p.total / 1e9;
    std::printf("  conv work per step: %.1f GFLOP (forward x3; transposed convs per input voxel); achieved "
                "C++ %.1f GFLOP/s, Python %.1f GFLOP/s\n",
                flops / 1e9, cppGflops, pythonGflops);
    std::printf("  roofline: torch::mm %ldx%ld float, median of %d: %.1f GFLOP/s; the C++ step reaches %.0f%% of it "
                "(extra, no target)\n",
                kRooflineSize, kRooflineSize, options.repeats, roofline, 100.0 * cppGflops / roofline);
    if (cppGflops > roofline)
        std::printf("  (the convolutions, run by oneDNN, beat the matrix product, run by the BLAS: this roofline is the "
                    "BLAS's, not the CPU's; see its kernels below)\n");
    std::printf("  environment: %s\n", environmentSummary().c_str());
    return 0;
}

// ---- infer ----------------------------------------------------------------------------------------

FloatVolume randomVolume(const std::array<int, 3>& size, double spacing) {
    ImageGeometry geometry;
    geometry.size = {std::size_t(size[0]), std::size_t(size[1]), std::size_t(size[2])};
    geometry.spacing = {spacing, spacing, spacing};
    FloatVolume volume(geometry);
    torch::manual_seed(2);
    // Slice by slice, in place: a whole-volume temporary would raise the memory benchmark's VmHWM.
    const long slice = long(geometry.size[0] * geometry.size[1]);
    for (std::size_t k = 0; k < geometry.size[2]; ++k)
        torch::from_blob(volume.data() + k * slice, {slice}, torch::kFloat32).normal_();
    return volume;
}

SlidingWindowOptions windowOptions(const Options& options) {
    SlidingWindowOptions window;
    window.patchSize = {options.patch, options.patch, options.patch};
    window.probabilities = false;
    return window;
}

std::size_t windowCount(const std::array<int, 3>& size, int patch) {
    std::size_t count = 1;
    for (int axis = 0; axis < 3; ++axis) count *= windowStarts(size[axis], patch, 0.5).size();
    return count;
}

int runInfer(const Options& options) {
    torch::manual_seed(1);
    UNet3d model(networkShape(options), 1, options.channels);
    model->eval();
    const std::array<int, 3> size{options.volume, options.volume, options.volume};
    const FloatVolume volume = randomVolume(size, 1.0);
    const SlidingWindowOptions window = windowOptions(options);
    const torch::Tensor patch = torch::randn({1, 1, options.patch, options.patch, options.patch});
    PythonPeer peer(options);

    std::vector<double> cppSlide, pythonSlide, cppForward, pythonForward;
    for (int n = 0; n < options.warmUps + options.repeats; ++n) {
        auto start = Clock::now();
        const ChannelPrediction prediction = predictSlidingWindow(model, volume, options.channels, window);
        const double cpp = secondsSince(start);
        const double python = peer.request("slide").at(0);
        if (n >= options.warmUps) {
            cppSlide.push_back(cpp);
            pythonSlide.push_back(python);
        }
    }
    for (int n = 0; n < options.warmUps + options.repeats; ++n) {
        const auto start = Clock::now();
        {
            torch::NoGradGuard noGrad;
            const torch::Tensor logits = model->forward(patch).front();
        }
        const double cpp = secondsSince(start);
        const double python = peer.request("forward").at(0);
        if (n >= options.warmUps) {
            cppForward.push_back(cpp);
            pythonForward.push_back(python);
        }
    }
    const double c = median(cppSlide), p = median(pythonSlide), ratio = c / p;
    std::printf("sliding window %d^3 (patch %d^3, %zu windows, 50%% overlap, Gaussian, softmax accumulation; %s): "
                "C++ predictSlidingWindow %.2f s, Python twin %.2f s, ratio %.2f (target <= %.1f: %s)\n",
                options.volume, options.patch, windowCount(size, options.patch),
                describeNetwork(options, options.channels).c_str(), c, p, ratio, kTargetRatio,
                verdict(ratio <= kTargetRatio));
    std::printf("  median of %d after %d warm-up, interleaved; both eval + no_grad, argmax to uint8, "
                "no probabilities, no mirroring\n",
                options.repeats, options.warmUps);
    std::printf("  environment: %s\n", environmentSummary().c_str());
    const double cf = median(cppForward), pf = median(pythonForward);
    std::printf("  extra: one %d^3 patch forward, eval + no_grad: C++ %.3f s, Python %.3f s, ratio %.2f; "
                "%.1f GFLOP -> C++ %.1f GFLOP/s\n",
                options.patch, cf, pf, cf / pf, forwardFlops(networkShape(options), 1, options.channels, options.patch, 1, false) / 1e9,
                forwardFlops(networkShape(options), 1, options.channels, options.patch, 1, false) / cf / 1e9);
    return 0;
}

// ---- throughput -----------------------------------------------------------------------------------

int runThroughput(const Options& options) {
    torch::manual_seed(1);
    UNet3d model(networkShape(options), 1, options.channels);
    const std::array<int, 3> size{options.throughputSize, options.throughputSize, options.throughputSize};
    const FloatVolume volume = randomVolume(size, 1.0);
    {  // warm-up: one window, so that one-off set-up (allocator, oneDNN primitives) is not counted
        torch::NoGradGuard noGrad;
        model->eval();
        model->forward(torch::zeros({1, 1, options.patch, options.patch, options.patch}));
    }
    const auto start = Clock::now();
    const ChannelPrediction prediction = predictSlidingWindow(model, volume, options.channels, windowOptions(options));
    const double seconds = secondsSince(start);
    const double voxels = double(volume.voxelCount());
    const std::size_t windows = windowCount(size, options.patch);
    std::printf("inference throughput %d^3 (predictSlidingWindow, patch %d^3%s, %zu windows, %s): "
                "%.3f Mvoxel/s (%.1f s, %.2f s per window)  (figure, no target set)\n",
                options.throughputSize, options.patch, options.patch == TrainingPlan{}.patchSize[0] ? " = the plan's default" : "",
                windows, describeNetwork(options, options.channels).c_str(), voxels / seconds / 1e6, seconds,
                seconds / double(windows));
    std::printf("  environment: %s\n", environmentSummary().c_str());
    return 0;
}

// ---- memory -----------------------------------------------------------------------------------------

long statusKb(const char* field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(field) + ":";
    while (std::getline(status, line))
        if (line.compare(0, prefix.size(), prefix) == 0) return std::atol(line.c_str() + prefix.size());
    throw std::runtime_error(std::string("no ") + field + " in /proc/self/status");
}

// The child: prints "VMHWM_BEFORE_KB VMHWM_KB SECONDS" (before = the volume and LibTorch loaded).
int runMemoryChild(const Options& options) {
    torch::manual_seed(1);
    UNet3d model(networkShape(options), 1, options.memoryChannels);
    const FloatVolume volume = randomVolume(options.memorySize, 0.8);
    const long before = statusKb("VmHWM");
    const auto start = Clock::now();
    const ChannelPrediction prediction =
        predictSlidingWindow(model, volume, options.memoryChannels, windowOptions(options));
    const double seconds = secondsSince(start);
    std::printf("%ld %ld %.3f\n", before, statusKb("VmHWM"), seconds);
    return 0;
}

int runMemory(const Options& options) {
    // Memory does not depend on libgomp's wait policy, time does: on a shared machine spinning
    // threads make the ~2000 windows several times slower, so the child sleeps instead of spinning
    // unless the caller chose a policy.
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    const std::string childPolicy = policy ? policy : "passive";
    std::ostringstream command;
    command << "OMP_WAIT_POLICY=" << childPolicy << " /proc/" << ::getpid() << "/exe memory-child --threads " << options.threads << " --width "
            << options.width << " --stages " << options.stages << " --patch " << options.patch << " --memory-size "
            << options.memorySize[0] << "," << options.memorySize[1] << "," << options.memorySize[2];
    FILE* child = ::popen(command.str().c_str(), "r");
    if (!child) throw std::runtime_error("cannot start the memory child");
    long before = 0, peak = 0;
    double seconds = 0;
    const int fields = std::fscanf(child, "%ld %ld %lf", &before, &peak, &seconds);
    const int status = ::pclose(child);
    if (fields != 3 || status != 0) throw std::runtime_error("the memory child failed");
    const double gb = peak * 1024.0 / 1e9, beforeGb = before * 1024.0 / 1e9;
    const auto& s = options.memorySize;
    std::printf("peak RSS of predictSlidingWindow on %dx%dx%d float (patch %d^3, %zu windows, %s, probabilities "
                "off): %.2f GB  (target < %.0f GB: %s)\n",
                s[0], s[1], s[2], options.patch, windowCount(s, options.patch),
                describeNetwork(options, options.memoryChannels).c_str(), gb, kMemoryTargetGb,
                verdict(gb < kMemoryTargetGb));
    std::printf("  VmHWM of a child process (GB = 1e9 bytes); %.2f GB of it before the prediction (LibTorch, the "
                "network and the %.2f GB input); the prediction took %.0f s (%.2f s per window, OMP_WAIT_POLICY %s)\n",
                beforeGb, double(s[0]) * s[1] * s[2] * 4 / 1e9, seconds, seconds / double(windowCount(s, options.patch)),
                childPolicy.c_str());
    if (options.width != NetworkShape{}.baseWidth)
        std::printf("  width %d instead of the default %d to keep the run short: the accumulators of the windows, not "
                    "the network, hold most of the memory\n",
                    options.width, NetworkShape{}.baseWidth);
    return 0;
}

// ---- command line -----------------------------------------------------------------------------------

int usage() {
    std::fprintf(stderr,
                 "usage: bench_specialist train|infer|throughput|memory [--threads N] [--repeats N] [--warm-ups N]\n"
                 "         [--batch N] [--patch N] [--width N] [--stages N] [--channels N] [--volume N]\n"
                 "         [--throughput-size N] [--memory-size I,J,K] [--python PATH] [--peer specialist_peer.py]\n");
    return 2;
}

Options parse(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("no command");
    Options options;
    options.command = argv[1];
    for (int n = 2; n < argc; n += 2) {
        const std::string flag = argv[n];
        if (n + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
        const std::string value = argv[n + 1];
        const std::vector<std::pair<const char*, int*>> integers{
            {"--threads", &options.threads},   {"--repeats", &options.repeats}, {"--warm-ups", &options.warmUps},
            {"--batch", &options.batch},       {"--patch", &options.patch},     {"--width", &options.width},
            {"--stages", &options.stages},     {"--channels", &options.channels}, {"--volume", &options.volume},
            {"--throughput-size", &options.throughputSize}};
        bool known = false;
        for (const auto& [name, target] : integers)
            if (flag == name) {
                *target = std::stoi(value);
                known = true;
            }
        if (known) continue;
        if (flag == "--python") {
            options.python = value;
        } else if (flag == "--peer") {
            options.peer = value;
        } else if (flag == "--memory-size") {
            if (std::sscanf(value.c_str(), "%d,%d,%d", &options.memorySize[0], &options.memorySize[1],
                            &options.memorySize[2]) != 3)
                throw std::invalid_argument("--memory-size wants I,J,K");
        } else {
            throw std::invalid_argument("unknown option " + flag);
        }
    }
    if (options.repeats < 1 || options.warmUps < 0 || options.threads < 1)
        throw std::invalid_argument("--repeats and --threads must be at least 1");
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    try {
        options = parse(argc, argv);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_specialist: %s\n", error.what());
        return usage();
    }
    std::signal(SIGPIPE, SIG_IGN);  // a peer that dies must give an error, not kill the benchmark
    try {
        torch::set_num_threads(options.threads);
        const std::map<std::string, std::function<int(const Options&)>> commands{
            {"train", runTrain},
            {"infer", runInfer},
            {"throughput", runThroughput},
            {"memory", runMemory},
            {"memory-child", runMemoryChild}};
        const auto command = commands.find(options.command);
        if (command == commands.end()) return usage();
        const int status = command->second(options);
        std::fflush(stdout);
        return status;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_specialist %s: %s\n", options.command.c_str(), error.what());
        return 1;
    }
}
