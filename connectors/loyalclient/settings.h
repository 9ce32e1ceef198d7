#pragma once

// A LoyalClient program: settings `point`, credentials `apikey`.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "connectors/core/program.h"

namespace loyalty::connectors::loyalclient {

struct LoyalClientSettings final : VendorSettings {
  std::string point;   // the point (store) id the vendor issued
  std::string apikey;  // the `apikey` header
};

// INVALID_ARGUMENT naming what is missing, unknown or malformed.
absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseLoyalClientSettings(
    const ProgramConfig& program);

}  // namespace loyalty::connectors::loyalclient
