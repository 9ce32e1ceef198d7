#pragma once

// The broker in-process for integration tests: migrations applied to the
// PostgreSQL the PG* variables name (tests/run.sh provides one), stores
// registered from YAML, the gRPC server on a free 127.0.0.1 port, and calls
// over a real channel with a store's API key.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/app/broker_app.h"
#include "broker/storage/pool.h"
#include "loyalty/broker/v1/broker.grpc.pb.h"

namespace loyalty::broker::testing {

class BrokerStack {
 public:
  // `stores_yaml` is a stores file as `loyalty-broker register` reads it;
  // `secrets` fill its ${NAME} references.
  // `configure` may change the broker's test configuration before it starts.
  static absl::StatusOr<std::unique_ptr<BrokerStack>> Start(
      const std::string& stores_yaml, const std::map<std::string, std::string>& secrets,
      const std::function<void(BrokerConfig&)>& configure = {});
  ~BrokerStack();

  // For calls that need their own ClientContext (cancelling, metadata).
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // The admin service's port; 0 unless admin.listen was configured.
  int admin_port() const { return app_->admin_port(); }

  // The Prometheus endpoint of the broker under test.
  int metrics_port() const { return app_->metrics_port(); }

  // The vendor-call journal is written behind the calls: tests that read
  // vendor_operations wait for it first.
  bool FlushJournal() { return app_->FlushJournal(absl::Seconds(5)); }

  // One reconciliation pass, as `loyalty-broker reconcile` runs it.
  absl::StatusOr<ReconciliationPass> Reconcile() { return app_->ReconcileOnce(); }
  // An operator's settlement, as `loyalty-broker settle` makes it.
  absl::StatusOr<PurchaseRecord> Settle(const Settlement& settlement) {
    return app_->Settle(settlement, "test operator");
  }

  template <typename Request, typename Response, typename Method>
  grpc::Status Call(const std::string& api_key, Method method, const Request& request,
                    Response* response) const {
    auto stub = v1::LoyaltyBroker::NewStub(channel_);
    grpc::ClientContext context;
    if (!api_key.empty()) context.AddMetadata("x-api-key", api_key);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return ((*stub).*method)(&context, request, response);
  }

 private:
  BrokerStack() = default;

  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<BrokerApp> app_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A number unique to this test run, so stores and orders never collide with
// an earlier run's rows.
const std::string& RunId();

// An order number unique to this run: "<prefix>-<run>-<n>".
std::string NewOrderNumber(const std::string& prefix);

// A commit of `quote_id` under a fresh order number (idempotency key
// "key-<order>"), spending `spend_centipoints` at `program` when positive.
v1::CommitPurchaseRequest CommitRequest(const std::string& quote_id, const std::string& prefix,
                                        const std::string& program = "",
                                        int64_t spend_centipoints = 0);

// The broker's /metrics text ("" when it cannot be read).
std::string ScrapeMetrics(int port);

// The value of the series whose line starts with `series` ("name{labels}");
// -1 when absent.
double MetricValue(const std::string& scrape, const std::string& series);

// The single integer a SQL query returns.
int64_t QueryInt(const std::string& sql);

// Runs a statement that changes rows, as another system or a person would;
// returns how many it changed.
int64_t ExecuteSql(const std::string& sql);

// A database of its own for a migration test, at the schema of the
// migrations before `version`; dropped when it goes.
class ScratchDatabase {
 public:
  ScratchDatabase(const std::string& prefix, int version);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  // Its connection string.
  std::string conninfo() const { return "dbname=" + name_; }
  // Applies every migration, as `loyalty-broker migrate` would.
  absl::Status MigrateToNewest();
  // Applies the migrations up to `version` (included): a migration's test
  // sees what it did, not what later ones did.
  absl::Status MigrateThrough(int version);

 private:
  std::string name_;
};

}  // namespace loyalty::broker::testing
