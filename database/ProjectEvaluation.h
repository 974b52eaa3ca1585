#pragma once
// The evaluation of DESIGN.md on a project made with `simulate-partial`: per-organ Dice and HD95
// on the test split for the partial-label baseline (the first round's training), the model after
// each IPnP round (the next round's training) and the fully labeled reference; per round, the
// pseudo-labels' Dice against the training split's hidden truth and the decisions taken.
#include <optional>
#include <string>
#include <vector>

#include "Progress.h"
#include "ProjectStore.h"
#include "Specialist.h"

namespace ipnp {

struct OrganScores {
    int organ = 0;
    std::string name;
    std::vector<double> dice;                  // per test scan holding the organ's truth
    std::vector<std::optional<double>> hd95;   // mm; nullopt when undefined (an empty mask)
    double meanDice = 0;
    std::optional<double> meanHd95;            // over the defined values
    int hd95Undefined = 0;
};

struct ModelScores {
    std::string label;        // "baseline", "round 1", ..., "reference"
    int trainedInRound = 0;   // the round whose training made it (0 for the reference)
    std::string checkpoint;   // relative file
    std::vector<OrganScores> organs;
    double meanDice = 0;                 // mean of the organs' mean Dice
    std::optional<double> meanHd95;      // mean of the organs' mean HD95 where defined
};

struct PseudoLabelRound {
    int round = 0;
    std::size_t candidates = 0, accepted = 0, rejected = 0, pending = 0, superseded = 0, absent = 0;
    std::optional<double> meanDice;          // all mask candidates with hidden truth
    std::optional<double> meanDiceAccepted;  // the accepted ones
    std::optional<double> meanAgreement;     // mean specialist-generalist Dice of the mask candidates
    std::vector<std::pair<std::string, double>> organDice;  // per organ, all candidates
};

struct EvaluationReport {
    std::size_t testScans = 0;
    std::vector<ModelScores> models;
    std::vector<PseudoLabelRound> pseudoLabels;
    // (last IPnP model - baseline) / (reference - baseline) in mean test Dice, when all three exist.
    std::optional<double> gapRecovery;
    // Whether the predictions ran under bf16 autocast (set by whoever configured the specialist).
    bool bf16 = false;
};

// Why the report has no gap recovery (no reference, no IPnP round's model, or a reference not
// above the baseline), for a person; empty when it has one.
std::string whyNoGapRecovery(const EvaluationReport& report);

// Per round that reached review: the decisions, the specialist-generalist agreement, and (where
// the project keeps a hidden truth) the pseudo-labels' Dice against it. No model is needed.
std::vector<PseudoLabelRound> pseudoLabelQuality(ProjectStore& store, const ProgressCallback& progress = {});

// Throws ipnp::Error unless some test scan keeps hidden truth: what evaluateProject scores on
// (callers that train before evaluating check first).
void requireTestTruth(ProjectStore& store);

// `specialist` is loaded with each checkpoint in turn. Throws ipnp::Error when the project has no
// test split with hidden truth (it was not made with simulate-partial) or no trained round.
EvaluationReport evaluateProject(ProjectStore& store, Specialist& specialist, const ProgressCallback& progress = {});

}  // namespace ipnp
