#include "StructureImport.h"

#include <algorithm>
#include <cctype>

#include "DicomDeidentify.h"
#include "Error.h"
#include "ProjectSettings.h"

namespace ipnp {

namespace {

std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

}  // namespace

ScanRecord scanDrawnOn(ProjectStore& store, const std::string& file, const std::string& referencedSeriesUid,
                       const std::string& scanName) {
    if (!scanName.empty()) {
        if (auto scan = store.scanByName(scanName)) return *scan;
        throw Error(store.folder(), "has no scan named '" + scanName + "'");
    }
    if (referencedSeriesUid.empty())
        throw Error(file, "does not name the image series it was drawn on; give the scan with --scan");
    // DicomImportBatch records a series' source as "<folder> (DICOM series <UID>, N files)".
    const std::string marker = "(DICOM series " + referencedSeriesUid + ",";
    for (const ScanRecord& scan : store.scans())
        if (scan.sourcePath.find(marker) != std::string::npos) return scan;
    // A de-identified export of this project names the series by its pseudonymous UID.
    if (const auto secret = ProjectSettings(store).value(kDicomPseudonymSecretKey)) {
        const DicomPseudonymizer pseudonyms(*secret);
        for (const ScanRecord& scan : store.scans())
            if (const auto identity = store.dicomIdentity(scan.id))
                if (pseudonyms.uid(dicomIdentityFromJson(*identity).seriesUid) == referencedSeriesUid) return scan;
    }
    throw Error(file, "was drawn on DICOM series " + referencedSeriesUid +
                          ", which no scan of the project came from; import that series first, or give the scan with --scan");
}

bool skipped(const StructureImportOptions& options, const std::string& name) {
    for (const std::string& skip : options.skip)
        if (lowered(skip) == lowered(name)) return true;
    return false;
}

std::vector<int> matchStructureNames(const std::vector<std::string>& names, const OrganSchema& schema,
                                     const std::map<std::string, std::string>& nameToOrgan, const std::string& file) {
    std::map<std::string, std::string> mapping;  // lowered structure name -> organ
    for (const auto& [name, organ] : nameToOrgan) {
        if (!schema.byName(organ))
            throw Error(file, "the mapping '" + name + "=" + organ + "' names an organ the project's schema does not have");
        mapping[lowered(name)] = organ;
    }
    std::vector<int> out;
    std::map<int, std::string> structureOfOrgan;
    for (const std::string& name : names) {
        const auto mapped = mapping.find(lowered(name));
        const Organ* organ = schema.byName(mapped != mapping.end() ? mapped->second : name);
        out.push_back(organ ? organ->index : 0);
        if (!organ) continue;
        const auto [previous, fresh] = structureOfOrgan.emplace(organ->index, name);
        if (!fresh)
            throw Error(file, "'" + previous->second + "' and '" + name + "' both map to organ '" + organ->name +
                                  "'; map one of them to another organ");
    }
    return out;
}

}  // namespace ipnp
