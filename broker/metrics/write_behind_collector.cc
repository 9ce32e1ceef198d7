#include "broker/metrics/write_behind_collector.h"

namespace loyalty::broker {

std::vector<prometheus::MetricFamily> WriteBehindCollector::Collect() const {
  prometheus::MetricFamily queued{"loyalty_write_behind_queued",
                                  "Rows written behind requests, waiting for the database",
                                  prometheus::MetricType::Gauge,
                                  {}};
  prometheus::MetricFamily dropped{
      "loyalty_write_behind_dropped_total",
      "Rows written behind requests and given up: refused for a full queue, or by the database",
      prometheus::MetricType::Counter,
      {}};
  for (const Queue& queue : queues_) {
    prometheus::ClientMetric waiting;
    waiting.label = {{"table", queue.table}};
    waiting.gauge.value = static_cast<double>(queue.queued());
    queued.metric.push_back(waiting);
    prometheus::ClientMetric given_up;
    given_up.label = {{"table", queue.table}};
    given_up.counter.value = static_cast<double>(queue.dropped());
    dropped.metric.push_back(given_up);
  }
  return {queued, dropped};
}

}  // namespace loyalty::broker
