#include "broker/core/outbox_state.h"

#include "broker/core/enum_names.h"

namespace loyalty::broker {
namespace {

constexpr EnumNames<OutboxStep, 2> kSteps({{
    {OutboxStep::kBook, "book"},
    {OutboxStep::kCancel, "cancel"},
}});

constexpr EnumNames<OutboxState, 5> kStates({{
    {OutboxState::kWaiting, "waiting"},
    {OutboxState::kSending, "sending"},
    {OutboxState::kDelivered, "delivered"},
    {OutboxState::kInDoubt, "in_doubt"},
    {OutboxState::kDropped, "dropped"},
}});

}  // namespace

std::string_view OutboxStepName(OutboxStep step) { return kSteps.Name(step); }
std::optional<OutboxStep> OutboxStepFromName(std::string_view name) { return kSteps.From(name); }
std::string_view OutboxStateName(OutboxState state) { return kStates.Name(state); }
std::optional<OutboxState> OutboxStateFromName(std::string_view name) { return kStates.From(name); }

}  // namespace loyalty::broker
