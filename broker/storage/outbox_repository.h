#pragma once

// The outbox: vendor steps of purchases left for later (see migration 0004).
// Entries of one program go out one at a time in outbox_id order. A sender
// claims the oldest entry with a lease before calling the vendor, so that
// after a crash the entry is known to have been maybe sent.

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/records.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class OutboxRepository {
 public:
  explicit OutboxRepository(ConnectionPool& pool) : pool_(pool) {}

  // Programs with entries still to deliver.
  absl::StatusOr<std::vector<int64_t>> ProgramsWithBacklog();
  // The program's oldest undelivered entry, if any.
  absl::StatusOr<std::optional<OutboxEntry>> Head(int64_t program_id);
  // Marks a waiting, due entry as being sent, durably, for `lease`. False
  // when another sender has it or it is not due yet.
  absl::StatusOr<bool> Claim(OutboxEntry& entry, absl::Duration lease);
  // Back to waiting, to be tried again after `backoff`.
  absl::Status Retry(const OutboxEntry& entry, const std::string& error, absl::Duration backoff);
  // Final state ("delivered", "in_doubt"); with the purchase program's new
  // state, written in the same transaction (and the purchase's points).
  absl::Status Finish(const OutboxEntry& entry, const std::string& status, const std::string& error,
                      const std::optional<PurchaseProgramRecord>& program);

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
