#include "AnatomyCodes.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace ipnp {

namespace {

enum class Side { None, Right, Left };

struct Entry {
    const char* code;
    const char* meaning;
    Side side;
};

const std::map<std::string, Entry>& table() {
    static const std::map<std::string, Entry> entries = {
        // amos15
        {"spleen", {"78961009", "Spleen", Side::None}},
        {"right kidney", {"64033007", "Kidney", Side::Right}},
        {"left kidney", {"64033007", "Kidney", Side::Left}},
        {"gallbladder", {"28231008", "Gallbladder", Side::None}},
        {"esophagus", {"32849002", "Esophagus", Side::None}},
        {"liver", {"10200004", "Liver", Side::None}},
        {"stomach", {"69695003", "Stomach", Side::None}},
        {"aorta", {"15825003", "Aorta", Side::None}},
        {"inferior vena cava", {"64131007", "Inferior vena cava", Side::None}},
        {"pancreas", {"15776009", "Pancreas", Side::None}},
        {"right adrenal gland", {"23451007", "Adrenal gland", Side::Right}},
        {"left adrenal gland", {"23451007", "Adrenal gland", Side::Left}},
        {"duodenum", {"38848004", "Duodenum", Side::None}},
        {"bladder", {"89837001", "Urinary bladder", Side::None}},
        // head-neck-oar (TG-263 names)
        {"brainstem", {"15926001", "Brainstem", Side::None}},
        {"spinalcord", {"2748008", "Spinal cord", Side::None}},
        {"parotid_r", {"45289007", "Parotid gland", Side::Right}},
        {"parotid_l", {"45289007", "Parotid gland", Side::Left}},
        {"glnd_submand_r", {"54019009", "Submandibular gland", Side::Right}},
        {"glnd_submand_l", {"54019009", "Submandibular gland", Side::Left}},
        {"bone_mandible", {"91609006", "Mandible", Side::None}},
        {"opticnrv_r", {"18234004", "Optic nerve", Side::Right}},
        {"opticnrv_l", {"18234004", "Optic nerve", Side::Left}},
        {"opticchiasm", {"244453006", "Optic chiasm", Side::None}},
        {"eye_r", {"81745001", "Eye", Side::Right}},
        {"eye_l", {"81745001", "Eye", Side::Left}},
        {"lens_r", {"78076003", "Lens of eye", Side::Right}},
        {"lens_l", {"78076003", "Lens of eye", Side::Left}},
        {"cochlea_r", {"80169004", "Cochlea", Side::Right}},
        {"cochlea_l", {"80169004", "Cochlea", Side::Left}},
        {"larynx", {"4596009", "Larynx", Side::None}},
        {"cavity_oral", {"74262004", "Oral cavity", Side::None}},
        {"lips", {"48477009", "Lip", Side::None}},
        {"glnd_thyroid", {"69748006", "Thyroid", Side::None}},
        {"pituitary", {"56329008", "Pituitary", Side::None}},
        {"brachialplex_r", {"34411009", "Brachial plexus", Side::Right}},
        {"brachialplex_l", {"34411009", "Brachial plexus", Side::Left}},
    };
    return entries;
}

}  // namespace

CodedConcept anatomicalStructureCategory() { return {"123037004", "SCT", "Anatomical Structure"}; }

AnatomyCode anatomyCodeFor(const std::string& organName, int organIndex) {
    std::string key = organName;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    const auto found = table().find(key);
    if (found == table().end()) return {{"IPNP" + std::to_string(organIndex), "99IPNP", organName}, std::nullopt};
    AnatomyCode code{{found->second.code, "SCT", found->second.meaning}, std::nullopt};
    if (found->second.side == Side::Right) code.laterality = CodedConcept{"24028007", "SCT", "Right"};
    if (found->second.side == Side::Left) code.laterality = CodedConcept{"7771000", "SCT", "Left"};
    return code;
}

}  // namespace ipnp
