#pragma once
// How long-running work reports progress and learns it should stop, without knowing who listens
// (the CLI prints to stderr, the GUI moves a progress bar from another thread).
#include <atomic>
#include <functional>
#include <string>

namespace ipnp {

// done out of total steps, and a phrase saying what is happening ("importing amos_0001").
using ProgressCallback = std::function<void(std::size_t done, std::size_t total, const std::string& what)>;

// Set from any thread; the work checks it between steps and throws ipnp::Cancelled.
using CancelFlag = std::atomic<bool>;

}  // namespace ipnp
