#include "LineChartImage.h"

#include <QFile>
#include <QFont>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QPainterPath>
#include <QPolygonF>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "AtomicWrite.h"
#include "Error.h"

namespace ipnp {

namespace {

// Layout, in pixels; lineChartPlotArea's comment in the header repeats these numbers.
constexpr int kTitleBand = 44;
constexpr int kLeftBand = 80;
constexpr int kBottomBand = 60;
constexpr int kLegendGap = 16;  // plot edge to the first legend column
constexpr int kLegendColumn = 180;
constexpr int kLegendRow = 22;
constexpr int kRightMargin = 20;
constexpr int kRightMarginNoLegend = 24;
constexpr int kMinWidth = 240, kMinHeight = 180, kMinPlotSide = 80;

// tab10, then ten more chosen apart from it in hue or lightness.
constexpr std::array<const char*, 20> kPalette{
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#1a237e", "#c9a400", "#00796b", "#7f0000", "#1b5e20", "#c51b7d", "#6a1b9a", "#64b5f6", "#ff8a65", "#000000"};

enum class MarkerShape { Circle, Square, Triangle, Diamond };
MarkerShape markerShape(std::size_t index) {
    return static_cast<MarkerShape>((index / 10) % 4);
}

const QColor kText(0x22, 0x22, 0x22);
const QColor kTickText(0x44, 0x44, 0x44);
const QColor kFrame(0x9a, 0x9a, 0x9a);
const QColor kGrid(0xe6, 0xe6, 0xe6);

QFont chartFont(int pixelSize, bool bold = false) {
    QFont font;
    font.setFamilies({"DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"});
    font.setStyleHint(QFont::SansSerif);
    font.setPixelSize(pixelSize);
    font.setBold(bold);
    return font;
}

std::string formatNumber(double value) {
    std::ostringstream text;
    text << value;
    return text.str();
}

bool isFinite(const std::optional<double>& value) {
    return value && std::isfinite(*value);
}

int legendColumns(const LineChart& chart, int plotHeight) {
    if (chart.series.empty()) return 0;
    const int rows = std::max(1, plotHeight / kLegendRow);
    return static_cast<int>((chart.series.size() + rows - 1) / rows);
}

// The y axis: its range and the values that get a grid line and a label.
struct YAxis {
    double lo = 0, hi = 1, step = 0.2;
    int decimals = 1;
    std::vector<double> ticks;
};

// 1, 2, 2.5 or 5 times a power of ten, close to `raw`.
double niceStep(double raw) {
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double residual = raw / magnitude;
    if (residual <= 1.0) return magnitude;
    if (residual <= 2.0) return 2 * magnitude;
    if (residual <= 2.5) return 2.5 * magnitude;
    if (residual <= 5.0) return 5 * magnitude;
    return 10 * magnitude;
}

int decimalsOf(double step) {
    for (int decimals = 0; decimals < 12; ++decimals) {
        const double scaled = step * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * scaled) return decimals;
    }
    return 12;
}

YAxis yAxisFor(const LineChart& chart, int plotHeight) {
    double dataLo = INFINITY, dataHi = -INFINITY;
    for (const ChartSeries& series : chart.series)
        for (const auto& value : series.values)
            if (isFinite(value)) dataLo = std::min(dataLo, *value), dataHi = std::max(dataHi, *value);
    double lo = chart.yMin ? *chart.yMin : dataLo;
    double hi = chart.yMax ? *chart.yMax : dataHi;
    if (!std::isfinite(lo) && !std::isfinite(hi)) lo = 0, hi = 1;  // no data and no range
    if (!std::isfinite(lo)) lo = std::min(0.0, hi - 1);
    if (!std::isfinite(hi)) hi = std::max(1.0, lo + 1);
    if (hi <= lo) {  // flat data, or data beyond a one-sided fixed end
        const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
        if (!chart.yMin) lo = std::min(lo, hi) - pad;
        if (!chart.yMax) hi = std::max(lo, hi) + pad;
    } else if (std::isfinite(dataLo)) {
        // A free end keeps a margin of 5 % of the span, so that no line runs along the frame.
        const double margin = 0.05 * (hi - lo);
        if (!chart.yMin) lo -= margin;
        if (!chart.yMax) hi += margin;
    }
    YAxis axis;
    axis.lo = lo;
    axis.hi = hi;
    const double intervals = std::clamp(plotHeight / 60.0, 2.0, 10.0);
    axis.step = niceStep((hi - lo) / intervals);
    axis.decimals = decimalsOf(axis.step);
    const double tolerance = axis.step * 1e-6;
    if (!std::isfinite(axis.step) || axis.step <= 0) return axis;  // a span beyond double's range: no ticks
    for (double k = std::ceil(axis.lo / axis.step - 1e-9); axis.ticks.size() < 64; ++k) {
        double tick = k * axis.step;
        if (tick > axis.hi + tolerance) break;
        if (std::abs(tick) < tolerance) tick = 0;  // no "-0"
        axis.ticks.push_back(tick);
    }
    return axis;
}

void validate(const LineChart& chart, const std::string& path, int width, int height) {
    if (width < kMinWidth || height < kMinHeight)
        throw Error(path, "a chart needs at least " + std::to_string(kMinWidth) + " x " + std::to_string(kMinHeight) +
                              " pixels, not " + std::to_string(width) + " x " + std::to_string(height));
    for (const ChartSeries& series : chart.series)
        if (series.values.size() != chart.xTicks.size())
            throw Error(path, "series '" + series.name + "' has " + std::to_string(series.values.size()) +
                                  " values for " + std::to_string(chart.xTicks.size()) + " x ticks");
    for (const auto& end : {chart.yMin, chart.yMax})
        if (end && !std::isfinite(*end)) throw Error(path, "the y range has a non-finite end " + formatNumber(*end));
    if (chart.yMin && chart.yMax && *chart.yMin >= *chart.yMax)
        throw Error(path, "the y range is empty (min " + formatNumber(*chart.yMin) + ", max " +
                              formatNumber(*chart.yMax) + ")");
    const ChartRect plot = lineChartPlotArea(chart, width, height);
    if (plot.width < kMinPlotSide || plot.height < kMinPlotSide)
        throw Error(path, "a " + std::to_string(width) + " x " + std::to_string(height) + " image leaves no room for " +
                              "the plot beside a legend of " + std::to_string(chart.series.size()) + " series");
}

void drawMarker(QPainter& painter, MarkerShape shape, QPointF centre, double radius) {
    switch (shape) {
        case MarkerShape::Circle:
            painter.drawEllipse(centre, radius, radius);
            break;
        case MarkerShape::Square: {
            const double side = radius * 0.9;
            painter.drawRect(QRectF(centre.x() - side, centre.y() - side, 2 * side, 2 * side));
            break;
        }
        case MarkerShape::Triangle: {
            const double r = radius * 1.25;
            painter.drawPolygon(QPolygonF({centre + QPointF(0, -r), centre + QPointF(0.866 * r, 0.5 * r),
                                           centre + QPointF(-0.866 * r, 0.5 * r)}));
            break;
        }
        case MarkerShape::Diamond: {
            const double r = radius * 1.25;
            painter.drawPolygon(QPolygonF(
                {centre + QPointF(0, -r), centre + QPointF(r, 0), centre + QPointF(0, r), centre + QPointF(-r, 0)}));
            break;
        }
    }
}

QImage renderChart(const LineChart& chart, int width, int height) {
    const ChartRect area = lineChartPlotArea(chart, width, height);
    const QRectF plot(area.left, area.top, area.width, area.height);
    const YAxis axis = yAxisFor(chart, area.height);
    const std::size_t count = chart.xTicks.size();
    const double slot = count == 0 ? plot.width() : plot.width() / static_cast<double>(count);
    auto xAt = [&](std::size_t i) { return plot.left() + (static_cast<double>(i) + 0.5) * slot; };
    auto yAt = [&](double v) { return plot.top() + (axis.hi - v) / (axis.hi - axis.lo) * plot.height(); };

    QImage image(width, height, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::TextAntialiasing);

    // Grid and frame, crisp: one-pixel lines on pixel centres, no antialiasing.
    const QFont tickFont = chartFont(12);
    const QFontMetricsF tickMetrics(tickFont);
    painter.setFont(tickFont);
    auto pixelCentre = [](double v) { return std::floor(v) + 0.5; };
    for (double tick : axis.ticks) {
        const double y = pixelCentre(std::min(yAt(tick), plot.bottom() - 1));
        painter.setPen(QPen(kGrid, 1));
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        painter.setPen(QPen(kFrame, 1));
        painter.drawLine(QPointF(plot.left() - 5, y), QPointF(plot.left(), y));
        painter.setPen(kTickText);
        painter.drawText(QRectF(0, y - 10, plot.left() - 9, 20), Qt::AlignRight | Qt::AlignVCenter,
                         QString::number(tick, 'f', axis.decimals));
    }
    // Every `every`-th x label, so that neighbouring labels do not overlap.
    double widestLabel = 0;
    for (const std::string& tick : chart.xTicks)
        widestLabel = std::max(widestLabel, tickMetrics.horizontalAdvance(QString::fromStdString(tick)));
    const std::size_t every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil((widestLabel + 10) / slot)));
    for (std::size_t i = 0; i < count; i += every) {
        const double x = pixelCentre(xAt(i));
        painter.setPen(QPen(kGrid, 1));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter.setPen(QPen(kFrame, 1));
        painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 5));
        const double room = slot * static_cast<double>(every) - 4;
        painter.setPen(kTickText);
        painter.drawText(QRectF(x - room / 2, plot.bottom() + 7, room, 18), Qt::AlignHCenter | Qt::AlignTop,
                         tickMetrics.elidedText(QString::fromStdString(chart.xTicks[i]), Qt::ElideRight, room));
    }
    painter.setPen(QPen(kFrame, 1));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(QRectF(plot.left() - 0.5, plot.top() - 0.5, plot.width() + 1, plot.height() + 1));

    // The series: lines between neighbouring values, markers at every value. A value beyond a
    // fixed range is clipped; the margin keeps whole the markers of values on the range's ends.
    painter.setRenderHint(QPainter::Antialiasing);
    painter.save();
    painter.setClipRect(plot.adjusted(-5, -5, 5, 5));
    const double markerRadius = std::clamp(slot / 4, 1.5, 3.5);
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
        const ChartSeries& series = chart.series[s];
        const QColor colour(lineChartSeriesColour(s).c_str());
        QPen line(colour, 2);
        line.setCapStyle(Qt::RoundCap);
        line.setJoinStyle(Qt::RoundJoin);
        painter.setPen(line);
        painter.setBrush(Qt::NoBrush);
        QPainterPath path;
        bool open = false;
        for (std::size_t i = 0; i < count; ++i) {
            if (!isFinite(series.values[i])) {
                open = false;
                continue;
            }
            const QPointF point(xAt(i), yAt(*series.values[i]));
            if (open)
                path.lineTo(point);
            else
                path.moveTo(point);
            open = true;
        }
        painter.drawPath(path);
        painter.setPen(QPen(Qt::white, 1));
        painter.setBrush(colour);
        for (std::size_t i = 0; i < count; ++i)
            if (isFinite(series.values[i]))
                drawMarker(painter, markerShape(s), QPointF(xAt(i), yAt(*series.values[i])), markerRadius);
    }
    painter.restore();

    // Legend: columns of entries right of the plot, filled top to bottom.
    const QFont legendFont = chartFont(12);
    const QFontMetricsF legendMetrics(legendFont);
    painter.setFont(legendFont);
    const int rows = std::max(1, area.height / kLegendRow);
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
        const double left = plot.right() + kLegendGap + static_cast<double>(s / rows) * kLegendColumn;
        const double middle = plot.top() + (static_cast<double>(s % rows) + 0.5) * kLegendRow;
        const QColor colour(lineChartSeriesColour(s).c_str());
        QPen line(colour, 2);
        line.setCapStyle(Qt::RoundCap);
        painter.setPen(line);
        painter.drawLine(QPointF(left + 2, middle), QPointF(left + 24, middle));
        painter.setPen(QPen(Qt::white, 1));
        painter.setBrush(colour);
        drawMarker(painter, markerShape(s), QPointF(left + 13, middle), 3.5);
        painter.setPen(kText);
        const double textLeft = left + 32, room = kLegendColumn - 32 - 8;
        painter.drawText(QRectF(textLeft, middle - kLegendRow / 2.0, room, kLegendRow),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         legendMetrics.elidedText(QString::fromStdString(chart.series[s].name), Qt::ElideRight, room));
    }

    // Title and axis labels.
    painter.setPen(kText);
    if (!chart.title.empty()) {
        const QFont titleFont = chartFont(17, true);
        painter.setFont(titleFont);
        const double room = width - 20;
        const double centre = std::clamp(plot.center().x(), 10 + room / 2, width - 10 - room / 2);
        painter.drawText(
            QRectF(centre - room / 2, 0, room, kTitleBand - 4), Qt::AlignCenter,
            QFontMetricsF(titleFont).elidedText(QString::fromStdString(chart.title), Qt::ElideRight, room));
    }
    const QFont labelFont = chartFont(13);
    painter.setFont(labelFont);
    if (!chart.xLabel.empty())
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + 30, plot.width(), 24), Qt::AlignCenter,
            QFontMetricsF(labelFont).elidedText(QString::fromStdString(chart.xLabel), Qt::ElideRight, plot.width()));
    if (!chart.yLabel.empty()) {
        painter.save();
        painter.translate(16, plot.center().y());
        painter.rotate(-90);
        painter.drawText(
            QRectF(-plot.height() / 2, -12, plot.height(), 24), Qt::AlignCenter,
            QFontMetricsF(labelFont).elidedText(QString::fromStdString(chart.yLabel), Qt::ElideRight, plot.height()));
        painter.restore();
    }
    painter.end();
    return image;
}

}  // namespace

namespace {
QtMessageHandler handlerBeforeSession = nullptr;

// Drops the one warning a headless start gives on machines without a login session (root in a
// container, a CI runner): it says nothing to the person running `ipnp eval`.
void dropRuntimeDirWarning(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (message.startsWith("QStandardPaths: XDG_RUNTIME_DIR not set")) return;
    if (handlerBeforeSession != nullptr) handlerBeforeSession(type, context, message);
}
}  // namespace

struct HeadlessGuiSession::Application {
    // QGuiApplication keeps references to argc and argv (and takes "-platform offscreen" out of
    // them), so they live as long as it does.
    std::string program = "ipnp", platformOption = "-platform", platform = "offscreen";
    int argc = 3;
    char* argv[4] = {program.data(), platformOption.data(), platform.data(), nullptr};
    std::unique_ptr<QGuiApplication> application;

    Application() {
        handlerBeforeSession = qInstallMessageHandler(dropRuntimeDirWarning);
        try {
            application = std::make_unique<QGuiApplication>(argc, argv);
        } catch (...) {
            qInstallMessageHandler(handlerBeforeSession);
            throw;
        }
        qInstallMessageHandler(handlerBeforeSession);
    }
};

HeadlessGuiSession::HeadlessGuiSession() {
    if (QCoreApplication::instance() == nullptr) application_ = std::make_unique<Application>();
}

HeadlessGuiSession::~HeadlessGuiSession() = default;

std::string lineChartSeriesColour(std::size_t index) {
    return kPalette[index % kPalette.size()];
}

ChartRect lineChartPlotArea(const LineChart& chart, int width, int height) {
    ChartRect plot;
    plot.left = kLeftBand;
    plot.top = kTitleBand;
    plot.height = height - kTitleBand - kBottomBand;
    const int columns = legendColumns(chart, plot.height);
    const int right = columns == 0 ? kRightMarginNoLegend : kLegendGap + columns * kLegendColumn + kRightMargin;
    plot.width = width - kLeftBand - right;
    return plot;
}

void writeLineChartPng(const LineChart& chart, const std::string& path, int width, int height) {
    validate(chart, path, width, height);
    std::optional<HeadlessGuiSession> session;
    if (QCoreApplication::instance() == nullptr) session.emplace();
    if (qobject_cast<QGuiApplication*>(QCoreApplication::instance()) == nullptr)
        throw Error(path,
                    "drawing a chart's text needs a QGuiApplication, and this program runs a plain "
                    "QCoreApplication (create an ipnp::HeadlessGuiSession before it)");
    const QImage image = renderChart(chart, width, height);
    writeFileAtomically(path, [&](const std::string& temporary) {
        QFile file(QString::fromStdString(temporary));
        if (!file.open(QIODevice::WriteOnly))
            throw Error(path, "cannot write the chart: " + file.errorString().toStdString());
        QImageWriter writer(&file, "png");
        if (!writer.write(image) || !file.flush())
            throw Error(path,
                        "cannot write the chart: " +
                            (writer.error() != QImageWriter::UnknownError ? writer.errorString() : file.errorString())
                                .toStdString());
    });
}

}  // namespace ipnp
