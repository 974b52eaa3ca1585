#include "DicomDeidentify.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>

#include "Error.h"

namespace ipnp {

namespace {

std::array<unsigned char, 32> hmac(const std::string& key, const std::string& text) {
    std::array<unsigned char, 32> out{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         out.data(), &length);
    return out;
}

// The decimal digits of a 128-bit big-endian number (at most 39 digits).
std::string decimalOf(std::array<unsigned char, 16> number) {
    std::string digits;
    bool nonZero = true;
    while (nonZero) {
        unsigned remainder = 0;
        nonZero = false;
        for (unsigned char& byte : number) {
            const unsigned value = remainder * 256 + byte;
            byte = static_cast<unsigned char>(value / 10);
            remainder = value % 10;
            nonZero = nonZero || byte != 0;
        }
        digits.insert(digits.begin(), char('0' + remainder));
    }
    return digits;
}

std::string hex(const unsigned char* bytes, std::size_t count) {
    std::string out;
    char pair[3];
    for (std::size_t n = 0; n < count; ++n) {
        std::snprintf(pair, sizeof pair, "%02x", bytes[n]);
        out += pair;
    }
    return out;
}

}  // namespace

DicomPseudonymizer::DicomPseudonymizer(std::string secret) : secret_(std::move(secret)) {
    if (secret_.empty()) throw Error("de-identification needs a secret");
}

std::string DicomPseudonymizer::uid(const std::string& original) const {
    if (original.empty()) return {};
    const auto digest = hmac(secret_, "uid:" + original);
    std::array<unsigned char, 16> number{};
    std::copy(digest.begin(), digest.begin() + 16, number.begin());
    return "2.25." + decimalOf(number);  // PS3.5 B.2: a UUID-sized integer under the 2.25 root
}

std::string DicomPseudonymizer::pseudonym(const std::string& patientId) const {
    const auto digest = hmac(secret_, "patient:" + patientId);
    std::string out = "IPNP-" + hex(digest.data(), 5);
    for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

DicomSourceIdentity DicomPseudonymizer::deidentify(const DicomSourceIdentity& id) const {
    DicomSourceIdentity out;
    out.studyUid = uid(id.studyUid);
    out.seriesUid = uid(id.seriesUid);
    out.frameOfReferenceUid = uid(id.frameOfReferenceUid);
    out.patientName = out.patientId = pseudonym(id.patientId + "|" + id.patientName);
    out.patientSex = id.patientSex;  // kept: the profile allows it, and anatomy depends on it
    for (const auto& instance : id.instances) out.instances.push_back({instance.sopClassUid, uid(instance.sopInstanceUid)});
    out.instancePerSlice = id.instancePerSlice;
    out.deidentified = true;
    return out;
}

std::string newPseudonymSecret() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw Error("cannot draw random bytes for the de-identification secret");
    return hex(bytes, sizeof bytes);
}

}  // namespace ipnp
