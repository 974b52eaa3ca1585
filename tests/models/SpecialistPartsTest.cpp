// The specialist's parts against hand-computed values: network shapes and parameter count,
// window placement, the Gaussian importance map, sliding-window assembly with a network whose
// output is known, patch padding, refusing a damaged checkpoint, and a warm start that begins
// exactly from the given weights (or from scratch when they do not fit), and the CPU threads.
#include <dlfcn.h>
#include <sched.h>
#include <sys/resource.h>
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "Checkpoint.h"
#include "CpuThreads.h"
#include "HeapReuse.h"
#include "Error.h"
#include "PhantomGenerator.h"
#include "SlidingWindowPredictor.h"
#include "TorchSpecialist.h"
#include "TrainingData.h"
#include "UNet3d.h"

using namespace ipnp;

namespace {
NetworkShape shape(int stages, int base, bool deepSupervision) {
    NetworkShape s;
    s.stages = stages;
    s.baseWidth = base;
    s.maxWidth = 256;
    s.deepSupervision = deepSupervision;
    return s;
}
}  // namespace

class SpecialistPartsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parameterCountByHand() {
        // stages 2, base 2, 1 input, 3 outputs:
        //  encoder 0: conv 1->2 (2*1*27+2 = 56), conv 2->2 (2*2*27+2 = 110), two affine norms (2*2*2 = 8): 174
        //  encoder 1: conv 2->4 (4*2*27+4 = 220), conv 4->4 (4*4*27+4 = 436), norms (2*2*4 = 16): 672
        //  upsampler: transposed conv 4->2, kernel 2, no bias: 4*2*8 = 64
        //  decoder: conv 4->2 (2*4*27+2 = 218), conv 2->2 (110), norms (8): 336
        //  head: 1x1 conv 2->3: 3*2+3 = 9.  Total 1255.
        UNet3d net(shape(2, 2, false), 1, 3);
        std::int64_t count = 0;
        for (const auto& p : net->parameters()) count += p.numel();
        QCOMPARE(count, std::int64_t(1255));
    }

    void outputsHaveThePatchShape() {
        torch::manual_seed(0);
        UNet3d net(shape(4, 4, true), 1, 5);
        net->train();
        const auto outputs = net->forward(torch::randn({2, 1, 32, 24, 16}));
        QCOMPARE(outputs.size(), std::size_t(3));  // full, 1/2, 1/4 resolution
        QCOMPARE(outputs[0].sizes().vec(), (std::vector<int64_t>{2, 5, 32, 24, 16}));
        QCOMPARE(outputs[1].sizes().vec(), (std::vector<int64_t>{2, 5, 16, 12, 8}));
        QCOMPARE(outputs[2].sizes().vec(), (std::vector<int64_t>{2, 5, 8, 6, 4}));
        net->eval();
        QCOMPARE(net->forward(torch::randn({1, 1, 32, 24, 16})).size(), std::size_t(1));  // inference: full only
        QCOMPARE(net->stageWidth(3), 32);
    }

    void windowStartsByHand() {
        // 100 voxels, patch 64, 50 % overlap: step 32, ceil(36 / 32) + 1 = 3 windows, spread to 0, 18, 36.
        QCOMPARE(windowStarts(100, 64, 0.5), (std::vector<long>{0, 18, 36}));
        QCOMPARE(windowStarts(64, 64, 0.5), (std::vector<long>{0}));
        QCOMPARE(windowStarts(40, 64, 0.5), (std::vector<long>{0}));
        // 96 voxels, patch 32: step 16, ceil(64 / 16) + 1 = 5: 0, 16, 32, 48, 64.
        QCOMPARE(windowStarts(96, 32, 0.5), (std::vector<long>{0, 16, 32, 48, 64}));
    }

    void gaussianPeaksInTheMiddle() {
        const torch::Tensor g = gaussianImportance({8, 8, 8});
        QCOMPARE(g.max().item<float>(), 1.0f);
        QVERIFY(g.min().item<float>() > 0);
        // Centre is between voxels 3 and 4 (index 3.5): those are equal and highest; sigma = 1,
        // so one voxel further out weighs exp(-(1.5^2 - 0.5^2) / 2) = exp(-1) relative, per axis.
        QVERIFY(std::abs(g[3][3][3].item<float>() - g[4][4][4].item<float>()) < 1e-6);
        QVERIFY(std::abs(g[2][3][3].item<float>() / g[3][3][3].item<float>() - std::exp(-1.0f)) < 1e-5);
    }

    void slidingWindowAssemblesAKnownOutput() {
        // With every weight zero the network's output is its head's bias: logits (0, ln 3, 0) give
        // softmax (1/5, 3/5, 1/5) everywhere, whatever the windows and their weights.
        UNet3d net(shape(3, 2, false), 1, 3);
        {
            torch::NoGradGuard guard;
            for (auto& p : net->parameters()) p.zero_();
            for (auto& item : net->named_parameters())
                if (item.key() == "heads.1.bias") item.value().copy_(torch::tensor({0.0f, std::log(3.0f), 0.0f}));
        }
        ImageGeometry g;
        g.size = {37, 23, 19};  // not multiples of the 16-voxel patch: windows overlap unevenly
        FloatVolume image(g, 5.0f);
        SlidingWindowOptions options;
        options.patchSize = {16, 16, 16};
        options.probabilities = true;
        const ChannelPrediction result = predictSlidingWindow(net, image, 3, options);
        for (std::uint8_t channel : result.argmax.voxels()) QCOMPARE(int(channel), 1);
        QCOMPARE(result.probabilities.size(), std::size_t(2));
        for (std::uint8_t p : result.probabilities[0].voxels()) QCOMPARE(int(p), 153);  // round(0.6 * 255)
        for (std::uint8_t p : result.probabilities[1].voxels()) QCOMPARE(int(p), 51);   // round(0.2 * 255)

        // A scan smaller than the patch is padded, and every one of its voxels still gets its value.
        ImageGeometry small;
        small.size = {10, 9, 7};
        const ChannelPrediction padded = predictSlidingWindow(net, FloatVolume(small, 1.0f), 3, options);
        QCOMPARE(padded.argmax.voxelCount(), std::size_t(10 * 9 * 7));
        for (std::uint8_t channel : padded.argmax.voxels()) QCOMPARE(int(channel), 1);
        for (std::uint8_t p : padded.probabilities[0].voxels()) QCOMPARE(int(p), 153);
    }

    void streamingMatchesWholeVolumeAccumulation() {
        // The band-streamed accumulation must equal the plain one: every window's softmax times the
        // Gaussian added into whole-volume sums, divided by the summed weights, then argmax.
        torch::manual_seed(7);
        UNet3d net(shape(3, 4, false), 1, 4);
        net->eval();
        ImageGeometry g;
        g.size = {40, 36, 28};  // i, j, k -> tensor [28, 36, 40]
        FloatVolume image(g);
        const torch::Tensor input = torch::randn({28, 36, 40});
        std::memcpy(image.data(), input.data_ptr<float>(), image.voxelCount() * sizeof(float));
        SlidingWindowOptions options;
        options.patchSize = {16, 16, 16};
        options.probabilities = true;
        const ChannelPrediction streamed = predictSlidingWindow(net, image, 4, options);

        torch::NoGradGuard guard;
        const torch::Tensor importance = gaussianImportance({16, 16, 16});
        torch::Tensor sums = torch::zeros({4, 28, 36, 40}), weights = torch::zeros({28, 36, 40});
        for (long z : windowStarts(28, 16, 0.5))
            for (long y : windowStarts(36, 16, 0.5))
                for (long x : windowStarts(40, 16, 0.5)) {
                    const torch::Tensor window = input.narrow(0, z, 16).narrow(1, y, 16).narrow(2, x, 16).reshape({1, 1, 16, 16, 16});
                    const torch::Tensor p = torch::softmax(net->forward(window).front(), 1)[0] * importance;
                    sums.narrow(1, z, 16).narrow(2, y, 16).narrow(3, x, 16) += p;
                    weights.narrow(0, z, 16).narrow(1, y, 16).narrow(2, x, 16) += importance;
                }
        const torch::Tensor probabilities = sums / weights;
        const torch::Tensor argmax = probabilities.argmax(0).to(torch::kUInt8).contiguous();
        const torch::Tensor organ1 = (probabilities[1] * 255).round().to(torch::kUInt8).contiguous();
        QVERIFY(std::memcmp(argmax.data_ptr<std::uint8_t>(), streamed.argmax.data(), argmax.numel()) == 0);
        QVERIFY(std::memcmp(organ1.data_ptr<std::uint8_t>(), streamed.probabilities[0].data(), organ1.numel()) == 0);
    }

    void patchesPadSmallScans() {
        PreparedCase item;
        item.image = torch::ones({6, 5, 4});
        item.target = torch::full({6, 5, 4}, 1, torch::kUInt8);
        item.labeled = torch::tensor({true, true});
        item.foreground = {{3, 2, 1}};
        std::vector<PreparedCase> cases{item};
        TrainingPlan plan;
        plan.patchSize = {8, 8, 8};
        plan.organs = {6};
        SpecialistSettings settings;
        settings.batchSize = 1;
        settings.augment = false;
        const PatchSampler sampler(cases, plan, settings);
        SeededRandom random(3);
        const TrainingBatch batch = sampler.next(random);
        QCOMPARE(batch.image.sizes().vec(), (std::vector<int64_t>{1, 1, 8, 8, 8}));
        // Only the 6*5*4 = 120 voxels of the scan count; the padding is excluded from every term.
        QCOMPARE(batch.targets.valid.sum().item<float>(), 120.0f);
        QCOMPARE(batch.image.sum().item<float>(), 120.0f);
        QCOMPARE(batch.targets.target.sum().item<int64_t>(), std::int64_t(120));
    }

    void checkpointRoundTripsAndDamageIsNamed() {
        QTemporaryDir dir;
        TrainingPlan plan;
        plan.organs = {2, 6, 9};
        plan.patchSize = {32, 24, 16};
        plan.targetSpacing = {1.5, 1.5, 2.5};
        plan.normalization.clipLow = -120;
        plan.normalization.mean = 40;
        plan.network = shape(2, 2, false);
        UNet3d net(plan.network, 1, plan.channels());
        const std::string file = dir.filePath("ok.pt").toStdString();
        saveCheckpoint(file, net, nullptr, plan, {7, 100, 0xfedcba9876543210ULL, 0.5});
        CheckpointReader reader(file);
        QCOMPARE(reader.plan().organs, plan.organs);
        QCOMPARE(reader.plan().patchSize, plan.patchSize);
        QCOMPARE(reader.plan().targetSpacing[2], 2.5);
        QCOMPARE(reader.plan().normalization.clipLow, -120.0);
        QCOMPARE(reader.progress().iteration, 7);
        QCOMPARE(reader.progress().randomState, 0xfedcba9876543210ULL);
        UNet3d again(plan.network, 1, plan.channels());
        reader.loadModel(again);
        for (std::size_t n = 0; n < net->parameters().size(); ++n)
            QVERIFY(torch::equal(net->parameters()[n], again->parameters()[n]));

        const std::string damaged = dir.filePath("damaged.pt").toStdString();
        std::ofstream(damaged) << "not a checkpoint";
        try {
            CheckpointReader bad(damaged);
            QFAIL("a damaged checkpoint was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("damaged.pt") && QString(error.what()).contains("not a readable"),
                     error.what());
        }
    }

    void cpuThreadsAreEveryAllowedCoreAndOpenBlasRunsOnTheCaller() {
        // The count comes from the affinity mask, read here independently of CpuThreads.cpp.
        cpu_set_t set;
        CPU_ZERO(&set);
        QCOMPARE(sched_getaffinity(0, sizeof(set), &set), 0);
        const int allowed = CPU_COUNT(&set);
        QCOMPARE(useCpuThreads(0), allowed);
        QCOMPARE(torch::get_num_threads(), allowed);
        QCOMPARE(useCpuThreads(1), 1);
        QCOMPARE(torch::get_num_threads(), 1);
        // Where LibTorch calls OpenBLAS (Debian's does), OpenBLAS now uses the calling thread alone.
        using GetThreads = int (*)();
        if (const auto openBlasThreads = reinterpret_cast<GetThreads>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads")))
            QCOMPARE(openBlasThreads(), 1);
        else
            qInfo("no OpenBLAS in this process: only LibTorch's threads were checked");
        useCpuThreads(0);
    }

    void freedHeapIsReusedWithoutNewPageFaults() {
        // A 64 MiB block, written, freed, allocated and written again: without the tuning glibc
        // serves it with mmap (its own threshold stops at 32 MiB) and the second write faults in
        // every page again, 64 MiB / 4 KiB = 16384 minor faults (counted here with the tuning off:
        // 16385); with it the block stays in the heap and the second write faults in none.
        QVERIFY(keepFreedHeapForReuse());
        constexpr std::size_t kBytes = std::size_t(64) << 20;
        auto minorFaults = [] {
            rusage usage{};
            getrusage(RUSAGE_SELF, &usage);
            return long(usage.ru_minflt);
        };
        auto writeBlock = [&] {
            auto* block = static_cast<unsigned char*>(std::malloc(kBytes));
            QVERIFY(block != nullptr);
            std::memset(block, 1, kBytes);
            QCOMPARE(int(static_cast<volatile unsigned char*>(block)[kBytes - 1]), 1);
            std::free(block);
        };
        writeBlock();
        const long before = minorFaults();
        writeBlock();
        const long faults = minorFaults() - before;
        QVERIFY2(faults < 512, qPrintable(QString("%1 page faults for a block used before").arg(faults)));
    }

    void warmStartBeginsFromTheGivenWeights() {
        // Three small phantoms, all organs labeled.
        PhantomOptions options;
        options.size = {24, 24, 16};
        options.spacing = {8, 8, 8};
        const PhantomGenerator generator(options);
        std::vector<SpecialistTrainingCase> cases;
        for (int n = 0; n < 3; ++n) cases.push_back(generator.trainingCase(n));
        SpecialistSettings settings;
        settings.iterations = 3;
        settings.patchSize = {16, 16, 16};
        settings.network = shape(2, 4, true);
        settings.optimizer = "adamw";
        settings.threads = 1;
        QTemporaryDir dir;
        std::string saved;
        std::vector<std::string> logs;
        TrainingCallbacks callbacks;
        callbacks.checkpointPath = [&](int iteration) {
            return dir.filePath(QString("run_%1.pt").arg(iteration)).toStdString();
        };
        callbacks.checkpointWritten = [&](const std::string& path, int, double) { saved = path; };
        callbacks.log = [&](const std::string& text) { logs.push_back(text); };
        auto probabilitiesOf = [&](TorchSpecialist& specialist) {
            std::vector<std::uint8_t> all;
            for (const auto& map : specialist.predict(cases[0].image, true, false).probabilities)
                all.insert(all.end(), map.voxels().begin(), map.voxels().end());
            return all;
        };
        TorchSpecialist first;
        first.train(cases, settings, "", callbacks);
        const auto trained = probabilitiesOf(first);
        const std::string firstCheckpoint = saved;

        // A learning rate of 0 changes no weight: a warm-started run predicts what the first one
        // does, a run from scratch (same seed) what the untrained network does.
        settings.learningRate = 0;
        settings.iterations = 1;
        TorchSpecialist fromScratch;
        fromScratch.train(cases, settings, "", callbacks);
        QVERIFY(probabilitiesOf(fromScratch) != trained);
        settings.initialWeights = firstCheckpoint;
        TorchSpecialist warm;
        logs.clear();
        warm.train(cases, settings, "", callbacks);
        QVERIFY(probabilitiesOf(warm) == trained);
        QVERIFY(std::any_of(logs.begin(), logs.end(), [](const std::string& l) { return l.find("starting from the weights") == 0; }));

        // Weights of another network shape do not fit: training starts from scratch, and says so.
        settings.network.baseWidth = 6;
        TorchSpecialist other;
        logs.clear();
        other.train(cases, settings, "", callbacks);
        QVERIFY(std::any_of(logs.begin(), logs.end(), [](const std::string& l) { return l.find("starting from scratch") != std::string::npos; }));
    }
};

QTEST_APPLESS_MAIN(SpecialistPartsTest)
#include "SpecialistPartsTest.moc"
