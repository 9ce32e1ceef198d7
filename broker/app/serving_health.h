#pragma once

// What grpc.health.v1 answers, for the whole server ("") and for
// loyalty.broker.v1.LoyaltyBroker: SERVING while PostgreSQL answers,
// NOT_SERVING while it cannot be reached (probed every `interval`) and from
// the moment shutdown begins, before the listener closes, so load balancers
// and open Watch streams move calls away first.

#include <atomic>
#include <memory>

#include "absl/time/time.h"
#include "broker/common/periodic_task.h"
#include "broker/storage/pool.h"

namespace grpc {
class HealthCheckServiceInterface;
}

namespace loyalty::broker {

inline constexpr char kBrokerServiceName[] = "loyalty.broker.v1.LoyaltyBroker";

class ServingHealth {
 public:
  ServingHealth(grpc::HealthCheckServiceInterface& health, ConnectionPool& pool,
                absl::Duration interval);
  ~ServingHealth();

  void Start();
  // NOT_SERVING from now on, whatever the database says.
  void BeginShutdown();
  // What health answers now.
  bool serving() const { return serving_; }

 private:
  void Probe();
  void Set(bool serving);

  grpc::HealthCheckServiceInterface& health_;
  ConnectionPool& pool_;
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> serving_{true};
  std::unique_ptr<PeriodicTask> probe_;
};

}  // namespace loyalty::broker
