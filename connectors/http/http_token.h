#pragma once

// A byte of an HTTP token (RFC 9110, 5.6.2): methods and header names.

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace loyalty::connectors {

inline bool IsHttpTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

}  // namespace loyalty::connectors
