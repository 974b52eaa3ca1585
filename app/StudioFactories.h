#pragma once
// The desktop app's specialist and generalist: LibTorch's specialist on the settings' device and
// threads, the generalist opener the CLI uses ("builtin" or a TorchScript file), and `ipnp eval`'s
// report files for the evaluation. The app, its tests and the GUI benchmark wire the window with
// these.
#include "RoundRunner.h"

namespace ipnp {

RoundFactories torchRoundFactories();

}  // namespace ipnp
