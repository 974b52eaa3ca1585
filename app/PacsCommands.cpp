#include "PacsCommands.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include "CliSupport.h"
#include "DicomSeries.h"
#include "Error.h"
#include "PacsClient.h"
#include "PacsTransfer.h"

namespace ipnp {

namespace fs = std::filesystem;

namespace {

void addNodeOptions(CLI::App& command, PacsNode& node) {
    command.add_option("--host", node.host, "the PACS's host name or address")->capture_default_str();
    command.add_option("--port", node.port, "its DICOM port")->capture_default_str()->check(CLI::Range(1, 65535));
    command.add_option("--aet", node.calledAe, "its AE title")->required();
    command.add_option("--calling-aet", node.callingAe, "our AE title, as the PACS knows it")->capture_default_str();
    command.add_option("--timeout", node.timeoutSeconds, "seconds to wait for the PACS")->capture_default_str();
}

// The DICOM files of the paths given (files, or folders searched through).
std::vector<std::string> dicomFilesOf(const std::vector<std::string>& paths) {
    std::vector<std::string> files;
    for (const std::string& path : paths) {
        if (fs::is_directory(path)) {
            for (const auto& entry : fs::recursive_directory_iterator(path))
                if (entry.is_regular_file() && isDicomFile(entry.path().string())) files.push_back(entry.path().string());
        } else if (isDicomFile(path)) {
            files.push_back(path);
        } else {
            throw Error(path, fs::exists(path) ? "is not a DICOM file" : "no such file");
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

void addPacsCommands(CLI::App& app, std::string& projectOption) {
    auto* pacs = app.add_subcommand("pacs", "Talk to a PACS: echo, find studies and series, get a series into the "
                                            "project, store files or a scan's labels");
    pacs->require_subcommand(1);
    static PacsNode node;

    auto* echo = pacs->add_subcommand("echo", "Check that the PACS answers (C-ECHO)");
    addNodeOptions(*echo, node);
    echo->callback([] {
        pacsEcho(node);
        std::printf("PACS %s answers C-ECHO\n", node.describe().c_str());
    });

    auto* find = pacs->add_subcommand("find", "Find studies (by patient, date), or the series of one study (--study)");
    addNodeOptions(*find, node);
    static PacsStudyQuery query;
    static std::string findStudy;
    find->add_option("--patient-id", query.patientId, "patient ID (wildcards * and ?)");
    find->add_option("--patient-name", query.patientName, "patient name (wildcards * and ?)");
    find->add_option("--study-date", query.studyDate, "study date YYYYMMDD or a range YYYYMMDD-YYYYMMDD");
    find->add_option("--study", findStudy, "list the series of this study (its Study Instance UID)");
    find->callback([] {
        if (!findStudy.empty()) {
            const std::vector<PacsSeries> series = pacsFindSeries(node, findStudy);
            for (const PacsSeries& s : series)
                std::printf("%s  %-4s #%d  %d instance(s)  %s\n", s.seriesUid.c_str(), s.modality.c_str(), s.number,
                            s.instances, s.description.c_str());
            std::printf("%zu series in study %s\n", series.size(), findStudy.c_str());
            return;
        }
        const std::vector<PacsStudy> studies = pacsFindStudies(node, query);
        for (const PacsStudy& s : studies)
            std::printf("%s  %s  %s  %s  %d series  %s\n", s.studyUid.c_str(), s.patientId.c_str(), s.patientName.c_str(),
                        s.studyDate.c_str(), s.series, s.description.c_str());
        std::printf("%zu stud%s found\n", studies.size(), studies.size() == 1 ? "y" : "ies");
    });

    auto* get = pacs->add_subcommand("get", "Retrieve a series (C-GET) and import it into the project as a scan");
    addNodeOptions(*get, node);
    static std::string getStudy, getSeries;
    get->add_option("--study", getStudy, "Study Instance UID")->required();
    get->add_option("--series", getSeries, "Series Instance UID")->required();
    get->callback([&projectOption] {
        auto store = cli::openProject(projectOption);
        const ScanImportSummary summary = retrieveSeriesIntoProject(*store, node, getStudy, getSeries);
        std::printf("Retrieved series %s from %s: %zu scan(s) imported\n", getSeries.c_str(), node.describe().c_str(),
                    summary.scans);
    });

    auto* store = pacs->add_subcommand("store", "Send DICOM files or folders (C-STORE), or a scan's labels as SEG or "
                                                "RTSTRUCT (--scan)");
    addNodeOptions(*store, node);
    static std::vector<std::string> paths;
    static std::string storeScan, format = "seg";
    store->add_option("paths", paths, "DICOM files or folders");
    store->add_option("--scan", storeScan, "send this scan's labels: with the original identity to the PACS it came "
                                           "from, de-identified to any other");
    store->add_option("--format", format, "seg or rtstruct")->capture_default_str()->check(CLI::IsMember({"seg", "rtstruct"}));
    store->callback([&projectOption] {
        if (storeScan.empty() == paths.empty()) throw Error("give either files and folders to send, or --scan");
        if (!storeScan.empty()) {
            auto project = cli::openProject(projectOption);
            const SentLabels sent = sendScanLabels(*project, node, storeScan, format == "seg" ? LabelObject::Seg : LabelObject::RtStruct);
            std::printf("Sent %zu organ(s) of %s as %s to %s (%s)\n", sent.organs, storeScan.c_str(),
                        format == "seg" ? "DICOM SEG" : "RTSTRUCT", node.describe().c_str(),
                        sent.deidentified ? "de-identified" : "original identity: the scan came from there");
            return;
        }
        const std::vector<std::string> files = dicomFilesOf(paths);
        if (files.empty()) throw Error("no DICOM file in the paths given");
        pacsStore(node, files);
        std::printf("Sent %zu file(s) to %s\n", files.size(), node.describe().c_str());
    });
}

}  // namespace ipnp
