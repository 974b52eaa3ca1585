#include "OrganSchemaFile.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "Error.h"

namespace ipnp {

using nlohmann::json;

std::array<std::uint8_t, 3> parseHexColour(const std::string& text) {
    if (text.size() != 7 || text[0] != '#' ||
        text.find_first_not_of("0123456789abcdefABCDEF", 1) != std::string::npos)
        throw Error("colour '" + text + "' is not of the form #rrggbb");
    std::array<std::uint8_t, 3> colour{};
    for (int c = 0; c < 3; ++c) colour[c] = static_cast<std::uint8_t>(std::stoi(text.substr(1 + 2 * c, 2), nullptr, 16));
    return colour;
}

std::string toHexColour(const std::array<std::uint8_t, 3>& colour) {
    char text[8];
    std::snprintf(text, sizeof text, "#%02x%02x%02x", colour[0], colour[1], colour[2]);
    return text;
}

OrganSchema organSchemaFromJson(const std::string& jsonText, const std::string& source) {
    json document;
    try {
        document = json::parse(jsonText);
    } catch (const json::exception& error) {
        throw Error(source, std::string("not valid JSON: ") + error.what());
    }
    try {
        if (!document.is_object() || !document.contains("organs") || !document["organs"].is_array())
            throw Error(source, "an organ schema needs an \"organs\" list");
        std::vector<Organ> organs;
        for (const json& entry : document["organs"]) {
            Organ organ;
            organ.index = entry.at("index").get<int>();
            organ.name = entry.at("name").get<std::string>();
            if (entry.contains("colour")) organ.colour = parseHexColour(entry["colour"].get<std::string>());
            if (entry.contains("synonyms")) organ.synonyms = entry["synonyms"].get<std::vector<std::string>>();
            organs.push_back(std::move(organ));
        }
        return OrganSchema(document.value("name", std::string("unnamed")), std::move(organs));
    } catch (const json::exception& error) {
        throw Error(source, std::string("malformed organ schema: ") + error.what());
    } catch (const Error& error) {
        const std::string message = error.what();
        if (message.rfind(source, 0) == 0) throw;
        throw Error(source, message);
    }
}

OrganSchema readOrganSchemaFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path, "cannot open the organ schema");
    std::stringstream text;
    text << in.rdbuf();
    return organSchemaFromJson(text.str(), path);
}

std::string organSchemaToJson(const OrganSchema& schema) {
    json organs = json::array();
    for (const Organ& organ : schema.organs())
        organs.push_back({{"index", organ.index},
                          {"name", organ.name},
                          {"colour", toHexColour(organ.colour)},
                          {"synonyms", organ.synonyms}});
    return json{{"name", schema.name()}, {"organs", organs}}.dump(2);
}

}  // namespace ipnp
