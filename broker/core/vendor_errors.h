#pragma once

// Turns a connector's decline or failure into the status a store gateway can
// act on: a reason (see error_reasons.h) with the program, vendor and the
// vendor's code as metadata, and the vendor's own words for the cashier.

#include <string>

#include "absl/status/status.h"
#include "connectors/core/connector.h"
#include "connectors/core/outcome.h"

namespace loyalty::broker {

struct StoreProgram;

// The program a vendor answer came from, as errors name it.
struct ProgramParty {
  std::string program;  // the store's code for it, "lc-main"
  std::string vendor;   // "LoyalClient"
  // "program lc-main (LoyalClient)"
  std::string Who() const;
};
ProgramParty PartyOf(const StoreProgram& program, const connectors::Connector* connector);

absl::Status StatusFromDecline(const ProgramParty& party, const connectors::Declined& declined);
absl::Status StatusFromFailure(const ProgramParty& party, const connectors::Failed& failed);

template <typename T>
absl::Status StatusFromOutcome(const ProgramParty& party, const connectors::Outcome<T>& outcome) {
  if (outcome.approved()) return absl::OkStatus();
  if (outcome.declined()) return StatusFromDecline(party, outcome.declined_reason());
  return StatusFromFailure(party, outcome.failure());
}

// A booking whose outcome at `party` is unknown: UNAVAILABLE with reason
// IN_DOUBT. Retrying the same idempotency key is safe and answers the same
// until reconciliation settles the purchase; booking it again is not.
absl::Status InDoubtError(const std::string& order_number, const ProgramParty& party,
                          const std::string& why);

// How an answer says why a program was skipped: "UNAVAILABLE: <message>".
std::string SkipReason(const absl::Status& status);

}  // namespace loyalty::broker
