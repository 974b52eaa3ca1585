#pragma once
// Line charts for the reports (`ipnp eval`), drawn with QPainter on a QImage and written as PNG:
// no display, no OpenGL. The header holds plain C++ types only, so any app code can include it.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ipnp {

struct ChartSeries {
    std::string name;                           // shown in the legend
    std::vector<std::optional<double>> values;  // one per x tick; nullopt (or NaN/inf) = no point, a gap in the line
};

struct LineChart {
    std::string title, xLabel, yLabel;
    std::vector<std::string> xTicks;  // category axis: the points sit at the centres of equal slots
    std::vector<ChartSeries> series;  // series i is drawn in lineChartSeriesColour(i)
    // A fixed y range (values outside it are clipped); a missing end is chosen from the data,
    // with a margin of 5 % of the data's span.
    std::optional<double> yMin, yMax;
};

// Renders `chart` to a PNG of width x height pixels at `path`, written whole or not at all (a
// temporary file renamed into place). Throws ipnp::Error(path, problem) when the file cannot be
// written or the chart cannot be drawn (series with more or fewer values than x ticks, an empty y
// range, a size too small for the plot). Needs a QGuiApplication for its text: when the program
// has no Qt application at all it holds a HeadlessGuiSession for the call.
void writeLineChartPng(const LineChart& chart, const std::string& path, int width = 900, int height = 560);

// The rectangle the data is drawn in, in pixels of the image (x to the right, y down); with n x
// ticks and the y range [lo, hi], the value v of tick i sits at
//   x = left + (i + 0.5) * width / n,   y = top + (hi - v) / (hi - lo) * height.
// The margins are fixed (title 44 px above, y axis 80 px left, x axis 60 px below); the legend
// takes columns of 180 px on the right (16 px from the plot), each holding (plot height) / 22
// entries, then 20 px of margin (24 px with no series).
struct ChartRect {
    int left = 0, top = 0, width = 0, height = 0;
};
ChartRect lineChartPlotArea(const LineChart& chart, int width = 900, int height = 560);

// The colour of series i, "#rrggbb": a fixed palette of 20 distinct colours (the first ten are
// matplotlib's "tab10"), repeated after 20. Series 10 onwards also change the marker shape
// (circle, square, triangle, diamond for each block of ten), so 40 series remain told apart.
std::string lineChartSeriesColour(std::size_t index);

// Text needs a QGuiApplication. Holding one of these makes sure there is one: when the program
// has no QCoreApplication yet it creates a QGuiApplication on the "offscreen" platform (no
// display needed, whatever DISPLAY or QT_QPA_PLATFORM say) and ends it on destruction; when an
// application already exists it does nothing. A program running a plain QCoreApplication cannot
// draw charts: writeLineChartPng then throws.
class HeadlessGuiSession {
public:
    HeadlessGuiSession();
    ~HeadlessGuiSession();
    HeadlessGuiSession(const HeadlessGuiSession&) = delete;
    HeadlessGuiSession& operator=(const HeadlessGuiSession&) = delete;

    bool ownsApplication() const { return application_ != nullptr; }

private:
    struct Application;
    std::unique_ptr<Application> application_;
};

}  // namespace ipnp
