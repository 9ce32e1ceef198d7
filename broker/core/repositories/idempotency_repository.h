#pragma once

// Idempotency keys as payment APIs keep them: scoped by store; the first
// request claims the key; its final answer is stored (with the purchase's
// outcome, PurchaseRepository::WriteOutcome) and replayed byte for byte;
// the same key with other content, or while still running, is refused.

#include <string>

#include "absl/status/statusor.h"

namespace loyalty::broker {

struct IdempotencyClaim {
  enum class State {
    kClaimed,     // this request owns the key: go ahead
    kReplay,      // finished before: answer with `status` / `response`
    kInProgress,  // the first request has no final answer yet (running, or in doubt)
  };
  State state = State::kClaimed;
  absl::Status status;   // the stored answer's status
  std::string response;  // serialized response when `status` is OK
};

class IdempotencyRepository {
 public:
  virtual ~IdempotencyRepository() = default;

  // ALREADY_EXISTS if the key was used with other content or another method.
  virtual absl::StatusOr<IdempotencyClaim> Claim(const std::string& store_id,
                                                 const std::string& key, const std::string& method,
                                                 const std::string& request_hash) = 0;
  // Gives the key up (the attempt changed nothing and may be retried).
  virtual absl::Status Forget(const std::string& store_id, const std::string& key) = 0;
};

}  // namespace loyalty::broker
