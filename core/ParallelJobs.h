#pragma once
// Runs independent jobs on a few threads, the calling one among them, without ever ending the
// process: std::thread ends it when a job's exception leaves the thread, or when a vector of
// threads is destroyed while one still runs (a thread that failed to start, mid-way, used to do
// that). Here the first exception stops the jobs not yet begun and is rethrown once every thread
// has joined; a thread that cannot be started leaves its share to the others.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace ipnp {

// job(n) for every n in [0, jobs) (each once, in no fixed order) on up to `threads` threads.
template <typename Job>
void runInParallel(std::size_t jobs, std::size_t threads, Job&& job) {
    std::atomic<std::size_t> next{0};
    std::mutex failureMutex;
    std::exception_ptr failure;
    const auto work = [&] {
        try {
            for (std::size_t n = next++; n < jobs; n = next++) job(n);
        } catch (...) {
            const std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure) failure = std::current_exception();
            next = jobs;  // the others stop after the job they are on
        }
    };
    std::vector<std::thread> helpers;
    // Room for every helper before any starts: growing the vector later could throw with threads
    // running, and a vector of running threads destroyed by that exception ends the process.
    helpers.reserve(std::min(threads, jobs));
    try {
        for (std::size_t t = 1; t < threads && t < jobs; ++t) helpers.emplace_back(work);
    } catch (...) {
        // A thread that could not start (std::system_error): every job still runs, on fewer.
    }
    work();
    for (std::thread& helper : helpers) helper.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace ipnp
