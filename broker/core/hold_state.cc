#include "broker/core/hold_state.h"

#include "broker/core/enum_names.h"

namespace loyalty::broker {
namespace {

constexpr EnumNames<HoldMode, 2> kModes({{
    {HoldMode::kVendor, "vendor"},
    {HoldMode::kLedger, "ledger"},
}});

constexpr EnumNames<HoldState, 4> kStates({{
    {HoldState::kActive, "active"},
    {HoldState::kReleased, "released"},
    {HoldState::kConsumed, "consumed"},
    {HoldState::kExpired, "expired"},
}});

}  // namespace

std::string_view HoldModeName(HoldMode mode) { return kModes.Name(mode); }
std::optional<HoldMode> HoldModeFromName(std::string_view name) { return kModes.From(name); }
std::string_view HoldStateName(HoldState state) { return kStates.Name(state); }
std::optional<HoldState> HoldStateFromName(std::string_view name) { return kStates.From(name); }

}  // namespace loyalty::broker
