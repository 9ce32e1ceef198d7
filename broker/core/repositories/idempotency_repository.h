#pragma once

// Idempotency keys as payment APIs keep them: scoped by store; the first
// request claims the key, in the same transaction as its purchase's intent
// (PurchaseRepository::WriteIntent); its final answer is stored with the
// purchase's outcome (WriteOutcome) and replayed byte for byte; the same key
// with other content, or while still running, is refused.

#include <string>

#include "absl/status/statusor.h"

namespace loyalty::broker {

// What a request is to make of its key: how Find found it, or the claim a
// purchase's intent makes.
struct IdempotencyClaim {
  enum class State {
    kFree,        // nobody holds the key: the intent may claim it
    kReplay,      // finished before: answer with `status` / `response`
    kInProgress,  // the first request has no final answer yet (running, or in doubt)
  };
  State state = State::kFree;
  absl::Status status;   // the stored answer's status
  std::string response;  // serialized response when `status` is OK
};

class IdempotencyRepository {
 public:
  virtual ~IdempotencyRepository() = default;

  // How the key stands for this request; ALREADY_EXISTS if it was used with
  // other content or another method. Reads only.
  virtual absl::StatusOr<IdempotencyClaim> Find(const std::string& store_id, const std::string& key,
                                                const std::string& method,
                                                const std::string& request_hash) = 0;
  // Gives the key up (the attempt changed nothing and may be retried).
  virtual absl::Status Forget(const std::string& store_id, const std::string& key) = 0;
};

}  // namespace loyalty::broker
