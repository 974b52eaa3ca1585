#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ipnp {

// A random generator whose sequence is the same on every platform (std::shuffle is not).
class SeededRandom {
public:
    explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
    // The whole state: a generator rebuilt from it continues the same sequence (checkpoints).
    std::uint64_t state() const { return state_; }
    std::uint64_t next();                        // splitmix64
    std::size_t below(std::size_t bound);        // uniform in [0, bound)
    double uniform();                            // uniform in [0, 1)
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    template <typename T>
    void shuffle(std::vector<T>& items) {
        for (std::size_t n = items.size(); n > 1; --n) std::swap(items[n - 1], items[below(n)]);
    }

private:
    std::uint64_t state_;
};

}  // namespace ipnp
