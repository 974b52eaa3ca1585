#include "TorchErrorText.h"

#include <c10/util/Exception.h>

namespace ipnp {

std::string torchErrorText(const std::exception& error) {
    const auto* torchError = dynamic_cast<const c10::Error*>(&error);
    const std::string text = torchError ? torchError->what_without_backtrace() : error.what();
    const auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

}  // namespace ipnp
