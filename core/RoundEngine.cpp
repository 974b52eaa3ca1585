#include "RoundEngine.h"

#include <algorithm>

#include "Error.h"
#include "MaskMorphology.h"

namespace ipnp {

const char* toString(RoundStage stage) {
    switch (stage) {
        case RoundStage::Training: return "training";
        case RoundStage::Prompting: return "prompting";
        case RoundStage::Review: return "review";
        case RoundStage::Closed: return "closed";
        case RoundStage::RolledBack: return "rolled-back";
    }
    return "training";
}

RoundStage roundStageFromString(const std::string& text) {
    for (RoundStage stage : {RoundStage::Training, RoundStage::Prompting, RoundStage::Review, RoundStage::Closed,
                             RoundStage::RolledBack})
        if (text == toString(stage)) return stage;
    throw Error("unknown round stage '" + text + "'");
}

namespace {

void checkCancel(const RoundCallbacks& callbacks) {
    if (callbacks.cancel && callbacks.cancel->load()) throw Error("the round was cancelled; run it again to resume");
}

}  // namespace

RoundSettings resumedRoundSettings(const RoundSettings& stored, const RoundSettings& now) {
    RoundSettings out = stored;
    out.training.device = now.training.device;
    out.training.threads = now.training.threads;
    out.training.bf16 = now.training.bf16;
    return out;
}

RoundSummary RoundEngine::run(const RoundSettings& requested, const RoundCallbacks& callbacks, bool trainingOnly) {
    const GeneralistIdentity generalist = generalist_.identity();
    std::optional<RoundInfo> round = repository_.unfinishedRound();
    if (!round) round = repository_.beginRound(requested, generalist, trainingOnly);
    const RoundSettings settings = round->settings ? resumedRoundSettings(*round->settings, requested) : requested;
    RoundSummary summary;
    summary.round = round->number;
    if (callbacks.log) callbacks.log("round " + std::to_string(round->number) + ": " + toString(round->stage));

    if (round->stage == RoundStage::Training) repository_.trainRound(*round, specialist_, settings, callbacks.training);
    else specialist_.load(round->checkpointFile);
    if (trainingOnly) return summary;
    checkCancel(callbacks);

    const std::vector<PromptTarget> targets = repository_.promptTargets(*round);
    for (const int organ : [&] {
             std::vector<int> organs;
             for (const PromptTarget& target : targets)
                 for (int o : target.organs)
                     if (specialist_.plan().channelOf(o) == 0 && std::find(organs.begin(), organs.end(), o) == organs.end())
                         organs.push_back(o);
             return organs;
         }())
        summary.skippedOrgans.push_back(std::to_string(organ));
    // However the prompting ends (done, cancelled, failed), the generalist lets go of its device.
    struct ReleaseAtTheEnd {
        Generalist& generalist;
        ~ReleaseAtTheEnd() { generalist.release(); }
    } releaseAtTheEnd{generalist_};
    for (std::size_t n = 0; n < targets.size(); ++n) {
        checkCancel(callbacks);
        if (callbacks.progress) callbacks.progress(n, targets.size(), "pseudo-labeling " + targets[n].scanName);
        const ScanCandidates scan = candidatesOfScan(targets[n], settings, callbacks, summary);
        repository_.saveCandidates(*round, generalist, scan);
        ++summary.scans;
    }
    if (callbacks.progress) callbacks.progress(targets.size(), targets.size(), "candidates stored");
    repository_.finishPrompting(*round);
    return summary;
}

ScanCandidates RoundEngine::candidatesOfScan(const PromptTarget& target, const RoundSettings& settings,
                                             const RoundCallbacks& callbacks, RoundSummary& summary) {
    ScanCandidates out;
    out.target = target;
    const FloatVolume image = repository_.readImage(target.scanId);
    const LabelMap locked = repository_.lockedLabels(target.scanId);
    const SpecialistPrediction prediction = specialist_.predict(image, true, settings.mirror);
    const PromptBuilder prompts(settings.prompts);
    Volume<std::uint8_t> noProbability(image.geometry(), 0);
    std::vector<const Volume<std::uint8_t>*> probabilities;
    std::vector<std::optional<VolumeRange>> ranges;
    // The specialist's side of each candidate (cropped to its region), to rescore it once the
    // overlaps are resolved: the policy judges the mask that would be stored.
    std::vector<Mask> specialistMasks;
    std::vector<Volume<std::uint8_t>> probabilityCrops;
    for (std::size_t organNumber = 0; organNumber < target.organs.size(); ++organNumber) {
        const int organ = target.organs[organNumber];
        if (callbacks.generalistProgress)
            callbacks.generalistProgress(organNumber, target.organs.size(), "organ " + std::to_string(organ));
        const auto channel = std::find(prediction.organs.begin(), prediction.organs.end(), organ);
        if (channel == prediction.organs.end()) continue;  // no output for it: listed in skippedOrgans
        const Volume<std::uint8_t>& probability = prediction.probabilities[std::size_t(channel - prediction.organs.begin())];
        const std::optional<LabelMap> weak =
            withWeakDetection(prediction.labels, probability, organ, settings.prompts.weakDetectionFloor);
        const LabelMap& predicted = weak ? *weak : prediction.labels;
        PromptSet prompt = prompts.build(predicted, locked, organ);
        const std::optional<VolumeRange> range = repository_.labeledVolumes(organ);
        if (prompt.absent) {
            out.candidates.push_back(makeAbsentCandidate(std::move(prompt)));
            specialistMasks.emplace_back();
            probabilityCrops.emplace_back();
            ++summary.absent;
        } else {
            Mask generalistMask = generalist_.segment(image, prompt);
            Mask specialistMask = cropToRegion(organMask(predicted, organ), prompt.region);
            Volume<std::uint8_t> probabilityCrop = cropToRegion(probability, prompt.region);
            out.candidates.push_back(
                makeCandidate(std::move(prompt), std::move(generalistMask), specialistMask, probabilityCrop, range));
            specialistMasks.push_back(std::move(specialistMask));
            probabilityCrops.push_back(std::move(probabilityCrop));
        }
        probabilities.push_back(out.candidates.back().prompt.absent ? &noProbability : &probability);
        ranges.push_back(range);
    }
    if (callbacks.generalistProgress)
        callbacks.generalistProgress(target.organs.size(), target.organs.size(), "organs done");
    resolveOverlaps(out.candidates, locked, probabilities);
    for (std::size_t n = 0; n < out.candidates.size(); ++n) {
        Candidate& candidate = out.candidates[n];
        if (!candidate.prompt.absent)
            candidate.scores = scoreCandidate(candidate.mask, specialistMasks[n], probabilityCrops[n], ranges[n]);
        const bool accepted = settings.autoAccept && passesAutoAccept(candidate, settings.policy, ranges[n]);
        out.autoAccepted.push_back(accepted);
        summary.autoAccepted += accepted;
    }
    summary.candidates += out.candidates.size();
    return out;
}

}  // namespace ipnp
