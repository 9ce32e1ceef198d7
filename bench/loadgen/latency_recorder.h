#pragma once

// Latencies and outcomes of a load run, per operation. Thread-safe; the
// report is computed once at the end from every sample (no sampling).

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace loyalty::bench {

struct OperationReport {
  std::string operation;
  int64_t count = 0;
  std::map<std::string, int64_t> errors;  // gRPC code name -> count
  double throughput_per_second = 0;
  absl::Duration p50, p90, p99, max;
};

class LatencyRecorder {
 public:
  void Record(const std::string& operation, absl::Duration latency, const std::string& error_code);
  // Reports over `elapsed`, one per operation, in name order.
  std::vector<OperationReport> Report(absl::Duration elapsed) const;
  int64_t total() const;

 private:
  struct Samples {
    std::vector<int64_t> micros;  // successful calls only
    std::map<std::string, int64_t> errors;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Samples> by_operation_;
  int64_t total_ = 0;
};

}  // namespace loyalty::bench
