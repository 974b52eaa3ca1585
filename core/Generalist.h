#pragma once
// The frozen half of IPnP (DESIGN.md, "The method", step 3): a promptable segmenter that is never
// trained. core has the built-in one (BuiltinGeneralist); models/ runs TorchScript ones.
#include <string>

#include "PromptSet.h"
#include "Volume.h"

namespace ipnp {

// Recorded with every candidate the generalist produces.
struct GeneralistIdentity {
    std::string name;      // e.g. "builtin-growcut" or the .pt file's name
    std::string sha256;    // of the model file; of the algorithm's version string for built-in ones
    std::string contract;  // "builtin", "point3d" or "box2d"
};

class Generalist {
public:
    virtual ~Generalist() = default;
    virtual GeneralistIdentity identity() const = 0;
    // Segments prompt.organ inside prompt.region of `image` (intensities as stored, the scan's own
    // grid): a 0/1 mask on the region's sub-grid. Must not be called with an absent prompt.
    // Throws ipnp::Error when the model breaks its contract.
    virtual Mask segment(const FloatVolume& image, const PromptSet& prompt) = 0;
    // A round's prompts are done: give back what is held on a device (a TorchScript model's weights
    // on the GPU), so that the next round's training has the memory; the next segment call takes it
    // again. Never throws.
    virtual void release() {}
};

}  // namespace ipnp
