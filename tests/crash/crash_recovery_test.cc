// kill -9 of the broker in the middle of commits under load, then restart:
// no purchase applied twice at the simulators, no acknowledged commit
// missing from PostgreSQL, no hold left behind once recovery has run.
//
// The broker runs as its own process (build/broker/loyalty-broker serve);
// the simulators and the load run here. LOYALTY_CRASH_ROUNDS sets how many
// times it is killed (3 by default; tests/crash/run_rounds.sh runs 100).

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/storage/migrations.h"
#include "broker/storage/pool.h"
#include "broker/storage/registration.h"
#include "connectors/builtin/builtin_vendors.h"
#include "loyalty/broker/v1/broker.grpc.pb.h"
#include "simulators/kit/seed.h"
#include "simulators/loyalclient/server.h"
#include "simulators/sailplay/server.h"
#include "tests/crash/child_process.h"

namespace loyalty::broker {
namespace {

namespace v1 = ::loyalty::broker::v1;
using Stub = v1::LoyaltyBroker::Stub;
using simulator::loyalclient::LoyalClientSimulator;
using simulator::sailplay::SailPlaySimulator;

constexpr char kPetrPhone[] = "79990000003";  // LoyalClient: 5000 points
constexpr char kPetrAtLoyalClient[] = "62a1f0c0e4b0a1b2c3d4e603";
constexpr char kIvanPhone[] = "79201234567";  // SailPlay: 500 points
constexpr int kLoadThreads = 4;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

int64_t QueryInt(const std::string& sql) {
  pqxx::connection c("");
  pqxx::read_transaction tx(c);
  return tx.exec1(sql)[0].as<int64_t>();
}

// One commit the load tried: what it sent, and what the broker answered.
struct Attempt {
  std::string store;  // "lc" or "sp"
  std::string api_key;
  v1::CommitPurchaseRequest request;
  int64_t amount_minor = 0;  // unique per attempt: LoyalClient books it
  std::string hold_id;
  bool acknowledged = false;
  v1::PurchaseResponse answer;
};

class CrashRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    run_ = absl::StrCat(std::random_device{}() % 100000000);
    loyalclient_ = std::make_unique<LoyalClientSimulator>(
        simulator::LoadSeed(Source("simulators/loyalclient/data/loyalclient-seed.json")));
    sailplay_ = std::make_unique<SailPlaySimulator>(
        simulator::LoadSeed(Source("simulators/sailplay/data/sailplay-seed.json")));
    const int lc = loyalclient_->Start("127.0.0.1", 0);
    const int sp = sailplay_->Start("127.0.0.1", 0);
    ASSERT_GT(lc, 0);
    ASSERT_GT(sp, 0);
    {
      pqxx::connection connection("");
      ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()).ok());
    }
    lc_key_ = absl::StrCat("crash-lc-key-", run_, "-0123456789");
    sp_key_ = absl::StrCat("crash-sp-key-", run_, "-0123456789");
    const std::string stores = absl::StrCat(
        "stores:\n", "  - id: crash-lc-", run_, "\n    api_keys: [{label: till, key: ", lc_key_,
        "}]\n",
        "    programs:\n      - {code: lc, vendor: loyalclient, base_url: \"http://127.0.0.1:", lc,
        "\", settings: {point: 62a1f0c0e4b0a1b2c3d4e5f4}, credentials: {apikey: "
        "lc-demo-apikey-0001}}\n",
        "  - id: crash-sp-", run_, "\n    api_keys: [{label: till, key: ", sp_key_, "}]\n",
        "    programs:\n      - {code: sp, vendor: sailplay, base_url: \"http://127.0.0.1:", sp,
        "\", settings: {store_department_id: \"219\"}, credentials: {store_department_key: "
        "sp-demo-department-key-219, pin_code: \"104443\"}}\n");
    ConnectionPool pool("", 1);
    ASSERT_TRUE(pool.Connect().ok());
    auto registered = RegisterStores(pool, stores, connectors::BuiltinVendors(), {});
    ASSERT_TRUE(registered.ok()) << registered.status();

    port_ = FreePort();
    config_path_ = absl::StrCat(::testing::TempDir(), "crash-broker-", run_, ".yaml");
    log_path_ = absl::StrCat(::testing::TempDir(), "crash-broker-", run_, ".log");
    std::ofstream(config_path_) << "grpc: {listen: \"127.0.0.1:" << port_ << "\"}\n"
                                << "metrics: {listen: \"\"}\n"
                                << "database: {pool_size: 8}\n"
                                << "broker: {maintenance_interval_seconds: 1, "
                                   "recovery_after_seconds: 2, outbox_retry_seconds: 1}\n"
                                << "logging: {level: warning}\n";
  }

  static std::string Source(const std::string& path) {
    return std::string(LOYALTY_SOURCE_DIR) + "/" + path;
  }

  // Starts the broker process and waits until it serves.
  std::unique_ptr<testing::ChildProcess> StartBroker() {
    auto broker = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{LOYALTY_BROKER_BINARY, "--config", config_path_, "serve"},
        log_path_);
    EXPECT_TRUE(broker->started());
    channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials());
    EXPECT_TRUE(
        channel_->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(15)))
        << "the broker did not start; see " << log_path_;
    return broker;
  }

  template <typename Request, typename Response, typename Method>
  grpc::Status Call(const std::string& key, Method method, const Request& request,
                    Response* response) {
    auto stub = v1::LoyaltyBroker::NewStub(channel_);
    grpc::ClientContext context;
    context.AddMetadata("x-api-key", key);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return ((*stub).*method)(&context, request, response);
  }

  // Quote, (for SailPlay) hold, commit: one attempt, recorded whatever happens.
  void OneCommit(int64_t n) {
    Attempt a;
    a.store = n % 2 == 0 ? "lc" : "sp";
    a.api_key = a.store == "lc" ? lc_key_ : sp_key_;
    a.amount_minor = 10000 + n;
    v1::QuoteCartRequest quote_request;
    quote_request.mutable_customer()->set_phone(a.store == "lc" ? kPetrPhone : kIvanPhone);
    auto* line = quote_request.add_lines();
    line->set_line_no(1);
    line->set_sku("MILK-1L");
    line->set_quantity_milli(1000);
    line->set_unit_price_minor(a.amount_minor);
    v1::QuoteCartResponse quote;
    if (!Call(a.api_key, &Stub::QuoteCart, quote_request, &quote).ok()) return;
    const std::string order = absl::StrCat("crash-", run_, "-", n);
    a.request.set_idempotency_key("key-" + order);
    a.request.set_order_number(order);
    a.request.set_quote_id(quote.quote_id());
    if (a.store == "lc") {
      // Every other LoyalClient commit spends a point (its retail is then
      // the pivot); the rest only earn (retried from the outbox if need be).
      if (n % 4 == 0) {
        auto* spend = a.request.add_spend();
        spend->set_program("lc");
        spend->set_amount_centipoints(100);
      }
    } else {
      v1::HoldPointsRequest hold;
      hold.set_quote_id(quote.quote_id());
      hold.set_program("sp");
      hold.set_amount_centipoints(100);
      hold.set_ttl_seconds(2);
      v1::HoldPointsResponse held;
      if (!Call(a.api_key, &Stub::HoldPoints, hold, &held).ok()) return;
      a.hold_id = held.hold_id();
      a.request.add_hold_ids(a.hold_id);
    }
    {
      std::lock_guard lock(mutex_);
      attempts_.push_back(a);
    }
    v1::PurchaseResponse answer;
    const bool ok = Call(a.api_key, &Stub::CommitPurchase, a.request, &answer).ok();
    std::lock_guard lock(mutex_);
    for (auto& recorded : attempts_) {
      if (recorded.request.order_number() != order) continue;
      recorded.acknowledged = ok;
      recorded.answer = answer;
    }
  }

  // Commits from several threads until the broker is killed.
  void RunRound(std::mt19937& random) {
    auto broker = StartBroker();
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kLoadThreads; ++t) {
      threads.emplace_back([&] {
        while (!stop) OneCommit(next_++);
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + random() % 600));
    broker->Kill();
    stop = true;
    for (auto& t : threads) t.join();
  }

  std::string run_, lc_key_, sp_key_, config_path_, log_path_;
  int port_ = 0;
  std::unique_ptr<LoyalClientSimulator> loyalclient_;
  std::unique_ptr<SailPlaySimulator> sailplay_;
  std::shared_ptr<grpc::Channel> channel_;
  std::atomic<int64_t> next_{0};
  std::mutex mutex_;
  std::vector<Attempt> attempts_;
};

TEST_F(CrashRecoveryTest, KilledMidCommitNothingLostNothingDoubledNoHoldLeft) {
  const char* rounds_env = std::getenv("LOYALTY_CRASH_ROUNDS");
  const int rounds = rounds_env != nullptr ? std::atoi(rounds_env) : 3;
  std::mt19937 random(std::random_device{}());
  for (int round = 0; round < rounds; ++round) RunRound(random);

  // Restart for good: recovery settles what the kills interrupted.
  auto broker = StartBroker();
  const std::string mine =
      absl::StrCat("store_id IN ('crash-lc-", run_, "', 'crash-sp-", run_, "')");
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (QueryInt("SELECT count(*) FROM purchases WHERE status = 'pending' AND " + mine) > 0 &&
         absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(QueryInt("SELECT count(*) FROM purchases WHERE status = 'pending' AND " + mine), 0);

  // The till retries what it never heard back about, with the same key.
  int acknowledged_first = 0, retried_ok = 0, in_doubt = 0;
  for (auto& a : attempts_) {
    if (a.acknowledged) {
      ++acknowledged_first;
      continue;
    }
    v1::PurchaseResponse answer;
    grpc::Status status = Call(a.api_key, &Stub::CommitPurchase, a.request, &answer);
    if (status.ok()) {
      a.acknowledged = true;
      a.answer = answer;
      ++retried_ok;
    } else if (status.error_code() == grpc::StatusCode::ABORTED) {
      ++in_doubt;  // the vendor may have it: reconciliation, never a blind retry
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(4));  // ledger holds run out; the worker runs

  // No acknowledged commit missing, and as it was answered.
  pqxx::connection c("");
  pqxx::read_transaction tx(c);
  for (const auto& a : attempts_) {
    if (!a.acknowledged) continue;
    pqxx::result row = tx.exec_params(
        "SELECT status, spent_centipoints FROM purchases WHERE order_number = $1 AND " + mine,
        a.request.order_number());
    ASSERT_EQ(row.size(), 1u) << a.request.order_number();
    const std::string status = row[0][0].as<std::string>();
    EXPECT_TRUE(status == "booked" || status == "confirmed")
        << a.request.order_number() << " " << status;
    EXPECT_EQ(row[0][1].as<int64_t>(), a.answer.spent_centipoints());
    if (!a.hold_id.empty()) {
      EXPECT_EQ(tx.exec_params1("SELECT status FROM holds WHERE hold_id = $1::uuid", a.hold_id)[0]
                    .as<std::string>(),
                "consumed")
          << a.request.order_number();
    }
  }

  // Nothing applied twice at LoyalClient (every amount is one attempt's),
  // and nothing applied there that the broker calls failed or declined.
  std::map<int64_t, int> retail_by_amount;
  const nlohmann::json petr = loyalclient_->state().DescribeClient(kPetrAtLoyalClient);
  for (const auto& amount : petr["retail_amounts_minor"]) ++retail_by_amount[amount.get<int64_t>()];
  int lc_applied = 0;
  for (const auto& a : attempts_) {
    if (a.store != "lc") continue;
    const int applied = retail_by_amount[a.amount_minor];
    EXPECT_LE(applied, 1) << a.request.order_number() << " applied twice at LoyalClient";
    lc_applied += applied;
    pqxx::result row = tx.exec_params(
        "SELECT p.status, coalesce(pp.status, '') FROM purchases p LEFT JOIN purchase_programs pp "
        "USING (purchase_id) WHERE p.order_number = $1 AND p." +
            mine,
        a.request.order_number());
    const std::string status = row.empty() ? "" : row[0][0].as<std::string>();
    const std::string at_lc = row.empty() ? "" : row[0][1].as<std::string>();
    const bool went_through = status == "booked" || status == "confirmed";
    if (went_through && at_lc == "approved") {
      EXPECT_EQ(applied, 1) << a.request.order_number() << " booked but not at LoyalClient";
    } else if (status != "in_doubt" && at_lc != "in_doubt") {
      // Declined, failed, or still queued in the outbox: not at the vendor.
      EXPECT_EQ(applied, 0) << a.request.order_number() << " is " << status << "/" << at_lc
                            << " but LoyalClient applied it";
    }
  }
  // Nothing created twice at SailPlay, and every booked purchase is there.
  for (const auto& a : attempts_) {
    if (a.store != "sp") continue;
    const int64_t created = sailplay_->state().PurchasesCreated(a.request.order_number());
    EXPECT_LE(created, 1) << a.request.order_number() << " created twice at SailPlay";
    if (a.acknowledged) {
      EXPECT_EQ(created, 1) << a.request.order_number();
    }
  }
  // No hold left behind: whatever a commit did not consume has run out.
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM holds WHERE status = 'active' AND "
                     "expires_at <= now() AND " +
                     mine)[0]
                .as<int64_t>(),
            0);

  std::cout << "rounds=" << rounds << " attempts=" << attempts_.size()
            << " acknowledged=" << acknowledged_first << " retried_ok=" << retried_ok
            << " in_doubt=" << in_doubt << " loyalclient_retail=" << lc_applied << "\n";
  EXPECT_GT(acknowledged_first, 0) << "the load never got a commit through";
}

}  // namespace
}  // namespace loyalty::broker
