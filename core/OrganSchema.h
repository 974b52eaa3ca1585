#pragma once
// The organs a project segments: label index, display name, colour and the other names the same
// organ goes by in datasets and RT structure sets ("gall bladder", "Gallbladder", "postcava").
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ipnp {

struct Organ {
    int index = 0;  // label value in label maps, 1..255
    std::string name;
    std::array<std::uint8_t, 3> colour{255, 0, 0};
    std::vector<std::string> synonyms;
};

class OrganSchema {
public:
    OrganSchema() = default;
    // Throws ipnp::Error when indices or names collide or an index is outside 1..255.
    OrganSchema(std::string name, std::vector<Organ> organs);

    const std::string& name() const { return name_; }
    const std::vector<Organ>& organs() const { return organs_; }
    std::size_t size() const { return organs_.size(); }
    bool empty() const { return organs_.empty(); }

    const Organ* byIndex(int index) const;
    // Matches the name or any synonym, ignoring case, spaces, '_' and '-'.
    const Organ* byName(const std::string& nameOrSynonym) const;

private:
    std::string name_;
    std::vector<Organ> organs_;
};

// Lower case with spaces, '_' and '-' removed: "Right_Kidney" and "right kidney" compare equal.
std::string normalizedOrganName(const std::string& name);

}  // namespace ipnp
