#include "CandidateSelection.h"

#include <algorithm>

#include "Error.h"
#include "Metrics.h"

namespace ipnp {

namespace {

double voxelVolumeMl(const ImageGeometry& grid) { return grid.spacing[0] * grid.spacing[1] * grid.spacing[2] / 1000.0; }

}  // namespace

double plausibilityOf(double volumeMl, const VolumeRange& range) {
    if (volumeMl >= range.minimumMl && volumeMl <= range.maximumMl) return 1.0;
    if (volumeMl <= 0) return 0.0;
    return volumeMl < range.minimumMl ? volumeMl / range.minimumMl : range.maximumMl / volumeMl;
}

CandidateScores scoreCandidate(const Mask& generalist, const Mask& specialist, const Volume<std::uint8_t>& probability,
                               const std::optional<VolumeRange>& labeledVolumes) {
    const std::size_t n = generalist.voxelCount();
    if (specialist.voxelCount() != n || probability.voxelCount() != n)
        throw Error("candidate scores: the generalist's mask, the specialist's mask and its probabilities must cover the same region");
    CandidateScores scores;
    std::size_t inG = 0;
    double confidence = 0;
    for (std::size_t v = 0; v < n; ++v) {
        if (!generalist.data()[v]) continue;
        ++inG;
        confidence += probability.data()[v] / 255.0;
    }
    scores.specialistGeneralistDice = dice(generalist, specialist);
    scores.meanConfidence = inG ? confidence / double(inG) : 0.0;
    scores.volumeMl = double(inG) * voxelVolumeMl(generalist.geometry());
    if (labeledVolumes && labeledVolumes->count > 0)
        scores.volumePlausibility = plausibilityOf(scores.volumeMl, *labeledVolumes);
    return scores;
}

Candidate makeCandidate(PromptSet prompt, Mask generalist, const Mask& specialist, const Volume<std::uint8_t>& probability,
                        const std::optional<VolumeRange>& labeledVolumes) {
    const std::size_t n = prompt.region.voxelCount();
    if (generalist.voxelCount() != n || specialist.voxelCount() != n || probability.voxelCount() != n)
        throw Error("candidate of organ " + std::to_string(prompt.organ) +
                    ": the generalist's mask, the specialist's mask and its probabilities must cover the prompt region");
    Candidate candidate;
    candidate.selection = Mask(generalist.geometry(), 0);
    for (std::size_t v = 0; v < n; ++v) {
        const bool g = generalist.data()[v] != 0, s = specialist.data()[v] != 0;
        generalist.data()[v] = g;
        candidate.selection.data()[v] = g == s;
    }
    candidate.scores = scoreCandidate(generalist, specialist, probability, labeledVolumes);
    candidate.prompt = std::move(prompt);
    candidate.mask = std::move(generalist);
    return candidate;
}

Candidate makeAbsentCandidate(PromptSet prompt) {
    Candidate candidate;
    prompt.absent = true;
    candidate.prompt = std::move(prompt);
    return candidate;
}

bool passesAutoAccept(const CandidateScores& scores, bool absent, const AutoAcceptPolicy& policy,
                      const std::optional<VolumeRange>& labeledVolumes) {
    if (absent) return false;
    if (scores.volumeMl <= 0) return false;  // an empty mask is never a label (even at T = 0)
    if (scores.specialistGeneralistDice < policy.minimumDice) return false;
    if (!labeledVolumes || labeledVolumes->count == 0) return true;  // nothing to compare with
    return scores.volumeMl >= labeledVolumes->minimumMl * (1.0 - policy.rangeWidening) &&
           scores.volumeMl <= labeledVolumes->maximumMl * (1.0 + policy.rangeWidening);
}

bool passesAutoAccept(const Candidate& candidate, const AutoAcceptPolicy& policy,
                      const std::optional<VolumeRange>& labeledVolumes) {
    return passesAutoAccept(candidate.scores, candidate.prompt.absent, policy, labeledVolumes);
}

void resolveOverlaps(std::vector<Candidate>& candidates, const LabelMap& locked,
                     const std::vector<const Volume<std::uint8_t>*>& probabilityOfCandidate) {
    if (probabilityOfCandidate.size() != candidates.size())
        throw Error("resolveOverlaps: one probability map per candidate is needed");
    // Owner per scan voxel among candidates: index + 1, 0 = none yet.
    std::vector<std::uint16_t> owner(locked.voxelCount(), 0);
    const ImageGeometry& grid = locked.geometry();
    auto forEachVoxel = [&](Candidate& c, auto&& visit) {
        const VoxelRegion& r = c.prompt.region;
        const auto size = r.size();
        for (std::size_t k = 0; k < size[2]; ++k)
            for (std::size_t j = 0; j < size[1]; ++j)
                for (std::size_t i = 0; i < size[0]; ++i) {
                    const std::size_t local = i + size[0] * (j + size[1] * k);
                    if (!c.mask.data()[local]) continue;
                    visit(local, grid.linearIndex(r.first[0] + i, r.first[1] + j, r.first[2] + k));
                }
    };
    for (std::size_t n = 0; n < candidates.size(); ++n) {
        Candidate& c = candidates[n];
        if (c.prompt.absent) continue;
        // A locked label is known truth: its voxels leave the mask and stay selected, so that the
        // selection mask never takes them out of the loss (the whole region, not only G's voxels).
        const VoxelRegion& r = c.prompt.region;
        const auto size = r.size();
        for (std::size_t k = 0; k < size[2]; ++k)
            for (std::size_t j = 0; j < size[1]; ++j)
                for (std::size_t i = 0; i < size[0]; ++i) {
                    const int lockedOrgan = locked.at(r.first[0] + i, r.first[1] + j, r.first[2] + k);
                    if (lockedOrgan == 0 || lockedOrgan == c.prompt.organ) continue;
                    const std::size_t local = i + size[0] * (j + size[1] * k);
                    c.mask.data()[local] = 0;
                    c.selection.data()[local] = 1;
                }
        forEachVoxel(c, [&](std::size_t /*local*/, std::size_t global) {
            const std::uint16_t previous = owner[global];
            if (previous == 0 ||
                probabilityOfCandidate[n]->data()[global] > probabilityOfCandidate[previous - 1]->data()[global])
                owner[global] = std::uint16_t(n + 1);
        });
    }
    for (std::size_t n = 0; n < candidates.size(); ++n) {
        Candidate& c = candidates[n];
        if (c.prompt.absent) continue;
        forEachVoxel(c, [&](std::size_t local, std::size_t global) {
            if (owner[global] != n + 1) {
                c.mask.data()[local] = 0;
                c.selection.data()[local] = 0;
            }
        });
    }
}

}  // namespace ipnp
