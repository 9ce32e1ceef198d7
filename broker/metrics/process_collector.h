#pragma once

// The standard process metrics Prometheus clients export
// (process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_start_time_seconds),
// read from /proc/self at each scrape, and loyalty_build_info{version}: what
// prometheus-cpp 1.0 does not provide itself.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace loyalty::broker {

class ProcessCollector final : public prometheus::Collectable {
 public:
  explicit ProcessCollector(std::string version) : version_(std::move(version)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string version_;
};

}  // namespace loyalty::broker
