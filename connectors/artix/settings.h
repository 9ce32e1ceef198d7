#pragma once

// An Artix VirtualPOS program: settings `cash_code`, `shop_code` and
// optional `shop_labels` (comma-separated); VirtualPOS takes no credentials.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "connectors/core/program.h"

namespace loyalty::connectors::artix {

struct ArtixSettings final : VendorSettings {
  std::string cash_code;
  std::string shop_code;
  std::vector<std::string> shop_labels;  // comma-separated in the stores file
};

// INVALID_ARGUMENT naming what is missing, unknown or malformed.
absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseArtixSettings(
    const ProgramConfig& program);

}  // namespace loyalty::connectors::artix
