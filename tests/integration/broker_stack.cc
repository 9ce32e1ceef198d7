#include "tests/integration/broker_stack.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "absl/strings/str_cat.h"
#include "broker/storage/migrations.h"
#include "broker/storage/registration.h"
#include "connectors/builtin/builtin_vendors.h"

namespace loyalty::broker::testing {

absl::StatusOr<std::unique_ptr<BrokerStack>> BrokerStack::Start(
    const std::string& stores_yaml, const std::map<std::string, std::string>& secrets,
    const std::function<void(BrokerConfig&)>& configure) {
  {
    pqxx::connection connection("");
    auto applied = ApplyMigrations(connection, EmbeddedMigrations());
    if (!applied.ok()) return applied.status();
  }
  std::unique_ptr<BrokerStack> stack(new BrokerStack());
  stack->pool_ = std::make_unique<ConnectionPool>("", 2);
  if (auto connected = stack->pool_->Connect(); !connected.ok()) return connected;
  auto registered =
      RegisterStores(*stack->pool_, stores_yaml, connectors::BuiltinVendors(), secrets);
  if (!registered.ok()) return registered.status();

  BrokerConfig config;
  config.grpc.listen = "127.0.0.1:0";
  config.metrics.listen = "127.0.0.1:0";
  config.metrics.state_interval_seconds = 1;
  config.broker.maintenance_interval_seconds = 1;
  config.broker.outbox_retry_seconds = 1;
  config.database.pool_size = 4;
  config.broker.worker_threads = 8;
  config.logging.level = LogLevel::kWarning;
  if (configure) configure(config);
  stack->app_ = std::make_unique<BrokerApp>(config);
  auto port = stack->app_->Start();
  if (!port.ok()) return port.status();
  // Tests count on cached keys: wait until the replica follows store
  // changes (on a busy machine that may take a moment after Start).
  for (int i = 0; i < 500 && !stack->app_->FollowingStoreChanges(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stack->channel_ =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port), grpc::InsecureChannelCredentials());
  return stack;
}

BrokerStack::~BrokerStack() = default;

const std::string& RunId() {
  static const std::string id = absl::StrCat(std::random_device{}() % 100000000);
  return id;
}

std::string NewOrderNumber(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return absl::StrCat(prefix, "-", RunId(), "-", ++counter);
}

v1::CommitPurchaseRequest CommitRequest(const std::string& quote_id, const std::string& prefix,
                                        const std::string& program, int64_t spend_centipoints) {
  const std::string order = NewOrderNumber(prefix);
  v1::CommitPurchaseRequest request;
  request.set_idempotency_key("key-" + order);
  request.set_order_number(order);
  request.set_quote_id(quote_id);
  if (spend_centipoints > 0) {
    auto* spend = request.add_spend();
    spend->set_program(program);
    spend->set_amount_centipoints(spend_centipoints);
  }
  return request;
}

int64_t QueryInt(const std::string& sql) {
  pqxx::connection connection("");
  pqxx::read_transaction tx(connection);
  return tx.exec1(sql)[0].as<int64_t>();
}

int64_t ExecuteSql(const std::string& sql) {
  pqxx::connection connection("");
  pqxx::work tx(connection);
  const int64_t affected = tx.exec(sql).affected_rows();
  tx.commit();
  return affected;
}

ScratchDatabase::ScratchDatabase(const std::string& prefix, int version)
    : name_(absl::StrCat(prefix, "_", RunId())) {
  {
    pqxx::connection admin("");
    pqxx::nontransaction(admin).exec0("DROP DATABASE IF EXISTS " + name_);
    pqxx::nontransaction(admin).exec0("CREATE DATABASE " + name_);
    // Roles are the cluster's, not a database's: made here, before two
    // scratch databases migrating at once both find migration 0011's role
    // missing and both make it (one would fail).
    try {
      pqxx::nontransaction(admin).exec0("CREATE ROLE analyst NOLOGIN");
    } catch (const pqxx::sql_error&) {
      // Made already.
    }
  }
  std::vector<Migration> before;
  for (const auto& m : EmbeddedMigrations()) {
    if (m.version < version) before.push_back(m);
  }
  pqxx::connection connection(conninfo());
  if (absl::Status applied = ApplyMigrations(connection, before).status(); !applied.ok()) {
    throw std::runtime_error(applied.ToString());
  }
}

ScratchDatabase::~ScratchDatabase() {
  try {
    pqxx::connection admin("");
    pqxx::nontransaction(admin).exec0("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // Left behind: the throwaway cluster goes with the run.
  }
}

absl::Status ScratchDatabase::MigrateToNewest() {
  pqxx::connection connection(conninfo());
  return ApplyMigrations(connection, EmbeddedMigrations()).status();
}

absl::Status ScratchDatabase::MigrateThrough(int version) {
  std::vector<Migration> through;
  for (const auto& m : EmbeddedMigrations()) {
    if (m.version <= version) through.push_back(m);
  }
  pqxx::connection connection(conninfo());
  return ApplyMigrations(connection, through).status();
}

std::string ScrapeMetrics(int port) {
  httplib::Client client("127.0.0.1", port);
  auto response = client.Get("/metrics");
  if (!response || response->status != 200) return "";
  return response->body;
}

double MetricValue(const std::string& scrape, const std::string& series) {
  std::istringstream lines(scrape);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

}  // namespace loyalty::broker::testing
