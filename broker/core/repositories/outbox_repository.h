#pragma once

// The outbox: vendor steps of purchases left for later. Entries of one
// program go out one at a time in outbox_id order. A sender claims the
// oldest entry with a lease before calling the vendor, so that after a crash
// the entry is known to have been maybe sent.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/records.h"

namespace loyalty::broker {

class OutboxRepository {
 public:
  virtual ~OutboxRepository() = default;

  // Programs with entries still to deliver.
  virtual absl::StatusOr<std::vector<int64_t>> ProgramsWithBacklog() = 0;
  // The program's oldest undelivered entry, if any.
  virtual absl::StatusOr<std::optional<OutboxEntry>> Head(int64_t program_id) = 0;
  // Marks a waiting, due entry as being sent, durably, for `lease`. False
  // when another sender has it or it is not due yet.
  virtual absl::StatusOr<bool> Claim(OutboxEntry& entry, absl::Duration lease) = 0;
  // Back to waiting, to be tried again after `backoff`.
  virtual absl::Status Retry(const OutboxEntry& entry, const std::string& error,
                             absl::Duration backoff) = 0;
  // Final state (delivered, dropped, in doubt); with the purchase program's new
  // state, written atomically with it (and the purchase's points).
  virtual absl::Status Finish(const OutboxEntry& entry, OutboxState state, const std::string& error,
                              const std::optional<PurchaseProgramRecord>& program) = 0;
};

}  // namespace loyalty::broker
