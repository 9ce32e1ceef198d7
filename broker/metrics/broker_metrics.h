#pragma once

// The broker's Prometheus metrics: gRPC server metrics under the names
// Grafana dashboards expect (grpc_server_*), per-program vendor calls,
// program health, the database pool, and checkout state. Labels never carry
// a store id or an order number; every series is created at start (or when
// a program first appears), so dashboards and alerts see zeros, not gaps.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "broker/api/rpc_observer.h"
#include "broker/core/checkout_observer.h"
#include "broker/core/program_guards.h"
#include "broker/core/repositories/checkout_state_repository.h"
#include "broker/metrics/series_cache.h"
#include "broker/storage/pool_observer.h"

namespace loyalty::broker {

class BrokerMetrics final : public RpcObserver,
                            public CheckoutObserver,
                            public PoolObserver,
                            public GuardObserver {
 public:
  // `grpc_methods`: the service's method names, for series created at start.
  explicit BrokerMetrics(const std::vector<std::string>& grpc_methods);

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // Creates the series of one program, so they exist before its first call;
  // a program seen before costs one lookup.
  void AddProgram(const std::string& program, const std::string& vendor);
  void Record(const CheckoutStateSample& sample);

  void OnRpcStarted(std::string_view method) override;
  void OnRpcHandled(std::string_view method, absl::StatusCode code, std::string_view reason,
                    absl::Duration latency) override;
  void OnVendorCall(const VendorOperation& operation) override;
  void OnCommitted(const PurchaseRecord& purchase, const StoreContext& store) override;
  void OnDelivered(const PurchaseProgramRecord& booking, const StoreProgram& program) override;
  void OnAcquired(absl::Duration wait, int in_use, int size) override;
  void OnReleased(absl::Duration duration, bool ok, int in_use, int size) override;
  void OnGaveUp(absl::Duration wait) override;
  void OnCircuitChanged(const connectors::ProgramConfig& program, CircuitState state) override;
  void OnHeldBack(const connectors::ProgramConfig& program, connectors::HeldBack why) override;
  void OnInFlight(const connectors::ProgramConfig& program, int in_flight) override;
  void OnQueued(int waiting) override { queued_calls_.Set(waiting); }

 private:
  // The series each hot path touches, found once (series_cache.h).
  struct MethodSeries {
    prometheus::Counter* started;
    prometheus::Histogram* handling;
    prometheus::Counter* handled[17];  // by absl::StatusCode
  };
  struct VendorCallSeries {
    prometheus::Counter* requests;
    prometheus::Histogram* duration;
    prometheus::Gauge* up;
  };
  struct ProgramSeries {
    prometheus::Gauge* in_flight;
    prometheus::Counter* points_earned;
    prometheus::Counter* points_spent;
  };
  const MethodSeries& Method(std::string_view method);
  const ProgramSeries& Program(const std::string& program, const std::string& vendor);

  std::shared_ptr<prometheus::Registry> registry_;
  absl::Mutex programs_mutex_;
  std::set<std::pair<std::string, std::string>> programs_ ABSL_GUARDED_BY(programs_mutex_);
  prometheus::Family<prometheus::Counter>& grpc_started_;
  prometheus::Family<prometheus::Counter>& grpc_handled_;
  prometheus::Family<prometheus::Histogram>& grpc_handling_;
  prometheus::Family<prometheus::Counter>& rpc_errors_;
  prometheus::Family<prometheus::Counter>& vendor_requests_;
  prometheus::Family<prometheus::Histogram>& vendor_duration_;
  prometheus::Family<prometheus::Gauge>& program_up_;
  prometheus::Family<prometheus::Counter>& purchases_;
  prometheus::Family<prometheus::Counter>& points_earned_;
  prometheus::Family<prometheus::Counter>& points_spent_;
  prometheus::Family<prometheus::Gauge>& holds_active_;
  prometheus::Family<prometheus::Gauge>& outbox_backlog_;
  prometheus::Family<prometheus::Gauge>& outbox_oldest_;
  prometheus::Family<prometheus::Gauge>& reconciliation_mismatches_;
  prometheus::Gauge& purchases_pending_;
  prometheus::Gauge& purchases_in_doubt_;
  prometheus::Gauge& oldest_pending_;
  prometheus::Gauge& pool_size_;
  prometheus::Gauge& pool_in_use_;
  prometheus::Histogram& pool_wait_;
  prometheus::Family<prometheus::Histogram>& db_duration_;
  prometheus::Counter& pool_gave_up_;
  prometheus::Family<prometheus::Gauge>& circuit_state_;
  prometheus::Family<prometheus::Counter>& held_back_;
  prometheus::Family<prometheus::Gauge>& in_flight_;
  prometheus::Gauge& queued_calls_;
  prometheus::Histogram& db_duration_ok_;
  prometheus::Histogram& db_duration_error_;
  SeriesCache<MethodSeries> method_series_;
  SeriesCache<VendorCallSeries> vendor_call_series_;
  SeriesCache<ProgramSeries> program_series_;
  SeriesCache<prometheus::Counter*> purchases_by_status_;
};

}  // namespace loyalty::broker
