#pragma once

// A SailPlay program: settings `store_department_id`, credentials
// `store_department_key` and `pin_code` (the document's login parameters).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "connectors/core/program.h"

namespace loyalty::connectors::sailplay {

struct SailPlaySettings final : VendorSettings {
  std::string store_department_id;  // digits
  std::string store_department_key;
  std::string pin_code;
};

// INVALID_ARGUMENT naming what is missing, unknown or malformed.
absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseSailPlaySettings(
    const ProgramConfig& program);

}  // namespace loyalty::connectors::sailplay
