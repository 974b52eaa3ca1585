#include "ContourTracer.h"

#include <map>

namespace ipnp {

namespace {

using Corner = std::pair<long, long>;  // voxel corner (a, b) = index position (a - 0.5, b - 0.5)

// Drops the corners where a loop goes straight on: only the turns are needed.
std::vector<Corner> turnsOnly(const std::vector<Corner>& loop) {
    std::vector<Corner> out;
    const std::size_t n = loop.size();
    for (std::size_t p = 0; p < n; ++p) {
        const Corner& before = loop[(p + n - 1) % n];
        const Corner& at = loop[p];
        const Corner& after = loop[(p + 1) % n];
        const long cross = (at.first - before.first) * (after.second - at.second) - (at.second - before.second) * (after.first - at.first);
        if (cross != 0) out.push_back(at);
    }
    return out;
}

}  // namespace

std::vector<SliceContours> traceContours(const LabelMap& labels, std::uint8_t value) {
    const ImageGeometry& g = labels.geometry();
    const long columns = long(g.size[0]), rows = long(g.size[1]);
    std::vector<SliceContours> out;
    for (std::size_t k = 0; k < g.size[2]; ++k) {
        const auto inside = [&](long i, long j) {
            return i >= 0 && j >= 0 && i < columns && j < rows && labels.at(std::size_t(i), std::size_t(j), k) == value;
        };
        // Directed boundary edges with the organ on their left (counter-clockwise outlines).
        std::multimap<Corner, Corner> edges;
        for (long j = 0; j < rows; ++j)
            for (long i = 0; i < columns; ++i) {
                if (!inside(i, j)) continue;
                if (!inside(i, j - 1)) edges.emplace(Corner{i, j}, Corner{i + 1, j});
                if (!inside(i + 1, j)) edges.emplace(Corner{i + 1, j}, Corner{i + 1, j + 1});
                if (!inside(i, j + 1)) edges.emplace(Corner{i + 1, j + 1}, Corner{i, j + 1});
                if (!inside(i - 1, j)) edges.emplace(Corner{i, j + 1}, Corner{i, j});
            }
        if (edges.empty()) continue;
        SliceContours slice{k, {}};
        // Each edge is used once: whatever loops they form, their even-odd union is the organ.
        while (!edges.empty()) {
            auto edge = edges.begin();
            const Corner start = edge->first;
            std::vector<Corner> loop;
            Corner at = start;
            do {
                loop.push_back(at);
                const Corner next = edge->second;
                edges.erase(edge);
                at = next;
                edge = edges.find(at);
            } while (at != start && edge != edges.end());
            ClosedContour contour;
            for (const Corner& c : turnsOnly(loop))
                contour.push_back(g.indexToWorld({double(c.first) - 0.5, double(c.second) - 0.5, double(k)}));
            slice.contours.push_back(std::move(contour));
        }
        out.push_back(std::move(slice));
    }
    return out;
}

}  // namespace ipnp
