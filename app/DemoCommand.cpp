#include "DemoCommand.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "CliSupport.h"
#include "DatasetImporter.h"
#include "Error.h"
#include "PartialLabelSimulator.h"
#include "PhantomDataset.h"
#include "ScanImporter.h"
#include "StatusReport.h"

namespace ipnp {

namespace fs = std::filesystem;

namespace {

// A file that marks a folder as made by the demo, so a rerun may replace it and nothing else.
constexpr const char* kDemoMarker = ".ipnp-demo";

void prepareDemoFolder(const std::string& folder) {
    std::error_code ec;
    if (fs::exists(folder, ec) && !fs::is_empty(folder, ec)) {
        if (!fs::exists(fs::path(folder) / kDemoMarker))
            throw Error(folder, "exists and was not made by `ipnp demo`; choose another --out");
        fs::remove_all(folder, ec);
        if (ec) throw Error(folder, "cannot replace the previous demo: " + ec.message());
    }
    fs::create_directories(folder, ec);
    if (ec) throw Error(folder, "cannot create: " + ec.message());
    std::ofstream(fs::path(folder) / kDemoMarker) << "made by ipnp demo\n";
}

struct DemoOptions {
    std::string out = "ipnp-demo";
    int count = 12;
    std::size_t size = 64;
    double spacing = 3.0;
    double keepFraction = 0.5;
    bool headless = false;
};

void runDemo(const DemoOptions& options) {
    prepareDemoFolder(options.out);
    const fs::path root = fs::absolute(options.out);
    const std::string phantoms = (root / "phantoms").string();
    const std::string projectFolder = (root / "project").string();

    std::fprintf(stderr, "1/4 generating %d phantom CT scans (%zu^3 voxels, %g mm)\n", options.count, options.size,
                 options.spacing);
    PhantomDatasetOptions phantomOptions;
    phantomOptions.count = options.count;
    phantomOptions.phantom.size = {options.size, options.size, options.size};
    phantomOptions.phantom.spacing = {options.spacing, options.spacing, options.spacing};
    phantomOptions.phantom.seed = 2026;
    phantomOptions.progress = cli::stderrProgress();
    writePhantomDataset(phantoms, phantomOptions);

    std::fprintf(stderr, "2/4 creating the project and importing the dataset\n");
    auto store = ProjectStore::create(projectFolder, cli::schemaFromOption("amos15"));
    ScanImportOptions importOptions;
    importOptions.progress = cli::stderrProgress();
    const ScanImportSummary imported =
        ScanImporter(*store).importScans(requestsForDataset(readDatasetDescription(phantoms), store->schema()), importOptions);

    std::fprintf(stderr, "3/4 hiding organs to simulate partial labels (keep %.0f%% per scan, 25%% test split)\n",
                 options.keepFraction * 100);
    PartialLabelOptions partial;
    partial.testFraction = 0.25;
    partial.keepFraction = options.keepFraction;
    partial.seed = 7;
    const PartialLabelSummary split = PartialLabelSimulator(*store).apply(partial);

    std::fprintf(stderr, "4/4 writing the report\n");
    const CoverageMatrix matrix = store->coverageMatrix();
    const std::string table = coverageTable(matrix, "Project " + projectFolder);
    const fs::path report = root / "report.md";
    std::ofstream out(report);
    out << "# IPnP Studio demo\n\n"
        << "- Phantom dataset: " << phantoms << " (" << options.count << " CT-like scans, " << options.size << "^3 voxels at "
        << options.spacing << " mm, 9 organs with full truth)\n"
        << "- Project: " << projectFolder << " (" << imported.scans << " scans, " << imported.labelFiles
        << " organ labels imported)\n"
        << "- Simulated partial labels: " << split.testScans << " test scans keep their full truth for scoring; "
        << split.trainingScans << " training scans keep " << split.keptLabels << " labels, " << split.hiddenLabels
        << " are hidden in truth/ and never trained on.\n\n"
        << "## Coverage matrix\n\n```\n" << table << "```\n\n"
        << "The IPnP rounds (specialist training, prompting the generalist, pseudo-label review) fill the unknown "
           "cells; they arrive with the specialist and loop work. Inspect the project with\n"
        << "`ipnp status -p " << projectFolder << "`.\n";
    out.close();
    std::printf("%s\n", table.c_str());
    if (!options.headless && std::getenv("DISPLAY"))
        std::printf("(The desktop app is not built yet; this demo ran headless.)\n");
    std::printf("Report: %s\n", report.c_str());
}

}  // namespace

void addDemoCommand(CLI::App& app) {
    auto* command = app.add_subcommand("demo", "Run the demo on generated phantoms and write a report");
    static DemoOptions options;
    command->add_option("--out", options.out, "folder for everything the demo makes")->capture_default_str();
    command->add_option("--count", options.count, "number of phantom scans")->capture_default_str();
    command->add_option("--size", options.size, "phantom size in voxels per axis")->capture_default_str();
    command->add_option("--keep-fraction", options.keepFraction, "share of organs each training scan keeps")
        ->capture_default_str();
    command->add_flag("--headless", options.headless, "never open a window");
    command->callback([] { runDemo(options); });
}

}  // namespace ipnp
