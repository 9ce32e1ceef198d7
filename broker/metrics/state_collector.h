#pragma once

// Reads checkout state that lives in PostgreSQL (active holds, outbox
// backlog, pending and in-doubt purchases) every few seconds into the metrics, on its own
// thread, so a scrape never waits for the database.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/common/periodic_task.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/storage/pool.h"

namespace loyalty::broker {

class StateCollector {
 public:
  StateCollector(ConnectionPool& pool, BrokerMetrics& metrics, absl::Duration interval)
      : pool_(pool), metrics_(metrics), task_(interval, [this] { CollectOnce(); }) {}

  // Collects once now (so the first scrape has the state), then periodically.
  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }

 private:
  absl::StatusOr<CheckoutStateSample> Sample();
  void CollectOnce();

  ConnectionPool& pool_;
  BrokerMetrics& metrics_;
  PeriodicTask task_;  // last: stopped before the members it uses go
};

}  // namespace loyalty::broker
