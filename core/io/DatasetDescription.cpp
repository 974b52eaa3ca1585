#include "DatasetDescription.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "AtomicFile.h"
#include "Error.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

std::string normalizedModality(const std::string& text) {
    std::string upper;
    for (unsigned char c : text) upper += static_cast<char>(std::toupper(c));
    if (upper == "CT") return "CT";
    for (const char* mr : {"MR", "MRI", "T1", "T2", "FLAIR", "ADC", "DWI", "T1GD", "T1W", "T2W"})
        if (upper == mr) return "MR";
    return text;
}

namespace {

json parseJsonFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path, "cannot open");
    try {
        return json::parse(in);
    } catch (const json::exception& error) {
        throw Error(path, std::string("not valid JSON: ") + error.what());
    }
}

std::string resolve(const std::string& folder, const std::string& relative) {
    const fs::path path(relative);
    return (path.is_absolute() ? path : (fs::path(folder) / path)).lexically_normal().string();
}

void readDecathlon(const json& document, const std::string& folder, DatasetDescription& out) {
    for (const auto& [key, value] : document.at("labels").items()) {
        const int index = std::stoi(key);
        if (index != 0) out.labels[index] = value.get<std::string>();
    }
    if (document.contains("modality") && document["modality"].is_object() && document["modality"].contains("0"))
        out.modality = normalizedModality(document["modality"]["0"].get<std::string>());
    if (document.contains("modality") && document["modality"].size() > 1)
        out.warnings.push_back("the dataset has " + std::to_string(document["modality"].size()) +
                               " channels per case; only channel 0 is imported");
    for (const json& entry : document.value("training", json::array())) {
        DatasetCase item;
        item.image = resolve(folder, entry.at("image").get<std::string>());
        item.name = imageStem(item.image);
        if (entry.contains("label") && entry["label"].is_string()) item.label = resolve(folder, entry["label"]);
        out.cases.push_back(std::move(item));
    }
}

void readNnUNetV2(const json& document, const std::string& folder, DatasetDescription& out) {
    for (const auto& [name, value] : document.at("labels").items()) {
        if (!value.is_number_integer())
            throw Error(out.jsonPath, "label '" + name + "' is a region (a list of values); region-based "
                                      "datasets are not supported");
        if (value.get<int>() != 0) out.labels[value.get<int>()] = name;
    }
    const json channels = document.value("channel_names", json::object());
    if (channels.contains("0")) out.modality = normalizedModality(channels["0"].get<std::string>());
    if (channels.size() > 1)
        out.warnings.push_back("the dataset has " + std::to_string(channels.size()) +
                               " channels per case; only channel 0 (_0000) is imported");
    const std::string ending = document.value("file_ending", std::string(".nii.gz"));
    if (document.contains("dataset")) {
        for (const auto& [name, entry] : document["dataset"].items()) {
            DatasetCase item;
            item.name = name;
            item.image = resolve(folder, entry.at("images").at(0).get<std::string>());
            if (entry.contains("label")) item.label = resolve(folder, entry["label"].get<std::string>());
            out.cases.push_back(std::move(item));
        }
        return;
    }
    const fs::path images = fs::path(folder) / "imagesTr";
    std::error_code ec;
    if (!fs::is_directory(images, ec)) throw Error(images.string(), "missing (nnU-Net datasets keep images there)");
    const std::string channelZero = "_0000" + ending;
    for (const auto& file : fs::directory_iterator(images)) {
        const std::string fileName = file.path().filename().string();
        if (fileName.size() <= channelZero.size() ||
            fileName.compare(fileName.size() - channelZero.size(), channelZero.size(), channelZero) != 0)
            continue;
        DatasetCase item;
        item.name = fileName.substr(0, fileName.size() - channelZero.size());
        item.image = file.path().string();
        const fs::path label = fs::path(folder) / "labelsTr" / (item.name + ending);
        if (fs::exists(label, ec)) item.label = label.string();
        out.cases.push_back(std::move(item));
    }
    std::sort(out.cases.begin(), out.cases.end(),
              [](const DatasetCase& a, const DatasetCase& b) { return a.name < b.name; });
}

}  // namespace

DatasetDescription readDatasetDescription(const std::string& folder) {
    DatasetDescription out;
    out.jsonPath = (fs::path(folder) / "dataset.json").string();
    const json document = parseJsonFile(out.jsonPath);
    try {
        if (!document.is_object() || !document.contains("labels") || !document["labels"].is_object())
            throw Error(out.jsonPath, "has no \"labels\" object (is this a dataset.json?)");
        out.name = document.value("name", fs::path(folder).filename().string());
        bool indexKeys = true;
        for (const auto& [key, value] : document["labels"].items())
            indexKeys = indexKeys && !key.empty() && std::all_of(key.begin(), key.end(), ::isdigit) && value.is_string();
        out.layout = indexKeys ? DatasetLayout::Decathlon : DatasetLayout::NnUNetV2;
        if (out.layout == DatasetLayout::Decathlon)
            readDecathlon(document, folder, out);
        else
            readNnUNetV2(document, folder, out);
    } catch (const json::exception& error) {
        throw Error(out.jsonPath, std::string("malformed dataset description: ") + error.what());
    }
    if (out.cases.empty()) throw Error(out.jsonPath, "lists no training cases");
    return out;
}

void writeDecathlonDatasetJson(const std::string& path, const std::string& name, const std::string& modality,
                               const std::map<int, std::string>& labels, const std::vector<DatasetCase>& cases) {
    json labelObject = {{"0", "background"}};
    for (const auto& [index, organ] : labels) labelObject[std::to_string(index)] = organ;
    json training = json::array();
    const fs::path folder = fs::path(path).parent_path();
    for (const DatasetCase& item : cases) {
        json entry = {{"image", "./" + fs::relative(item.image, folder).string()}};
        if (item.label) entry["label"] = "./" + fs::relative(*item.label, folder).string();
        training.push_back(entry);
    }
    const json document = {{"name", name},
                           {"description", "written by IPnP Studio"},
                           {"tensorImageSize", "3D"},
                           {"modality", {{"0", modality}}},
                           {"labels", labelObject},
                           {"numTraining", cases.size()},
                           {"numTest", 0},
                           {"training", training},
                           {"test", json::array()}};
    const std::string text = document.dump(2) + "\n";
    writeFileAtomically(path, [&](const std::string& temp) {
        std::ofstream out(temp);
        out << text;
        if (!out.flush()) throw Error(path, "cannot write");
    });
}

}  // namespace ipnp
