#pragma once

// The rows written behind requests (quotes, the vendor journal;
// broker/storage/write_behind.h), read at each scrape:
// loyalty_write_behind_queued{table} (waiting for the database) and
// loyalty_write_behind_dropped_total{table} (refused for a full queue, or
// refused by the database). A queue that grows means PostgreSQL is away or
// slower than the broker: past 1,000 quotes each new quote waits for its
// row, and quotes are refused once the database stays away.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace loyalty::broker {

class WriteBehindCollector final : public prometheus::Collectable {
 public:
  struct Queue {
    std::string table;
    std::function<size_t()> queued;
    std::function<uint64_t()> dropped;
  };

  explicit WriteBehindCollector(std::vector<Queue> queues) : queues_(std::move(queues)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::vector<Queue> queues_;
};

}  // namespace loyalty::broker
