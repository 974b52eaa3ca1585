#include "SeededRandom.h"

namespace ipnp {

std::uint64_t SeededRandom::next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::size_t SeededRandom::below(std::size_t bound) {
    // Rejection sampling keeps the draw unbiased for any bound.
    const std::uint64_t limit = ~std::uint64_t(0) - (~std::uint64_t(0) % bound);
    std::uint64_t value;
    do value = next();
    while (value >= limit);
    return static_cast<std::size_t>(value % bound);
}

double SeededRandom::uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }

}  // namespace ipnp
