#pragma once

// Wires the broker's parts together: database pool, repositories, connectors,
// checkout logic, gRPC server. Used by `loyalty-broker serve` and by tests
// that run the whole broker in-process.

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "broker/admin/admin_repository.h"
#include "broker/admin/admin_service.h"
#include "broker/admin/settle_and_audit.h"
#include "broker/api/grpc_service.h"
#include "broker/api/reflection_v1.h"
#include "broker/app/maintenance_worker.h"
#include "broker/app/readiness_endpoint.h"
#include "broker/app/serving_health.h"
#include "broker/common/thread_pool.h"
#include "broker/config/config.h"
#include "broker/core/checkout_recovery.h"
#include "broker/core/checkout_service.h"
#include "broker/core/program_guards.h"
#include "broker/core/purchase_settlement.h"
#include "broker/core/reconciliation.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/metrics/metrics_endpoint.h"
#include "broker/metrics/state_collector.h"
#include "broker/storage/pg_checkout_state_repository.h"
#include "broker/storage/pg_commit_reads.h"
#include "broker/storage/pg_hold_repository.h"
#include "broker/storage/pg_idempotency_repository.h"
#include "broker/storage/pg_operation_journal.h"
#include "broker/storage/pg_outbox_repository.h"
#include "broker/storage/pg_purchase_repository.h"
#include "broker/storage/pg_quote_repository.h"
#include "broker/storage/pg_reconciliation_repository.h"
#include "broker/storage/pg_store_directory.h"
#include "broker/storage/pool.h"
#include "broker/storage/store_change_listener.h"
#include "broker/storage/write_behind_journal.h"
#include "connectors/builtin/builtin_vendors.h"
#include "connectors/http/curl_multi_client.h"
#include "connectors/http/routing_http_client.h"
#include "connectors/http/socket_http_client.h"
#include "connectors/registry/connector_registry.h"

namespace loyalty::broker {

class BrokerApp {
 public:
  explicit BrokerApp(BrokerConfig config);
  ~BrokerApp();

  // Connects to PostgreSQL and starts serving; returns the bound gRPC port.
  absl::StatusOr<int> Start();
  // The operators' service on admin.listen, when it is set.
  absl::Status StartAdmin(const std::shared_ptr<grpc::ServerCredentials>& credentials);
  // Stops accepting calls, lets in-flight calls finish (up to `grace`), then
  // stops the workers.
  void Shutdown(absl::Duration grace);

  // One reconciliation pass now (also without Start(): `loyalty-broker
  // reconcile`).
  absl::StatusOr<ReconciliationPass> ReconcileOnce() { return reconciler_.RunOnce(); }
  // An operator settles a purchase in doubt (`loyalty-broker settle`).
  // `actor` names who settles, for the audit table.
  absl::StatusOr<PurchaseRecord> Settle(const Settlement& settlement, const std::string& actor) {
    return SettleAndAudit(settler_, admin_repository_, settlement, actor);
  }

  // True once this replica follows store changes (its cache of API keys is
  // trusted from then on; before, every call looks its key up).
  bool FollowingStoreChanges() { return stores_.Listening(); }
  // The admin service's port once started; 0 when it is off.
  int admin_port() const { return admin_port_; }
  // The Prometheus endpoint's port once started; 0 when it is off.
  // Waits until the vendor calls journalled so far are in the database.
  bool FlushJournal(absl::Duration timeout) { return journal_.Flush(timeout); }

  int metrics_port() const { return metrics_endpoint_ ? metrics_endpoint_->port() : 0; }

 private:
  BrokerConfig config_;
  BrokerMetrics metrics_;
  ConnectionPool pool_;
  // Vendor HTTP: plain http:// to an address through the broker's own
  // client, the rest (TLS, names, proxies) through libcurl.
  connectors::CurlMultiHttpClient curl_http_;
  connectors::SocketHttpClient socket_http_;
  connectors::RoutingHttpClient http_;
  // The vendors' own connectors; the rest of the broker sees them only
  // through `registry_`, where each is wrapped in the program guards.
  connectors::ConnectorRegistry vendor_connectors_;
  ProgramGuards guards_;
  connectors::ConnectorRegistry registry_;
  PgQuoteRepository quotes_;
  PgHoldRepository holds_;
  PgPurchaseRepository purchases_;
  PgIdempotencyRepository idempotency_;
  PgCommitReads commit_reads_;
  PgOperationJournal journal_rows_;
  WriteBehindJournal journal_;
  PgOutboxRepository outbox_;
  PgStoreDirectory stores_;
  std::unique_ptr<StoreChangeListener> store_changes_;
  CheckoutService checkout_;
  CheckoutRecovery recovery_;
  PgReconciliationRepository mismatches_;
  PgCheckoutStateRepository checkout_state_;
  PartitionUpkeep partitions_;
  Reconciler reconciler_;
  PurchaseSettler settler_;
  AdminRepository admin_repository_;
  std::unique_ptr<ThreadPool> workers_;
  std::unique_ptr<ReflectionV1Service> reflection_v1_;
  std::unique_ptr<ServingHealth> health_;
  std::unique_ptr<ReadinessEndpoint> readiness_;
  std::unique_ptr<BrokerGrpcService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<grpc::Server> admin_server_;
  int admin_port_ = 0;
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;
  std::unique_ptr<StateCollector> state_collector_;
  std::unique_ptr<MaintenanceWorker> maintenance_;
};

}  // namespace loyalty::broker
