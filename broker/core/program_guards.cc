#include "broker/core/program_guards.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/common/logging.h"

namespace loyalty::broker {
namespace {

const char* StateName(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

}  // namespace

ProgramGuards::Admission ProgramGuards::Admit(const connectors::ProgramConfig& program,
                                              absl::Time now) {
  using connectors::HeldBack;
  if (program.switched_off) {
    if (observer_ != nullptr) observer_->OnHeldBack(program, HeldBack::kSwitchedOff);
    return {HeldBack::kSwitchedOff, "switched off by an operator"};
  }
  Admission admission;
  int in_flight = 0;
  {
    absl::MutexLock lock(&mutex_);
    Guard& guard = guards_[program.id];
    if (guard.state == CircuitState::kOpen && now >= guard.open_until) {
      Change(program, guard, CircuitState::kHalfOpen);
    }
    if (guard.state == CircuitState::kOpen) {
      admission = {HeldBack::kCircuitOpen,
                   absl::StrCat("resting after ", settings_.failures_to_open,
                                " failed calls in a row; tried again in ",
                                absl::ToInt64Seconds(guard.open_until - now) + 1, " s")};
    } else if (guard.state == CircuitState::kHalfOpen && guard.probe_in_flight) {
      admission = {HeldBack::kCircuitOpen, "resting; one trial call is under way"};
    } else if (guard.in_flight >= settings_.max_in_flight) {
      admission = {HeldBack::kBusy, absl::StrCat(guard.in_flight, " calls already in flight")};
    } else {
      if (guard.state == CircuitState::kHalfOpen) guard.probe_in_flight = true;
      in_flight = ++guard.in_flight;
    }
  }
  if (observer_ != nullptr) {
    if (admission.held_back != HeldBack::kNo) {
      observer_->OnHeldBack(program, admission.held_back);
    } else {
      observer_->OnInFlight(program, in_flight);
    }
  }
  return admission;
}

void ProgramGuards::Finish(const connectors::ProgramConfig& program, CallVerdict verdict,
                           absl::Time now) {
  int in_flight = 0;
  {
    absl::MutexLock lock(&mutex_);
    Guard& guard = guards_[program.id];
    in_flight = --guard.in_flight;
    const bool was_probe = guard.state == CircuitState::kHalfOpen && guard.probe_in_flight;
    if (was_probe) guard.probe_in_flight = false;
    if (verdict == CallVerdict::kAnswered) {
      guard.failures_in_a_row = 0;
      if (guard.state == CircuitState::kHalfOpen) {
        guard.ejections_in_a_row = 0;
        Change(program, guard, CircuitState::kClosed);
      }
    } else if (verdict == CallVerdict::kFailed && settings_.failures_to_open > 0) {
      ++guard.failures_in_a_row;
      const bool eject = guard.state == CircuitState::kHalfOpen
                             ? was_probe
                             : guard.state == CircuitState::kClosed &&
                                   guard.failures_in_a_row >= settings_.failures_to_open;
      if (eject) {
        absl::Duration rest = settings_.first_ejection;
        for (int i = 0; i < guard.ejections_in_a_row && rest < settings_.max_ejection; ++i) {
          rest *= 2;
        }
        ++guard.ejections_in_a_row;
        guard.open_until = now + std::min(rest, settings_.max_ejection);
        Change(program, guard, CircuitState::kOpen);
      }
    }
  }
  if (observer_ != nullptr) observer_->OnInFlight(program, in_flight);
}

CircuitState ProgramGuards::StateOf(int64_t program_id) const {
  absl::MutexLock lock(&mutex_);
  auto it = guards_.find(program_id);
  return it == guards_.end() ? CircuitState::kClosed : it->second.state;
}

void ProgramGuards::Change(const connectors::ProgramConfig& program, Guard& guard,
                           CircuitState state) {
  if (guard.state == state) return;
  guard.state = state;
  Log(state == CircuitState::kOpen ? LogLevel::kWarning : LogLevel::kInfo, "circuit_changed",
      {{"program", program.code},
       {"vendor", program.vendor},
       {"state", StateName(state)},
       {"failures_in_a_row", absl::StrCat(guard.failures_in_a_row)}});
  if (observer_ != nullptr) observer_->OnCircuitChanged(program, state);
}

}  // namespace loyalty::broker
