#include "ProjectFixtures.h"

#include "BuiltinSchemas.h"
#include "DatasetDescription.h"
#include "DatasetImporter.h"
#include "OrganSchemaFile.h"
#include "PartialLabelSimulator.h"
#include "PhantomDataset.h"
#include "ScanImporter.h"
#include "SqliteDatabase.h"

namespace ipnp::test {

std::unique_ptr<ProjectStore> makePhantomProject(const std::string& folder, const PhantomProjectOptions& options) {
    const std::string phantoms = folder + "/phantoms";
    PhantomDatasetOptions dataset;
    dataset.count = options.count;
    dataset.phantom.size = {options.size, options.size, options.size};
    dataset.phantom.spacing = {options.spacing, options.spacing, options.spacing};
    writePhantomDataset(phantoms, dataset);
    auto store = ProjectStore::create(folder + "/project", organSchemaFromJson(builtinSchemaJson().at("amos15"), "amos15"));
    ScanImporter(*store).importScans(requestsForDataset(readDatasetDescription(phantoms), store->schema()), {});
    PartialLabelOptions partial;
    partial.testFraction = options.testFraction;
    partial.keepFraction = options.keepFraction;
    partial.seed = options.seed;
    PartialLabelSimulator(*store).apply(partial);
    return store;
}

std::vector<ScanRecord> trainingScans(ProjectStore& store) {
    std::vector<ScanRecord> out;
    for (const ScanRecord& scan : store.scans())
        if (scan.split == "train") out.push_back(scan);
    return out;
}

std::string stateOf(ProjectStore& store, std::int64_t scanId, int organ) {
    SqliteStatement row(store.database(), "SELECT state FROM coverage WHERE scan_id = ?1 AND organ_id = ?2");
    row.bind(1, scanId).bind(2, organ);
    return row.step() ? row.columnText(0) : std::string();
}

std::vector<int> organsInState(ProjectStore& store, std::int64_t scanId, const std::string& state) {
    SqliteStatement rows(store.database(), "SELECT organ_id FROM coverage WHERE scan_id = ?1 AND state = ?2 ORDER BY organ_id");
    rows.bind(1, scanId).bind(2, state);
    std::vector<int> out;
    while (rows.step()) out.push_back(int(rows.columnInt(0)));
    return out;
}

GeneralistIdentity handMadeCandidates() { return {"test-box-candidates", "made-by-the-test", "none"}; }

Candidate boxCandidate(const ScanRecord& scan, int organ, Index3 first, double dice, std::size_t disagreements) {
    Candidate c;
    c.prompt.organ = organ;
    c.prompt.box = {first, {first[0] + 4, first[1] + 4, first[2] + 4}};
    c.prompt.region = c.prompt.box;
    c.prompt.positivePoints = {{first[0] + 2, first[1] + 2, first[2] + 2}};
    const ImageGeometry g = scan.geometry.region(first, {4, 4, 4});
    c.mask = Mask(g, 1);
    c.selection = Mask(g, 1);
    for (std::size_t v = 0; v < disagreements; ++v) c.selection.data()[v] = 0;
    c.scores.specialistGeneralistDice = dice;
    c.scores.meanConfidence = 0.8;
    c.scores.volumeMl = 64 * scan.geometry.spacing[0] * scan.geometry.spacing[1] * scan.geometry.spacing[2] / 1000.0;
    return c;
}

}  // namespace ipnp::test
