#pragma once

// Builds the journal entry for one finished vendor call.

#include <string>

#include "broker/core/records.h"
#include "broker/core/vendor_call.h"

namespace loyalty::broker {

template <typename T>
VendorOperation JournalEntry(const std::string& store_id, const connectors::ProgramConfig& program,
                             const std::string& operation, const PendingCall<T>& call,
                             const connectors::Outcome<T>& outcome) {
  VendorOperation op;
  op.store_id = store_id;
  op.program_id = program.id;
  op.program_code = program.code;
  op.vendor = program.vendor;
  op.operation = operation;
  op.outcome = connectors::OutcomeLabel(outcome);
  op.latency_us = absl::ToInt64Microseconds(call.latency());
  op.started_at_unix_us = absl::ToUnixMicros(call.started());
  if (outcome.declined()) {
    op.decline_field = outcome.declined_reason().field;
    op.message = outcome.declined_reason().message;
    op.program_refused = outcome.declined_reason().kind == connectors::DeclineKind::kMisconfigured;
  } else if (outcome.failed()) {
    op.message = outcome.failure().message;
    op.maybe_applied = outcome.failure().maybe_applied;
  }
  return op;
}

}  // namespace loyalty::broker
