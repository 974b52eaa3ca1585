#include "GeneralistContractFile.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "Error.h"

namespace ipnp {

using nlohmann::json;

namespace {

const std::vector<std::string> kCommonKeys = {"contract", "normalization", "threshold"};
const std::vector<std::string> kPoint3dKeys = {"crop_size", "crop_spacing_mm", "max_points", "pad_points", "box_input"};
const std::vector<std::string> kBox2dKeys = {"input_size", "channels", "output_size"};

class Reader {
public:
    Reader(const json& document, std::string source) : document_(document), source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw Error(source_, "generalist contract key \"" + key + "\": " + problem);
    }
    const json& at(const std::string& key) const {
        if (!document_.contains(key)) fail(key, "missing");
        return document_.at(key);
    }
    std::string text(const std::string& key) const {
        const json& value = at(key);
        if (!value.is_string()) fail(key, "must be a string, got " + value.dump());
        return value.get<std::string>();
    }
    bool boolean(const std::string& key) const {
        const json& value = at(key);
        if (!value.is_boolean()) fail(key, "must be true or false, got " + value.dump());
        return value.get<bool>();
    }
    double number(const json& value, const std::string& key) const {
        if (!value.is_number() || !std::isfinite(value.get<double>())) fail(key, "must be a finite number, got " + value.dump());
        return value.get<double>();
    }
    double number(const std::string& key) const { return number(at(key), key); }
    // Positive and at most 2^20 (a size beyond that is a typo, not a model).
    long positiveInteger(const json& value, const std::string& key) const {
        const bool ok = value.is_number_unsigned()   ? value.get<unsigned long long>() - 1 < (1ull << 20)
                        : value.is_number_integer() ? value.get<long long>() > 0 && value.get<long long>() <= (1ll << 20)
                                                    : false;
        if (!ok) fail(key, "must be a positive integer (at most 1048576), got " + value.dump());
        return static_cast<long>(value.get<long long>());
    }
    long positiveInteger(const std::string& key) const { return positiveInteger(at(key), key); }
    template <std::size_t N>
    std::array<long, N> positiveIntegers(const std::string& key) const {
        const json& value = at(key);
        if (!value.is_array() || value.size() != N)
            fail(key, "must be a list of " + std::to_string(N) + " positive integers, got " + value.dump());
        std::array<long, N> out{};
        for (std::size_t a = 0; a < N; ++a) out[a] = positiveInteger(value[a], key);
        return out;
    }
    template <std::size_t N>
    std::array<double, N> numbers(const std::string& key, bool positive) const {
        const json& value = at(key);
        const std::string what = std::to_string(N) + (positive ? " positive numbers" : " numbers");
        if (!value.is_array() || value.size() != N) fail(key, "must be a list of " + what + ", got " + value.dump());
        std::array<double, N> out{};
        for (std::size_t a = 0; a < N; ++a) {
            out[a] = number(value[a], key);
            if (positive && !(out[a] > 0)) fail(key, "must be a list of " + what + ", got " + value.dump());
        }
        return out;
    }

private:
    const json& document_;
    std::string source_;
};

GeneralistContract::Normalization parseNormalization(const Reader& reader) {
    const std::string name = reader.text("normalization");
    using N = GeneralistContract::Normalization;
    for (auto mode : {N::None, N::ZScore, N::ZScorePositive, N::MinMax, N::CtWindow})
        if (name == normalizationName(mode)) return mode;
    reader.fail("normalization", "unknown normalisation \"" + name + "\" (none, zscore, zscore_positive, minmax or ct_window)");
}

}  // namespace

GeneralistContract generalistContractFromJson(const std::string& jsonText, const std::string& source) {
    json document;
    try {
        document = json::parse(jsonText);
    } catch (const json::exception& error) {
        throw Error(source, std::string("not valid JSON: ") + error.what());
    }
    if (!document.is_object()) throw Error(source, "a generalist contract is a JSON object");
    const Reader reader(document, source);

    GeneralistContract contract;
    const std::string name = reader.text("contract");
    if (name == "point3d")
        contract.kind = GeneralistContract::Kind::Point3d;
    else if (name == "box2d")
        contract.kind = GeneralistContract::Kind::Box2d;
    else
        reader.fail("contract", "unknown contract \"" + name + "\" (point3d or box2d)");
    const bool point3d = contract.kind == GeneralistContract::Kind::Point3d;

    // Unknown keys first: a misspelt key would otherwise be reported as the right one missing.
    std::set<std::string> known(kCommonKeys.begin(), kCommonKeys.end());
    const auto& specific = point3d ? kPoint3dKeys : kBox2dKeys;
    known.insert(specific.begin(), specific.end());
    known.insert("window");
    known.insert("description");
    for (const auto& item : document.items())
        if (!known.count(item.key())) {
            const auto& other = point3d ? kBox2dKeys : kPoint3dKeys;
            const bool ofOther = std::find(other.begin(), other.end(), item.key()) != other.end();
            reader.fail(item.key(), std::string("unknown key") +
                                        (ofOther ? std::string(" (it belongs to the ") + (point3d ? "box2d" : "point3d") +
                                                       " contract, this file says " + name + ")"
                                                 : ""));
        }
    for (const auto& key : kCommonKeys) reader.at(key);
    for (const auto& key : specific) reader.at(key);

    contract.normalization = parseNormalization(reader);
    if (contract.normalization == GeneralistContract::Normalization::CtWindow) {
        contract.window = reader.numbers<2>("window", false);
        if (!(contract.window[0] < contract.window[1]))
            reader.fail("window", "must be [low, high] with low < high, got " + document["window"].dump());
    } else if (document.contains("window")) {
        reader.fail("window", std::string("only for \"normalization\": \"ct_window\" (this file says \"") +
                                  normalizationName(contract.normalization) + "\")");
    }
    contract.threshold = reader.number("threshold");
    if (document.contains("description")) contract.description = reader.text("description");

    if (point3d) {
        contract.cropSize = reader.positiveIntegers<3>("crop_size");
        contract.cropSpacingMm = reader.numbers<3>("crop_spacing_mm", true);
        contract.maxPoints = reader.positiveInteger("max_points");
        contract.padPoints = reader.boolean("pad_points");
        contract.boxInput = reader.boolean("box_input");
    } else {
        contract.inputSize = reader.positiveIntegers<2>("input_size");
        contract.channels = reader.positiveInteger("channels");
        contract.outputSize = reader.positiveIntegers<2>("output_size");
    }
    return contract;
}

GeneralistContract readGeneralistContractFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path, "cannot open the generalist contract (the JSON next to the .pt)");
    std::stringstream text;
    text << in.rdbuf();
    return generalistContractFromJson(text.str(), path);
}

std::string generalistContractToJson(const GeneralistContract& contract) {
    json document = {{"contract", contractName(contract.kind)},
                     {"normalization", normalizationName(contract.normalization)},
                     {"threshold", contract.threshold}};
    if (contract.normalization == GeneralistContract::Normalization::CtWindow)
        document["window"] = {contract.window[0], contract.window[1]};
    if (contract.kind == GeneralistContract::Kind::Point3d) {
        document["crop_size"] = contract.cropSize;
        document["crop_spacing_mm"] = contract.cropSpacingMm;
        document["max_points"] = contract.maxPoints;
        document["pad_points"] = contract.padPoints;
        document["box_input"] = contract.boxInput;
    } else {
        document["input_size"] = contract.inputSize;
        document["channels"] = contract.channels;
        document["output_size"] = contract.outputSize;
    }
    if (!contract.description.empty()) document["description"] = contract.description;
    return document.dump(2);
}

std::string generalistContractPathFor(const std::string& modelPath) {
    std::filesystem::path path(modelPath);
    path.replace_extension(".json");
    return path.string();
}

}  // namespace ipnp
