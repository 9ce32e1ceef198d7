#include "bench/loadgen/latency_recorder.h"

#include <algorithm>

namespace loyalty::bench {

void LatencyRecorder::Record(const std::string& operation, absl::Duration latency,
                             const std::string& error_code) {
  std::lock_guard lock(mutex_);
  Samples& samples = by_operation_[operation];
  ++total_;
  if (error_code.empty()) {
    samples.micros.push_back(absl::ToInt64Microseconds(latency));
  } else {
    ++samples.errors[error_code];
  }
}

int64_t LatencyRecorder::total() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::vector<OperationReport> LatencyRecorder::Report(absl::Duration elapsed) const {
  std::lock_guard lock(mutex_);
  std::vector<OperationReport> reports;
  for (const auto& [operation, samples] : by_operation_) {
    OperationReport r;
    r.operation = operation;
    r.errors = samples.errors;
    std::vector<int64_t> sorted = samples.micros;
    std::sort(sorted.begin(), sorted.end());
    r.count = static_cast<int64_t>(sorted.size());
    for (const auto& [code, n] : samples.errors) r.count += n;
    r.throughput_per_second = static_cast<double>(sorted.size()) / absl::ToDoubleSeconds(elapsed);
    auto at = [&sorted](double q) {
      if (sorted.empty()) return absl::ZeroDuration();
      const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()));
      return absl::Microseconds(sorted[index]);
    };
    r.p50 = at(0.50);
    r.p90 = at(0.90);
    r.p99 = at(0.99);
    r.max = sorted.empty() ? absl::ZeroDuration() : absl::Microseconds(sorted.back());
    reports.push_back(std::move(r));
  }
  return reports;
}

}  // namespace loyalty::bench
