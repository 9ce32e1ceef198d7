#pragma once

// Turns a connector's decline or failure into the gRPC-style status a store
// gateway can act on. The vendor's own reason is kept; secrets never are.

#include <string>

#include "absl/status/status.h"
#include "connectors/core/outcome.h"

namespace loyalty::broker {

// `who` names the program and vendor, e.g. "program lc-main (LoyalClient)".
absl::Status StatusFromDecline(const std::string& who, const connectors::Declined& declined);
absl::Status StatusFromFailure(const std::string& who, const connectors::Failed& failed);

template <typename T>
absl::Status StatusFromOutcome(const std::string& who, const connectors::Outcome<T>& outcome) {
  if (outcome.approved()) return absl::OkStatus();
  if (outcome.declined()) return StatusFromDecline(who, outcome.declined_reason());
  return StatusFromFailure(who, outcome.failure());
}

// How an answer says why a program was skipped: "UNAVAILABLE: <message>".
std::string SkipReason(const absl::Status& status);

}  // namespace loyalty::broker
