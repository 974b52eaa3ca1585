#include "RoundTimeLapse.h"

#include <map>

#include "ImageFile.h"
#include "LabelMaskOps.h"
#include "SqliteDatabase.h"

namespace ipnp {

std::vector<int> reviewedRounds(ProjectStore& store) {
    SqliteStatement rows(store.database(), "SELECT number FROM rounds WHERE stage IN ('review', 'closed') ORDER BY number");
    std::vector<int> out;
    while (rows.step()) out.push_back(int(rows.columnInt(0)));
    return out;
}

LabelsAtRound labelsAfterRound(ProjectStore& store, const ScanRecord& scan, int round) {
    LabelsAtRound out{round, LabelMap(scan.geometry, 0), LabelMap(scan.geometry, 0)};
    const auto paste = [&](LabelMap& target, const std::string& file, const std::string& boxJson, int organ) {
        const VoxelBox box = boxFromJson(boxJson);
        pasteMask(target, readLabelMap(store.pathOf(file)), {box[0], box[1], box[2]}, std::uint8_t(organ));
    };
    struct Latest {
        std::string status, kind, file, box;
    };
    std::map<int, Latest> latest;  // per organ, the candidate of the latest round <= `round`
    SqliteStatement candidates(store.database(),
                               "SELECT x.organ_id, x.status, x.kind, COALESCE(l.file, x.file, ''), "
                               "COALESCE(l.box, x.box, '') FROM candidates x JOIN rounds r ON r.id = x.round_id "
                               "LEFT JOIN label_versions l ON l.candidate_id = x.id "
                               "WHERE x.scan_id = ?1 AND r.number <= ?2 AND r.stage <> 'rolled-back' "
                               "AND NOT EXISTS (SELECT 1 FROM coverage c WHERE c.scan_id = x.scan_id "
                               "AND c.organ_id = x.organ_id AND c.state = 'manual') "
                               "ORDER BY r.number, x.id");
    candidates.bind(1, scan.id).bind(2, round);
    while (candidates.step())
        latest[int(candidates.columnInt(0))] = {candidates.columnText(1), candidates.columnText(2), candidates.columnText(3),
                                                candidates.columnText(4)};
    for (const auto& [organ, c] : latest) {
        if (c.kind == "absent" || c.file.empty() || c.status == "rejected") continue;
        paste(c.status == "accepted" ? out.labels : out.pending, c.file, c.box, organ);
    }
    // Manual labels hold in every frame, over anything else (as in the project's current labels).
    SqliteStatement manual(store.database(),
                           "SELECT l.organ_id, l.file, l.box FROM coverage c JOIN label_versions l ON l.id = c.label_version_id "
                           "WHERE c.scan_id = ?1 AND c.state = 'manual'");
    manual.bind(1, scan.id);
    while (manual.step()) paste(out.labels, manual.columnText(1), manual.columnText(2), int(manual.columnInt(0)));

    return out;
}

}  // namespace ipnp
