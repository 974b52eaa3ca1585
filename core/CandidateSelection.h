#pragma once
// Step 4 of the method: the candidate pseudo-label of one organ (the generalist's mask G), its
// selection mask M = B ∩ ¬(G ⊕ S), its scores, and the unattended auto-accept policy (step 5).
#include <optional>
#include <vector>

#include "PromptSet.h"
#include "Volume.h"

namespace ipnp {

struct CandidateScores {
    double specialistGeneralistDice = 0;   // Dice(S, G) inside the region
    double meanConfidence = 0;             // mean specialist probability of the organ over G's voxels
    double volumeMl = 0;                   // volume of G
    // 1 inside the organ's range of labeled volumes, else the ratio to the nearer end (< 1);
    // nullopt when no scan has a labeled volume of the organ.
    std::optional<double> volumePlausibility;
};

// The range of volumes (ml) an organ has where it is labeled (manual or human-accepted).
struct VolumeRange {
    double minimumMl = 0, maximumMl = 0;
    int count = 0;
};

struct AutoAcceptPolicy {
    double minimumDice = 0.8;     // specialist-generalist Dice >= this
    double rangeWidening = 0.5;   // volume within [min x (1 - w), max x (1 + w)] of the labeled range
};

struct Candidate {
    PromptSet prompt;   // organ, absent flag, region B_c and the prompts
    Mask mask;          // G_c on the region's sub-grid (empty for an absent candidate)
    Mask selection;     // M_c on the region's sub-grid: 1 where specialist and generalist agree
    CandidateScores scores;
};

// Builds the candidate from the generalist's mask `generalist` (on prompt.region's sub-grid) and
// the specialist's mask `specialist` and probability (0..255) of the organ, both cropped to the
// same region.
Candidate makeCandidate(PromptSet prompt, Mask generalist, const Mask& specialist, const Volume<std::uint8_t>& probability,
                        const std::optional<VolumeRange>& labeledVolumes);

// The scores of a generalist mask (0/1) against the specialist's mask and probability (0..255),
// all on one region; makeCandidate uses it, and the round engine again after resolveOverlaps.
CandidateScores scoreCandidate(const Mask& generalist, const Mask& specialist, const Volume<std::uint8_t>& probability,
                               const std::optional<VolumeRange>& labeledVolumes);

// An absent candidate (no component found): no mask, no scores.
Candidate makeAbsentCandidate(PromptSet prompt);

// Step 5's unattended policy; an absent candidate, and one whose mask is empty, always waits for a
// person.
bool passesAutoAccept(const Candidate& candidate, const AutoAcceptPolicy& policy,
                      const std::optional<VolumeRange>& labeledVolumes);
bool passesAutoAccept(const CandidateScores& scores, bool absent, const AutoAcceptPolicy& policy,
                      const std::optional<VolumeRange>& labeledVolumes);

double plausibilityOf(double volumeMl, const VolumeRange& range);

// Overlaps between the candidates of one scan, and with its locked labels: manual (locked) labels
// are never overwritten, so their voxels leave every candidate and count as selected (they are
// known, and must stay in the loss); a voxel claimed by several candidates stays with the organ of
// highest specialist probability (`probabilityOfCandidate[n]` is candidate n's map on the scan
// grid, 0..255), and the losers' selection masks lose it (no longer agreed on). Scores are left as
// they were: rescore the masks with scoreCandidate before judging them.
void resolveOverlaps(std::vector<Candidate>& candidates, const LabelMap& locked,
                     const std::vector<const Volume<std::uint8_t>*>& probabilityOfCandidate);

}  // namespace ipnp
