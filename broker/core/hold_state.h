#pragma once

// Whose hold it is and where it stands (holds.mode, holds.status).

#include <optional>
#include <string_view>

namespace loyalty::broker {

enum class HoldMode {
  kVendor,  // the vendor's own hold, mirrored by the broker
  kLedger,  // the broker's ledger, for vendors without holds
};

enum class HoldState { kActive, kReleased, kConsumed, kExpired };

// As stored: "vendor", "ledger".
std::string_view HoldModeName(HoldMode mode);
std::optional<HoldMode> HoldModeFromName(std::string_view name);
// As stored: "active", "released", "consumed", "expired".
std::string_view HoldStateName(HoldState state);
std::optional<HoldState> HoldStateFromName(std::string_view name);

}  // namespace loyalty::broker
