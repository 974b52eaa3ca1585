// Line charts as PNG (app/LineChartImage): pixels of the written file checked at positions
// computed by hand from the documented layout, gaps left open, clear errors naming the file.
// The charts are also kept in <build>/test-output/LineChartImageTest/ for a person to look at.
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QImageReader>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdlib>
#include <set>

#include "Error.h"
#include "LineChartImage.h"
#include "TestSupport.h"

using namespace ipnp::test;

namespace {

// Largest per-channel difference between a pixel and a colour.
int distance(QRgb pixel, const QColor& colour) {
    return std::max({std::abs(qRed(pixel) - colour.red()), std::abs(qGreen(pixel) - colour.green()),
                     std::abs(qBlue(pixel) - colour.blue())});
}

// The closest match to `colour` in column x between rows y0 and y1 (inclusive).
int closestInColumn(const QImage& image, int x, int y0, int y1, const QColor& colour) {
    int best = 255;
    for (int y = y0; y <= y1; ++y) best = std::min(best, distance(image.pixel(x, y), colour));
    return best;
}

// Six rounds, y fixed to [0, 1]. Series 0 is flat (0.6) from tick 1 to 2 and rises to 0.8 at 3;
// series 1 has no value at tick 2.
ipnp::LineChart knownChart() {
    ipnp::LineChart chart;
    chart.title = "Dice per round";
    chart.xLabel = "Round";
    chart.yLabel = "Dice";
    chart.xTicks = {"1", "2", "3", "4", "5", "6"};
    chart.series = {{"liver", {0.2, 0.6, 0.6, 0.8, 0.7, 0.9}},
                    {"spleen", {0.1, 0.3, std::nullopt, 0.5, 0.45, 0.4}},
                    {"left kidney", {0.05, 0.15, 0.25, 0.3, 0.35, 0.5}}};
    chart.yMin = 0;
    chart.yMax = 1;
    return chart;
}

}  // namespace

class LineChartImageTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString output;

    // The chart written into the temporary folder, and a copy in the output folder.
    QImage render(const ipnp::LineChart& chart, const QString& name, int width = 900, int height = 560) {
        const QString path = dir.filePath(name);
        ipnp::writeLineChartPng(chart, path.toStdString(), width, height);
        QFile::remove(output + "/" + name);
        QFile::copy(path, output + "/" + name);
        return QImage(path, "png");
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir.isValid());
        output = QString(IPNP_BINARY_DIR) + "/test-output/LineChartImageTest";
        QVERIFY(QDir().mkpath(output));
    }

    // Runs first: no Qt application exists yet, so the call brings up (and ends) its own.
    void drawsWithoutAnApplication() {
        QVERIFY(QCoreApplication::instance() == nullptr);
        const QImage image = render(knownChart(), "no_application.png");
        QCOMPARE(image.size(), QSize(900, 560));
        QVERIFY(QCoreApplication::instance() == nullptr);
    }

    void sessionIsHarmlessWhenAnApplicationExists() {
        ipnp::HeadlessGuiSession outer;
        QVERIFY(outer.ownsApplication());
        QCOMPARE(QGuiApplication::platformName(), QString("offscreen"));
        ipnp::HeadlessGuiSession inner;
        QVERIFY(!inner.ownsApplication());
        QCOMPARE(render(knownChart(), "nested_session.png").size(), QSize(900, 560));
    }

    void paletteIsFixedAndDistinct() {
        QCOMPARE(ipnp::lineChartSeriesColour(0), std::string("#1f77b4"));
        QCOMPARE(ipnp::lineChartSeriesColour(1), std::string("#ff7f0e"));
        QCOMPARE(ipnp::lineChartSeriesColour(2), std::string("#2ca02c"));
        QCOMPARE(ipnp::lineChartSeriesColour(20), ipnp::lineChartSeriesColour(0));
        std::set<std::string> colours;
        for (std::size_t i = 0; i < 20; ++i) colours.insert(ipnp::lineChartSeriesColour(i));
        QCOMPARE(colours.size(), std::size_t(20));
    }

    void plotAreaFollowsTheDocumentedMargins() {
        // 560 - 44 - 60 = 456 px high, 456 / 22 = 20 legend rows a column.
        ipnp::LineChart chart = knownChart();
        ipnp::ChartRect area = ipnp::lineChartPlotArea(chart, 900, 560);
        QCOMPARE(area.left, 80);
        QCOMPARE(area.top, 44);
        QCOMPARE(area.height, 456);
        QCOMPARE(area.width, 900 - 80 - (16 + 180 + 20));
        chart.series.resize(21, {"x", std::vector<std::optional<double>>(6, 0.5)});  // two columns
        QCOMPARE(ipnp::lineChartPlotArea(chart, 900, 560).width, 900 - 80 - (16 + 2 * 180 + 20));
        chart.series.clear();
        QCOMPARE(ipnp::lineChartPlotArea(chart, 900, 560).width, 900 - 80 - 24);
    }

    void pixelsSitWhereTheLayoutPutsThem() {
        ipnp::HeadlessGuiSession session;
        const QString path = dir.filePath("known.png");
        ipnp::writeLineChartPng(knownChart(), path.toStdString());
        QFile::remove(output + "/known.png");
        QFile::copy(path, output + "/known.png");

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.read(8), QByteArray("\x89PNG\r\n\x1a\n", 8));
        file.close();
        QImageReader reader(path);
        QCOMPARE(reader.format(), QByteArray("png"));
        const QImage image = reader.read();
        QVERIFY2(!image.isNull(), qPrintable(reader.errorString()));
        QCOMPARE(image.size(), QSize(900, 560));

        // By hand: plot (80, 44) 604 x 456; six slots of 604 / 6 px; tick i at x = 80 + (i + 0.5) * 604 / 6;
        // value v at y = 44 + (1 - v) * 456.
        const double slot = 604.0 / 6;
        auto xAt = [&](double i) { return 80 + (i + 0.5) * slot; };
        auto yAt = [&](double v) { return 44 + (1 - v) * 456; };
        const QColor blue("#1f77b4"), orange("#ff7f0e"), green("#2ca02c");

        // Series 0, flat at 0.6 between ticks 1 and 2: x = 281.3, y = 226.4; the 2 px pen covers
        // row 226 whole.
        const int flatX = static_cast<int>(std::floor((xAt(1) + xAt(2)) / 2));
        QCOMPARE(flatX, 281);
        QCOMPARE(static_cast<int>(std::floor(yAt(0.6))), 226);
        QVERIFY2(distance(image.pixel(flatX, 226), blue) <= 8,
                 qPrintable(QString::number(image.pixel(flatX, 226), 16)));
        // ... and only a line: 8 px above and below are not blue.
        QVERIFY(distance(image.pixel(flatX, 218), blue) > 100);
        QVERIFY(distance(image.pixel(flatX, 234), blue) > 100);

        // Series 0, rising from 0.6 at tick 2 to 0.8 at tick 3: halfway, x = 382, y = yAt(0.7) = 180.8.
        const int riseX = static_cast<int>(std::floor((xAt(2) + xAt(3)) / 2));
        QCOMPARE(riseX, 382);
        QVERIFY(closestInColumn(image, riseX, 179, 182, blue) <= 24);
        // Series 2 between ticks 4 (0.35) and 5 (0.5): halfway at y = yAt(0.425) = 306.2.
        const int greenX = static_cast<int>(std::floor((xAt(4) + xAt(5)) / 2));
        QVERIFY(closestInColumn(image, greenX, 304, 308, green) <= 24);

        // Series 1 has no value at tick 2: no orange anywhere in the plot's columns from between
        // ticks 1 and 2 to between ticks 2 and 3 (markers at ticks 1 and 3 lie outside them) ...
        const int plotTop = 44, plotBottom = 44 + 456 - 1;
        for (int x = static_cast<int>(xAt(1)) + 8; x <= static_cast<int>(xAt(3)) - 8; ++x)
            QVERIFY2(closestInColumn(image, x, plotTop, plotBottom, orange) > 100,
                     qPrintable("orange at x = " + QString::number(x)));
        // ... while it is drawn between ticks 3 (0.5) and 4 (0.45): halfway at y = yAt(0.475) = 283.4.
        const int orangeX = static_cast<int>(std::floor((xAt(3) + xAt(4)) / 2));
        QVERIFY(closestInColumn(image, orangeX, 281, 286, orange) <= 24);

        // Outside the plot: white margins.
        QCOMPARE(image.pixel(4, 4) & 0xffffff, 0xffffffu);
        QCOMPARE(image.pixel(899, 559) & 0xffffff, 0xffffffu);
        // The legend's first entry: a blue line in column 1, row 0 (middle at y = 44 + 11 = 55),
        // from x = 80 + 604 + 16 + 2 to + 24.
        QVERIFY(distance(image.pixel(80 + 604 + 16 + 4, 55), blue) <= 24);
        QVERIFY(distance(image.pixel(80 + 604 + 16 + 4, 55 + 22), orange) <= 24);
    }

    void manySeriesStayLegible() {
        ipnp::HeadlessGuiSession session;
        ipnp::LineChart chart;
        chart.title = "Dice per organ over the active-learning rounds";
        chart.xLabel = "Round";
        chart.yLabel = "Dice";
        const char* organs[] = {"spleen",
                                "right kidney",
                                "left kidney",
                                "gallbladder",
                                "esophagus",
                                "liver",
                                "stomach",
                                "aorta",
                                "postcava",
                                "pancreas",
                                "right adrenal gland",
                                "left adrenal gland",
                                "duodenum",
                                "bladder",
                                "prostate/uterus",
                                "a very long organ name that will not fit"};
        for (int r = 1; r <= 12; ++r) chart.xTicks.push_back("round " + std::to_string(r));
        for (int s = 0; s < 16; ++s) {
            ipnp::ChartSeries series{organs[s], {}};
            for (int r = 0; r < 12; ++r)
                series.values.push_back(
                    r == 5 && s % 4 == 1
                        ? std::nullopt
                        : std::optional<double>(0.95 - 0.6 * std::exp(-0.3 * r - 0.05 * s) - 0.02 * (s % 3)));
            chart.series.push_back(series);
        }
        chart.yMin = 0;
        chart.yMax = 1;
        const QImage image = render(chart, "sixteen_series.png");
        QCOMPARE(image.size(), QSize(900, 560));
        // Sixteen entries fit one legend column: the 16th (row 15) has its colour at y = 44 + 15.5 * 22.
        QVERIFY(distance(image.pixel(80 + 604 + 16 + 4, 44 + 15 * 22 + 11),
                         QColor(ipnp::lineChartSeriesColour(15).c_str())) <= 24);

        // Forty cases on a free y range: labels thin out, the range rounds out to ticks.
        ipnp::LineChart cases;
        cases.title = "Volume error per case";
        cases.xLabel = "Case";
        cases.yLabel = "Relative volume error (%)";
        ipnp::ChartSeries errors{"specialist", {}}, baseline{"baseline", {}};
        for (int c = 0; c < 40; ++c) {
            cases.xTicks.push_back("amos_" + std::to_string(1000 + c));
            errors.values.push_back(3.0 * std::sin(c * 0.7) - 1.5);
            baseline.values.push_back(c == 17 ? std::nullopt : std::optional<double>(6.0 * std::cos(c * 0.3) + 2));
        }
        cases.series = {errors, baseline};
        QCOMPARE(render(cases, "forty_cases.png", 1000, 480).size(), QSize(1000, 480));
    }

    // Without yMin/yMax the range is the data's, widened by 5 % of its span at each end.
    void freeRangeKeepsAMargin() {
        ipnp::HeadlessGuiSession session;
        ipnp::LineChart chart;
        chart.xTicks = {"a", "b", "c", "d"};
        chart.series = {{"top", {10.0, 10.0, 10.0, 10.0}}, {"bottom", {0.0, 0.0, std::nullopt, 0.0}}};
        const QImage image = render(chart, "free_range.png", 600, 400);
        // Plot: (80, 44), 600 - 80 - 216 = 304 wide, 400 - 104 = 296 high; range [-0.5, 10.5].
        const ipnp::ChartRect area = ipnp::lineChartPlotArea(chart, 600, 400);
        QCOMPARE(area.width, 304);
        QCOMPARE(area.height, 296);
        const int x = static_cast<int>(80 + 1.0 * 304 / 4);                                     // between ticks 0 and 1
        const double yTop = 44 + (10.5 - 10) / 11 * 296, yBottom = 44 + (10.5 - 0) / 11 * 296;  // 57.5, 326.5
        QVERIFY(closestInColumn(image, x, int(yTop) - 1, int(yTop) + 1, QColor("#1f77b4")) <= 8);
        QVERIFY(closestInColumn(image, x, int(yBottom) - 1, int(yBottom) + 1, QColor("#ff7f0e")) <= 8);
        // Not drawn along the frame.
        QVERIFY(closestInColumn(image, x, 44, 50, QColor("#1f77b4")) > 100);
    }

    void unwritablePathsThrowNamingThePath() {
        ipnp::HeadlessGuiSession session;
        // Runs as root too: a path below a plain file can never be created.
        const QString plain = dir.filePath("plain-file");
        QFile file(plain);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("x");
        file.close();
        const std::string belowFile = (plain + "/chart.png").toStdString();
        QString message = errorOf([&] { ipnp::writeLineChartPng(knownChart(), belowFile); });
        QVERIFY2(message.startsWith(QString::fromStdString(belowFile) + ": "), qPrintable(message));
        QVERIFY2(message.contains("Not a directory"), qPrintable(message));

        const std::string absentFolder = dir.filePath("absent/chart.png").toStdString();
        message = errorOf([&] { ipnp::writeLineChartPng(knownChart(), absentFolder); });
        QVERIFY2(message.startsWith(QString::fromStdString(absentFolder) + ": "), qPrintable(message));
        QVERIFY2(message.contains("No such file"), qPrintable(message));

        // The type is ipnp::Error.
        bool typed = false;
        try {
            ipnp::writeLineChartPng(knownChart(), belowFile);
        } catch (const ipnp::Error&) {
            typed = true;
        }
        QVERIFY(typed);
    }

    void badChartsThrowAndLeaveTheOldFile() {
        ipnp::HeadlessGuiSession session;
        const QString path = dir.filePath("kept.png");
        ipnp::writeLineChartPng(knownChart(), path.toStdString());
        const QString before = sha256OfFile(path);

        ipnp::LineChart shortSeries = knownChart();
        shortSeries.series[1].values.pop_back();
        QString message = errorOf([&] { ipnp::writeLineChartPng(shortSeries, path.toStdString()); });
        QVERIFY2(message.startsWith(path + ": ") && message.contains("series 'spleen' has 5 values for 6 x ticks"),
                 qPrintable(message));

        ipnp::LineChart emptyRange = knownChart();
        emptyRange.yMin = 1;
        emptyRange.yMax = 1;
        message = errorOf([&] { ipnp::writeLineChartPng(emptyRange, path.toStdString()); });
        QVERIFY2(message.contains("the y range is empty"), qPrintable(message));

        message = errorOf([&] { ipnp::writeLineChartPng(knownChart(), path.toStdString(), 100, 100); });
        QVERIFY2(message.contains("at least 240 x 180 pixels"), qPrintable(message));

        QCOMPARE(sha256OfFile(path), before);
        // No temporary files left beside it.
        const QStringList left = QDir(dir.path()).entryList(QDir::Files | QDir::Hidden);
        for (const QString& name : left) QVERIFY2(!name.contains(".tmp-"), qPrintable(name));
    }

    // A program that already runs a plain QCoreApplication gets an error, not a crash in QtGui.
    void plainCoreApplicationIsRefused() {
        int argc = 1;
        char program[] = "test";
        char* argv[] = {program, nullptr};
        QCoreApplication core(argc, argv);
        ipnp::HeadlessGuiSession session;
        QVERIFY(!session.ownsApplication());
        const std::string path = dir.filePath("refused.png").toStdString();
        const QString message = errorOf([&] { ipnp::writeLineChartPng(knownChart(), path); });
        QVERIFY2(message.startsWith(QString::fromStdString(path) + ": ") && message.contains("needs a QGuiApplication"),
                 qPrintable(message));
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
    }
};

QTEST_APPLESS_MAIN(LineChartImageTest)
#include "LineChartImageTest.moc"
