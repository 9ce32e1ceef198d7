#pragma once

// Reads checkout state shared by all replicas (active holds, outbox backlog,
// pending and in-doubt purchases) every few seconds into the metrics, on its
// own thread, so a scrape never waits for the database.

#include "absl/time/time.h"
#include "broker/common/periodic_task.h"
#include "broker/core/repositories/checkout_state_repository.h"
#include "broker/metrics/broker_metrics.h"

namespace loyalty::broker {

class StateCollector {
 public:
  StateCollector(CheckoutStateRepository& state, BrokerMetrics& metrics, absl::Duration interval)
      : state_(state), metrics_(metrics), task_(interval, [this] { CollectOnce(); }) {}

  // Collects once now, on the caller's thread, so the first scrape has the
  // state and every program's series; then periodically on its own. A read
  // of PostgreSQL only: a database that cannot be reached fails it at once.
  void Start() { task_.StartAfterFirstPassHere(); }
  void Stop() { task_.Stop(); }

 private:
  void CollectOnce();

  CheckoutStateRepository& state_;
  BrokerMetrics& metrics_;
  PeriodicTask task_;  // last: stopped before the members it uses go
};

}  // namespace loyalty::broker
