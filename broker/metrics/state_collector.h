#pragma once

// Reads checkout state that lives in PostgreSQL (active holds, pending and
// in-doubt purchases) every few seconds into the metrics, on its own
// thread, so a scrape never waits for the database.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class StateCollector {
 public:
  StateCollector(ConnectionPool& pool, BrokerMetrics& metrics, absl::Duration interval);
  ~StateCollector();

  // Collects once now (so the first scrape has the state), then periodically.
  void Start();
  void Stop();

  // One reading of the state; also used by tests.
  static absl::StatusOr<CheckoutStateSample> Sample(ConnectionPool& pool);

 private:
  void Loop();
  void CollectOnce();

  ConnectionPool& pool_;
  BrokerMetrics& metrics_;
  absl::Duration interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace loyalty::broker
