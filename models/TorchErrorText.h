#pragma once
// What a LibTorch exception says, fit for a person: its first line, without the C++ backtrace
// (c10::Error's what() appends "Exception raised from ..." and a list of frames). No LibTorch types.
#include <exception>
#include <string>

namespace ipnp {

std::string torchErrorText(const std::exception& error);

}  // namespace ipnp
