#pragma once

// Counts of checkout state across all replicas (active holds, outbox
// backlog, open mismatches, unfinished purchases), for the metrics.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace loyalty::broker {

struct CheckoutStateSample {
  struct ProgramHolds {
    std::string program, vendor;
    int64_t active = 0;
  };
  std::vector<ProgramHolds> holds;  // every enabled program, zero included
  struct ProgramOutbox {
    std::string program, vendor;
    int64_t backlog = 0;
    double oldest_seconds = 0;
  };
  std::vector<ProgramOutbox> outbox;  // every enabled program, empty included
  struct ProgramMismatches {
    std::string program, vendor;
    int64_t open = 0;
  };
  std::vector<ProgramMismatches> mismatches;  // every enabled program, zero included
  int64_t purchases_pending = 0;
  int64_t purchases_in_doubt = 0;
  double oldest_pending_seconds = 0;
};

class CheckoutStateRepository {
 public:
  virtual ~CheckoutStateRepository() = default;

  // One consistent reading.
  virtual absl::StatusOr<CheckoutStateSample> Sample() = 0;
};

}  // namespace loyalty::broker
