// loyalty-broker: serve, migrate, register, reconcile, settle, admin. Only
// wiring lives here.

#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <pqxx/pqxx>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/admin/admin_cli.h"
#include "broker/app/allocator_caches.h"
#include "broker/app/broker_app.h"
#include "broker/common/logging.h"
#include "broker/storage/migrations.h"
#include "broker/storage/registration.h"
#include "connectors/builtin/builtin_vendors.h"

namespace {

using loyalty::broker::BrokerConfig;

int Fail(const absl::Status& status) {
  std::cerr << "loyalty-broker: " << status.message() << std::endl;
  return 1;
}

int Migrate(const BrokerConfig& config) {
  try {
    pqxx::connection connection(config.database.url);
    auto applied =
        loyalty::broker::ApplyMigrations(connection, loyalty::broker::EmbeddedMigrations());
    if (!applied.ok()) return Fail(applied.status());
    std::cout << "migrations applied: " << *applied << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return Fail(absl::UnavailableError(std::string("cannot connect to PostgreSQL: ") + e.what()));
  }
}

int Register(const BrokerConfig& config, const std::string& stores_file) {
  std::ifstream in(stores_file);
  if (!in) return Fail(absl::NotFoundError("cannot read stores file " + stores_file));
  std::stringstream text;
  text << in.rdbuf();
  loyalty::broker::ConnectionPool pool(config.database.url, 1);
  if (auto status = pool.Connect(); !status.ok()) return Fail(status);
  auto summary =
      loyalty::broker::RegisterStores(pool, text.str(), loyalty::connectors::BuiltinVendors(),
                                      loyalty::broker::ProcessEnvironment());
  if (!summary.ok()) return Fail(summary.status());
  std::cout << "registered " << summary->stores << " stores, " << summary->programs << " programs, "
            << summary->api_keys << " API keys" << std::endl;
  if (summary->api_keys_revoked > 0) {
    std::cout << "revoked " << summary->api_keys_revoked
              << " API keys the stores file no longer names" << std::endl;
  }
  if (summary->api_keys_kept_revoked > 0) {
    std::cout << "warning: " << summary->api_keys_kept_revoked
              << " API keys in the stores file were revoked and stay revoked; give those stores "
                 "new keys"
              << std::endl;
  }
  return 0;
}

int Reconcile(const BrokerConfig& config) {
  loyalty::broker::BrokerApp app(config);
  auto pass = app.ReconcileOnce();
  if (!pass.ok()) return Fail(pass.status());
  std::cout << "reconciled " << pass->purchases << " purchases: " << pass->mismatches
            << " mismatches, " << pass->settled << " in-doubt bookings settled" << std::endl;
  return 0;
}

int Settle(const BrokerConfig& config, const loyalty::broker::Settlement& settlement) {
  loyalty::broker::BrokerApp app(config);
  const char* user = std::getenv("USER");
  auto settled = app.Settle(settlement, absl::StrCat("cli:", user != nullptr ? user : "unknown"));
  if (!settled.ok()) return Fail(settled.status());
  std::cout << "purchase " << settled->order_number << " of store " << settled->store_id
            << " settled: " << loyalty::broker::PurchaseStateName(settled->state) << std::endl;
  return 0;
}

int Serve(const BrokerConfig& config) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Blocked before any thread starts, so only sigwait below receives them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  loyalty::broker::LimitAllocatorCaches();
  loyalty::broker::BrokerApp app(config);
  auto port = app.Start();
  if (!port.ok()) return Fail(port.status());
  int signal = 0;
  sigwait(&signals, &signal);
  app.Shutdown(absl::Seconds(10));
  loyalty::broker::Log(loyalty::broker::LogLevel::kInfo, "broker_stopped", {});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's Abseil is built with mutex deadlock detection on, which keeps a
  // lock graph on every lock taken: a few percent of the broker's CPU. The
  // tests (and their sanitized runs) keep it; production does not.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App cli{"Loyalty broker: one gRPC API over the stores' loyalty programs"};
  cli.require_subcommand(1);
  std::string config_path;
  std::string stores_file;
  cli.add_option("--config", config_path, "configuration file (YAML)");
  auto* serve = cli.add_subcommand("serve", "serve the gRPC API");
  bool migrate_first = false;
  serve->add_flag("--migrate", migrate_first, "apply migrations before serving");
  auto* migrate = cli.add_subcommand("migrate", "apply database migrations");
  auto* reg = cli.add_subcommand("register", "register stores, programs and API keys");
  reg->add_option("--stores", stores_file, "stores file (YAML)")->required();
  auto* reconcile = cli.add_subcommand(
      "reconcile", "compare purchases with the vendors that can be asked, once, and exit");
  auto* settle = cli.add_subcommand(
      "settle", "settle a purchase in doubt by what the vendor's own records show, and exit");
  loyalty::broker::Settlement settlement;
  settle->add_option("--store", settlement.store_id, "store id")->required();
  settle->add_option("--order", settlement.order_number, "order number")->required();
  auto* applied = settle->add_flag("--applied", settlement.applied,
                                   "the vendor booked it (its records show the purchase)");
  bool not_applied = false;
  auto* refused = settle->add_flag("--not-applied", not_applied, "the vendor did not book it");
  applied->excludes(refused);
  settle->add_option("--earned", settlement.earned_centipoints,
                     "centipoints the vendor's records show earned (with --applied)");
  settle->add_option("--reason", settlement.reason, "why: what was checked, by whom")->required();
  loyalty::broker::AdminCliOptions admin_options;
  auto* admin = loyalty::broker::AddAdminCommands(cli, admin_options);
  CLI11_PARSE(cli, argc, argv);

  auto config = loyalty::broker::LoadConfig(config_path, loyalty::broker::ProcessEnvironment());
  if (!config.ok()) return Fail(config.status());
  if (*admin) return loyalty::broker::RunAdminCommand(admin_options, config->admin.listen);
  if (*migrate) return Migrate(*config);
  if (*reg) return Register(*config, stores_file);
  if (*reconcile) return Reconcile(*config);
  if (*settle) {
    if (!settlement.applied && !not_applied) {
      std::cerr << "settle: say --applied or --not-applied" << std::endl;
      return 2;
    }
    return Settle(*config, settlement);
  }
  if (migrate_first) {
    if (int rc = Migrate(*config); rc != 0) return rc;
  }
  return Serve(*config);
}
