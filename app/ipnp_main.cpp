// ipnp: the headless twin of IPnP Studio. Wiring only: each subcommand parses its options and
// calls the layer that does the work; errors become one line on stderr and a non-zero exit.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "CliSupport.h"
#include "DatasetImporter.h"
#include "DemoCommand.h"
#include "DicomExport.h"
#include "DicomImport.h"
#include "Error.h"
#include "HeapReuse.h"
#include "OrganSchemaFile.h"
#include "PartialLabelSimulator.h"
#include "PhantomDataset.h"
#include "ProjectChecker.h"
#include "ProjectExporter.h"
#include "ProjectStore.h"
#include "StructureFiles.h"
#include "ScanImporter.h"
#include "PacsCommands.h"
#include "RoundCommands.h"
#include "SpecialistCommands.h"
#include "StatusReport.h"

namespace fs = std::filesystem;
using namespace ipnp;

namespace {

// Exit codes: 0 done, 1 the work failed (bad input, IO), 2 the command line was wrong.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct GlobalOptions {
    std::string project;
};

void addInit(CLI::App& app, GlobalOptions& global) {
    auto* command = app.add_subcommand("init", "Create a project folder (project.ipnp and its data folders)");
    static std::string folder, schema = "amos15";
    command->add_option("folder", folder, "the new project's folder (default: -p, or the current folder)");
    command->add_option("--schema", schema, "organ schema: amos15, head-neck-oar, or a JSON file")->capture_default_str();
    command->callback([&global] {
        const std::string target = !folder.empty() ? folder : !global.project.empty() ? global.project : ".";
        auto store = ProjectStore::create(target, cli::schemaFromOption(schema));
        std::printf("Created project %s with organ schema '%s' (%zu organs)\n", fs::absolute(target).c_str(),
                    store->schema().name().c_str(), store->schema().size());
    });
}

void printStructureImport(const ManualLabelImportResult& result) {
    for (const std::string& note : result.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
    for (const auto& [roi, organ] : result.imported)
        std::printf("'%s' -> %s (manual label of %s)\n", roi.c_str(), organ.c_str(), result.scanName.c_str());
    for (const std::string& roi : result.unmatched)
        std::fprintf(stderr, "unmatched structure '%s': no organ of the schema has this name; map it with --roi '%s=ORGAN'\n",
                     roi.c_str(), roi.c_str());
    std::printf("Imported %zu structure(s) as manual labels of %s\n", result.imported.size(), result.scanName.c_str());
}

void addImport(CLI::App& app, GlobalOptions& global) {
    auto* command = app.add_subcommand(
        "import", "Import an image (with --label), a folder of images, a dataset folder with dataset.json "
                  "(Decathlon/AMOS or nnU-Net v2), a folder of DICOM series (with the RT Structure Sets in it), "
                  "or an RT Structure Set or DICOM SEG file for a scan already in the project");
    static std::string path, label, name, modality = "CT", scan;
    static std::vector<std::string> roiMappings;
    static bool fullyLabeled = false;
    command->add_option("path", path, "image file, folder of images, dataset folder, DICOM folder, RTSTRUCT or SEG file")
        ->required();
    command->add_option("--scan", scan, "RTSTRUCT or SEG: the scan it was drawn on (default: the scan imported from "
                                         "the DICOM series it refers to)");
    command->add_option("--roi", roiMappings, "RTSTRUCT or SEG: map an ROI or segment name the schema does not know to an organ, "
                                              "as 'ROI name=organ' (repeatable)")
        ->allow_extra_args(false);  // one value per --roi: the path may follow it
    command->add_option("--label", label, "label map of the image (organ index per voxel)");
    command->add_option("--name", name, "scan name (default: the file name)");
    command->add_option("--modality", modality, "CT or MR (datasets say it themselves)")
        ->capture_default_str()
        ->check(CLI::IsMember({"CT", "MR"}, CLI::ignore_case));
    command->add_flag("--fully-labeled", fullyLabeled,
                      "every organ of the schema was drawn where present: organs without voxels become 'absent'");
    command->callback([&global] {
        auto store = cli::openProject(global.project);
        StructureImportOptions rtOptions;
        rtOptions.scanName = scan;
        for (const std::string& mapping : roiMappings) {
            const auto equals = mapping.rfind('=');
            if (equals == std::string::npos || equals == 0 || equals + 1 == mapping.size())
                throw Error("--roi '" + mapping + "': write it as 'ROI name=organ'");
            rtOptions.nameToOrgan[mapping.substr(0, equals)] = mapping.substr(equals + 1);
        }
        if (fs::is_regular_file(path) && isStructureFile(path)) {
            if (!label.empty() || !name.empty()) throw Error("--label and --name apply to images, not to structure sets");
            printStructureImport(importStructureFile(*store, path, rtOptions));
            return;
        }
        if (!scan.empty() || !roiMappings.empty())
            if (!fs::is_directory(path) || !holdsDicomFiles(path))
                throw Error("--scan and --roi apply to RT Structure Sets and DICOM SEG (a file, or in a DICOM folder)");
        std::vector<ScanImportRequest> requests;
        std::unique_ptr<DicomImportBatch> dicom;  // its converted series live until the import is done
        std::vector<std::string> structureSets;   // RTSTRUCT and SEG files in a DICOM folder, imported after its series
        if (fs::is_directory(path) && !fs::exists(fs::path(path) / "dataset.json") && holdsDicomFiles(path)) {
            if (!label.empty() || !name.empty()) throw Error("--label and --name apply to a single image");
            dicom = std::make_unique<DicomImportBatch>(path);
            for (const std::string& note : dicom->notes()) std::fprintf(stderr, "note: %s\n", note.c_str());
            requests = dicom->requests();
            structureSets = structureFilesIn(path);
            // Read (and so check) them all before anything is imported: a damaged one changes nothing.
            for (const std::string& file : structureSets) checkStructureFile(file);
        } else if (fs::is_directory(path) && fs::exists(fs::path(path) / "dataset.json")) {
            if (!label.empty()) throw Error("--label applies to a single image, not to a dataset folder");
            const DatasetDescription dataset = readDatasetDescription(path);
            for (const std::string& warning : dataset.warnings)
                std::fprintf(stderr, "warning: %s: %s\n", dataset.jsonPath.c_str(), warning.c_str());
            requests = requestsForDataset(dataset, store->schema());
        } else if (fs::is_directory(path)) {
            if (!label.empty() || !name.empty()) throw Error("--label and --name apply to a single image");
            requests = requestsForImageFolder(path);
            for (auto& request : requests) request.modality = modality;
        } else {
            ScanImportRequest request;
            request.image = path;
            if (!label.empty()) request.labelMap = label;
            request.name = name;
            request.modality = modality;
            requests.push_back(request);
        }
        ScanImportOptions options;
        options.fullyLabeled = fullyLabeled;
        options.progress = cli::stderrProgress();
        const ScanImportSummary summary = ScanImporter(*store).importScans(requests, options);
        std::printf("Imported %zu scan(s) with %zu organ label(s) into %s\n", summary.scans, summary.labelFiles,
                    store->folder().c_str());
        for (const std::string& file : structureSets) printStructureImport(importStructureFile(*store, file, rtOptions));
    });
}

void addSchema(CLI::App& app, GlobalOptions& global) {
    auto* command = app.add_subcommand("schema", "Show the project's organ schema, or replace it with --set");
    static std::string setFile;
    static bool asJson = false;
    command->add_option("--set", setFile, "organ schema JSON file (or built-in name) to use from now on");
    command->add_flag("--json", asJson, "print the schema as JSON");
    command->callback([&global] {
        auto store = cli::openProject(global.project);
        if (!setFile.empty()) {
            const OrganSchema schema = cli::schemaFromOption(setFile);
            replaceProjectSchema(*store, schema);
            std::printf("The project now uses organ schema '%s' (%zu organs)\n", schema.name().c_str(), schema.size());
            return;
        }
        const OrganSchema schema = store->schema();
        if (asJson) {
            std::printf("%s\n", organSchemaToJson(schema).c_str());
            return;
        }
        std::printf("Organ schema '%s':\n", schema.name().c_str());
        for (const Organ& organ : schema.organs()) {
            std::string synonyms;
            for (const std::string& synonym : organ.synonyms) synonyms += (synonyms.empty() ? "" : ", ") + synonym;
            std::printf("%4d  %-24s %s  %s\n", organ.index, organ.name.c_str(), toHexColour(organ.colour).c_str(),
                        synonyms.c_str());
        }
    });
}

void addStatus(CLI::App& app, GlobalOptions& global) {
    auto* command = app.add_subcommand("status", "Show the coverage matrix (scan x organ) and counts per state");
    static bool asJson = false, summaryOnly = false;
    command->add_flag("--json", asJson, "print JSON instead of a table");
    command->add_flag("--summary", summaryOnly, "counts only, without the per-scan rows");
    command->callback([&global] {
        auto store = cli::openProject(global.project);
        const CoverageMatrix matrix = store->coverageMatrix();
        StatusReportOptions options;
        options.perScanRows = !summaryOnly;
        if (asJson)
            std::printf("%s\n", coverageJson(matrix, fs::absolute(store->folder()).string(), store->schema().name(), options).c_str());
        else
            std::printf("%s", coverageTable(matrix, "Project " + store->folder(), options).c_str());
    });
}

void addSimulatePartial(CLI::App& app, GlobalOptions& global) {
    auto* command = app.add_subcommand(
        "simulate-partial", "Make a fully labeled project partially labeled (evaluation protocol): a seeded test split "
                            "keeps its full truth; training scans lose organs; hidden labels go to truth/");
    static PartialLabelOptions options;
    static double keep = 0;
    static int groups = 0;
    command->add_option("--test-fraction", options.testFraction, "share of scans held out for testing")
        ->capture_default_str()
        ->check(cli::between(0, 1, true, false));
    auto* keepOption = command->add_option("--keep-fraction", keep, "keep this share of each training scan's organs")
                           ->check(cli::between(0, 1, false, true));
    auto* groupOption = command->add_option("--groups", groups, "split the organs into G groups, one group per scan")
                            ->check(cli::between(1, 1000, true, true));
    keepOption->excludes(groupOption);
    command->add_option("--seed", options.seed, "random seed")->capture_default_str();
    command->callback([&global, keepOption, groupOption] {
        if (!keepOption->count() && !groupOption->count())
            throw CLI::ValidationError("--keep-fraction/--groups", "give one of them (how the organs are hidden)");
        if (keepOption->count()) options.keepFraction = keep;
        if (groupOption->count()) options.groups = groups;
        auto store = cli::openProject(global.project);
        const PartialLabelSummary summary = PartialLabelSimulator(*store).apply(options);
        std::printf("Split: %zu training scan(s), %zu test scan(s). Hidden from training: %zu label(s); kept: %zu.\n"
                    "The hidden truth is in %s/truth (scoring only).\n",
                    summary.trainingScans, summary.testScans, summary.hiddenLabels, summary.keptLabels,
                    store->folder().c_str());
    });
}

// `export seg` and `export rtstruct`: the same options around a different writer.
void addDicomExport(CLI::App& exportCommand, GlobalOptions& global, const std::string& name, const std::string& about,
                    const std::string& outHelp,
                    std::size_t (*write)(ProjectStore&, const std::string&, const std::string&, DicomIdentityUse),
                    const char* object, const char* parts) {
    struct Options {
        std::string scan, out;
        bool identified = false;
    };
    auto options = std::make_shared<Options>();
    auto* command = exportCommand.add_subcommand(name, about);
    command->add_option("out", options->out, outHelp)->required();
    command->add_option("--scan", options->scan, "the scan (imported from a DICOM series)")->required();
    command->add_flag("--identified", options->identified,
                      "keep the patient's identity and the original UIDs (for the PACS the study came from); by "
                      "default they are de-identified (PS3.15 basic profile)");
    command->callback([&global, options, write, object, parts] {
        auto store = cli::openProject(global.project);
        const std::size_t organs = write(*store, options->scan, options->out,
                                         options->identified ? DicomIdentityUse::KeepOriginal : DicomIdentityUse::Deidentify);
        std::printf("Wrote %s with %zu %s of %s to %s\n", object, organs, parts, options->scan.c_str(),
                    options->out.c_str());
    });
}

void addExport(CLI::App& app, GlobalOptions& global) {
    auto* command = app.add_subcommand("export", "Write the project's labels out: label maps, an nnU-Net dataset, DICOM SEG or RTSTRUCT");
    command->require_subcommand(1);
    auto* labels = command->add_subcommand("labels", "One label map (organ index per voxel) per scan with labels");
    static std::string labelsOut;
    labels->add_option("out", labelsOut, "output folder (new)")->required();
    labels->callback([&global] {
        auto store = cli::openProject(global.project);
        const LabelExportSummary summary = exportLabelMaps(*store, labelsOut);
        std::printf("Wrote %zu label map(s) to %s\n", summary.scans, labelsOut.c_str());
    });
    addDicomExport(*command, global, "seg", "A scan's labels as a DICOM SEG of the series it was imported from "
                                            "(one segment per organ, coded anatomy)",
                   "the SEG file to write (.dcm)", exportScanAsDicomSeg, "a DICOM SEG", "segment(s)");
    addDicomExport(*command, global, "rtstruct", "A scan's labels as an RT Structure Set of the series it was "
                                                 "imported from (one ROI per organ)",
                   "the RTSTRUCT file to write (.dcm)", exportScanAsRtStruct, "an RT Structure Set", "ROI(s)");
    auto* nnunet = command->add_subcommand("nnunet", "An nnU-Net v2 raw dataset (imagesTr, labelsTr, dataset.json)");
    static NnUNetExportOptions options;
    nnunet->add_option("out", options.outputFolder, "folder that receives DatasetXXX_Name/")->required();
    nnunet->add_option("--dataset-id", options.datasetId, "nnU-Net dataset number")->capture_default_str();
    nnunet->add_option("--name", options.datasetName, "nnU-Net dataset name")->capture_default_str();
    nnunet->add_flag("--include-partial", options.includePartial,
                     "also export scans with unknown organs (nnU-Net will learn background there)");
    nnunet->callback([&global] {
        auto store = cli::openProject(global.project);
        const NnUNetExportSummary summary = exportNnUNetDataset(*store, options);
        if (summary.partial > 0)
            std::fprintf(stderr,
                         "warning: %zu exported scan(s) are partially labeled: their unknown organs are labeled "
                         "background in %s\n",
                         summary.partial, summary.datasetFolder.c_str());
        if (summary.skipped > 0)
            std::fprintf(stderr, "note: %zu partially labeled scan(s) left out (--include-partial adds them)\n",
                         summary.skipped);
        std::printf("Wrote %s with %zu scan(s)\n", summary.datasetFolder.c_str(), summary.complete + summary.partial);
    });
}

void addMakePhantoms(CLI::App& app) {
    auto* command = app.add_subcommand(
        "make-phantoms", "Generate CT-like abdominal phantoms with full truth labels, in the AMOS dataset layout");
    static std::string out;
    static PhantomDatasetOptions options;
    static std::size_t size = 96;
    static double spacing = 2.0;
    command->add_option("out", out, "output folder")->required();
    command->add_option("--count", options.count, "number of cases")->capture_default_str()->check(cli::atLeast(1));
    command->add_option("--size", size, "voxels along each axis")
        ->capture_default_str()
        ->check(cli::between(16, 1024, true, true));
    command->add_option("--spacing", spacing, "voxel spacing in mm")->capture_default_str()->check(cli::above(0));
    command->add_option("--seed", options.phantom.seed, "random seed")->capture_default_str();
    command->add_option("--threads", options.threads, "worker threads (0: one per core)")
        ->capture_default_str()
        ->check(cli::atLeast(0));
    command->callback([] {
        options.phantom.size = {size, size, size};
        options.phantom.spacing = {spacing, spacing, spacing};
        options.progress = cli::stderrProgress();
        writePhantomDataset(out, options);
        std::printf("Wrote %d phantom case(s) of %zu^3 voxels at %g mm to %s (dataset.json, imagesTr, labelsTr)\n",
                    options.count, size, spacing, out.c_str());
    });
}

void addCheck(CLI::App& app, GlobalOptions& global) {
    auto* command = app.add_subcommand("check", "Verify the project: database integrity and every file's SHA-256");
    static bool clean = false;
    command->add_flag("--clean", clean, "delete files no database row names (left by an interrupted command)");
    command->callback([&global] {
        auto store = cli::openProject(global.project);
        const ProjectCheckReport report = checkProject(*store);
        std::printf("database integrity: %s\nfiles checked: %zu\n", report.integrity.c_str(), report.filesChecked);
        for (const auto& file : report.missingFiles) std::printf("missing: %s\n", file.c_str());
        for (const auto& file : report.wrongHashes) std::printf("changed or damaged: %s\n", file.c_str());
        for (const auto& file : report.unnamedFiles) std::printf("unnamed (garbage): %s\n", file.c_str());
        if (clean && !report.unnamedFiles.empty())
            std::printf("removed %zu unnamed file(s)\n", removeUnnamedFiles(*store, report));
        if (!report.healthy()) throw Error(store->folder(), "the project has problems (listed above)");
    });
}

}  // namespace

int main(int argc, char** argv) {
    // The command line is a batch process: its trainings reuse their freed tensors instead of
    // having the kernel zero-fill them again every iteration (models/HeapReuse.cpp). The desktop
    // app keeps glibc's defaults: with this setting its dashboard test's GUI thread paused for more
    // than a second under a parallel test load, twice in two full test runs (never without it).
    keepFreedHeapForReuse();
    CLI::App app{"ipnp: the command line of IPnP Studio, for partially labeled medical image segmentation"};
    app.set_version_flag("--version", std::string("ipnp ") + IPNP_VERSION);
    app.require_subcommand(1);
    app.fallthrough();  // -p/--project may come before or after the subcommand
    GlobalOptions global;
    app.add_option("-p,--project", global.project, "project folder (default: the current folder)");
    addInit(app, global);
    addImport(app, global);
    addSchema(app, global);
    addStatus(app, global);
    addSimulatePartial(app, global);
    addExport(app, global);
    addMakePhantoms(app);
    addCheck(app, global);
    addDemoCommand(app);
    addSpecialistCommands(app, global.project);
    addRoundCommands(app, global.project);
    addPacsCommands(app, global.project);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : kExitUsage;
    } catch (const ipnp::Error& error) {
        std::fprintf(stderr, "ipnp: error: %s\n", error.what());
        return kExitFailure;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "ipnp: error: %s\n", error.what());
        return kExitFailure;
    }
    return 0;
}
