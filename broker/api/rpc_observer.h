#pragma once

// What the gRPC layer reports per call, for metrics.

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace loyalty::broker {

class RpcObserver {
 public:
  virtual ~RpcObserver() = default;
  virtual void OnRpcStarted(std::string_view method) = 0;
  // `reason`: the error's reason (error_reasons.h), empty when OK.
  virtual void OnRpcHandled(std::string_view method, absl::StatusCode code, std::string_view reason,
                            absl::Duration latency) = 0;
  // Calls waiting for a worker, after each call is queued or taken.
  virtual void OnQueued(int waiting) = 0;
};

}  // namespace loyalty::broker
