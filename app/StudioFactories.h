#pragma once
// The desktop app's specialist and generalist: LibTorch's specialist on the settings' device and
// threads, and the generalist opener the CLI uses ("builtin" or a TorchScript file). The app, its
// tests and the GUI benchmark wire the window with these.
#include "RoundRunner.h"

namespace ipnp {

RoundFactories torchRoundFactories();

}  // namespace ipnp
