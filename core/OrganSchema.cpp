#include "OrganSchema.h"

#include <cctype>
#include <map>

#include "Error.h"

namespace ipnp {

std::string normalizedOrganName(const std::string& name) {
    std::string out;
    for (unsigned char c : name)
        if (!std::isspace(c) && c != '_' && c != '-') out += static_cast<char>(std::tolower(c));
    return out;
}

OrganSchema::OrganSchema(std::string name, std::vector<Organ> organs)
    : name_(std::move(name)), organs_(std::move(organs)) {
    std::map<int, std::string> indices;
    std::map<std::string, std::string> names;  // normalized name or synonym -> organ
    for (const Organ& organ : organs_) {
        if (organ.name.empty()) throw Error("organ schema '" + name_ + "': an organ has no name");
        if (organ.index < 1 || organ.index > 255)
            throw Error("organ schema '" + name_ + "': organ '" + organ.name + "' has index " +
                        std::to_string(organ.index) + ", outside 1..255");
        if (!indices.emplace(organ.index, organ.name).second)
            throw Error("organ schema '" + name_ + "': index " + std::to_string(organ.index) +
                        " is used by both '" + indices[organ.index] + "' and '" + organ.name + "'");
        std::vector<std::string> allNames{organ.name};
        allNames.insert(allNames.end(), organ.synonyms.begin(), organ.synonyms.end());
        for (const std::string& alias : allNames) {
            auto [it, inserted] = names.emplace(normalizedOrganName(alias), organ.name);
            if (!inserted && it->second != organ.name)
                throw Error("organ schema '" + name_ + "': the name '" + alias + "' would mean both '" +
                            it->second + "' and '" + organ.name + "'");
        }
    }
}

const Organ* OrganSchema::byIndex(int index) const {
    for (const Organ& organ : organs_)
        if (organ.index == index) return &organ;
    return nullptr;
}

const Organ* OrganSchema::byName(const std::string& nameOrSynonym) const {
    const std::string wanted = normalizedOrganName(nameOrSynonym);
    for (const Organ& organ : organs_) {
        if (normalizedOrganName(organ.name) == wanted) return &organ;
        for (const std::string& synonym : organ.synonyms)
            if (normalizedOrganName(synonym) == wanted) return &organ;
    }
    return nullptr;
}

}  // namespace ipnp
