#pragma once

// Delivers the outbox per program in order. An entry whose sender died
// mid-call is sent again only where the vendor recognises a repeat, and is
// marked in doubt otherwise. Safe with several replicas: an entry is claimed
// in PostgreSQL before its vendor is called.

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "broker/core/program_calls.h"
#include "broker/core/recovery_dependencies.h"

namespace loyalty::broker {

class OutboxDelivery {
 public:
  OutboxDelivery(const RecoveryDependencies& deps, const RecoverySettings& settings,
                 ProgramCalls& calls)
      : deps_(deps), settings_(settings), calls_(calls) {}

  // Returns how many entries were settled (delivered, dropped, in doubt).
  absl::StatusOr<int> Drain();

 private:
  // Stores read once per pass: a backlog is mostly one store's entries.
  using StoreCache = std::map<std::string, std::shared_ptr<const StoreContext>>;
  // Sends the program's oldest entry; false when the program must wait.
  absl::StatusOr<bool> DeliverHead(int64_t program_id, StoreCache& stores, int& settled);
  absl::Status Deliver(OutboxEntry& entry, const StoreContext& store, int& settled);

  const RecoveryDependencies& deps_;
  const RecoverySettings& settings_;
  ProgramCalls& calls_;
};

}  // namespace loyalty::broker
