#include "tests/crash/commit_load.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/storage/migrations.h"
#include "broker/storage/pool.h"
#include "broker/storage/registration.h"
#include "connectors/builtin/builtin_vendors.h"
#include "simulators/kit/seed.h"

namespace loyalty::broker::testing {
namespace {

using Stub = v1::LoyaltyBroker::Stub;
using simulator::loyalclient::LoyalClientSimulator;
using simulator::sailplay::SailPlaySimulator;

constexpr char kPetrPhone[] = "79990000003";  // LoyalClient: 5000 points
constexpr char kPetrAtLoyalClient[] = "62a1f0c0e4b0a1b2c3d4e603";
constexpr char kIvanPhone[] = "79201234567";  // SailPlay: 500 points
constexpr absl::Duration kPauseAfterUnavailable = absl::Milliseconds(20);

std::string Source(const std::string& path) { return std::string(LOYALTY_SOURCE_DIR) + "/" + path; }

// gRPC's codes are numbered as absl's: "UNAVAILABLE", "ABORTED", ...
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

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

CrashStores::CrashStores(const std::string& prefix)
    : prefix_(prefix), run_(absl::StrCat(std::random_device{}() % 100000000)) {
  loyalclient_ = std::make_unique<LoyalClientSimulator>(
      simulator::LoadSeed(Source("simulators/loyalclient/data/loyalclient-seed.json")));
  sailplay_ = std::make_unique<SailPlaySimulator>(
      simulator::LoadSeed(Source("simulators/sailplay/data/sailplay-seed.json")));
  const int lc = loyalclient_->Start("127.0.0.1", 0);
  const int sp = sailplay_->Start("127.0.0.1", 0);
  EXPECT_GT(lc, 0);
  EXPECT_GT(sp, 0);
  {
    pqxx::connection connection("");
    EXPECT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()).ok());
  }
  lc_key_ = absl::StrCat(prefix_, "-lc-key-", run_, "-0123456789");
  sp_key_ = absl::StrCat(prefix_, "-sp-key-", run_, "-0123456789");
  const std::string stores = absl::StrCat(
      "stores:\n", "  - id: ", prefix_, "-lc-", run_,
      "\n    api_keys: [{label: till, key: ", lc_key_, "}]\n",
      "    programs:\n      - {code: lc, vendor: loyalclient, base_url: \"http://127.0.0.1:", lc,
      "\", settings: {point: 62a1f0c0e4b0a1b2c3d4e5f4}, credentials: {apikey: "
      "lc-demo-apikey-0001}}\n",
      "  - id: ", prefix_, "-sp-", run_, "\n    api_keys: [{label: till, key: ", sp_key_, "}]\n",
      "    programs:\n      - {code: sp, vendor: sailplay, base_url: \"http://127.0.0.1:", sp,
      "\", settings: {store_department_id: \"219\"}, credentials: {store_department_key: "
      "sp-demo-department-key-219, pin_code: \"104443\"}}\n");
  ConnectionPool pool("", 1);
  EXPECT_TRUE(pool.Connect().ok());
  auto registered = RegisterStores(pool, stores, connectors::BuiltinVendors(), {});
  EXPECT_TRUE(registered.ok()) << registered.status();
}

std::string CrashStores::StoresFilter(const std::string& column) const {
  return absl::StrCat(column, " IN ('", prefix_, "-lc-", run_, "', '", prefix_, "-sp-", run_, "')");
}

void CommitLoad::set_channel(std::shared_ptr<grpc::Channel> channel) {
  absl::MutexLock lock(&mutex_);
  channel_ = std::move(channel);
}

void CommitLoad::Start(int threads) {
  stop_ = false;
  for (int t = 0; t < threads; ++t) {
    threads_.emplace_back([this] {
      while (!stop_) OneCommit(next_++);
    });
  }
}

void CommitLoad::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

template <typename Request, typename Response, typename Method>
grpc::Status CommitLoad::Call(const std::string& key, Method method, const Request& request,
                              Response* response) {
  std::shared_ptr<grpc::Channel> channel;
  {
    absl::MutexLock lock(&mutex_);
    channel = channel_;
  }
  auto stub = v1::LoyaltyBroker::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("x-api-key", key);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Status status = ((*stub).*method)(&context, request, response);
  {
    absl::MutexLock lock(&mutex_);
    const std::string code = CodeName(status.error_code());
    ++codes_[code];
    if (!status.ok()) examples_.try_emplace(code, status.error_message());
  }
  // A till that hears "not now" waits a little before its next call.
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) absl::SleepFor(kPauseAfterUnavailable);
  return status;
}

void CommitLoad::OneCommit(int64_t n) {
  Attempt a;
  a.store = n % 2 == 0 ? "lc" : "sp";
  a.api_key = a.store == "lc" ? stores_.lc_key() : stores_.sp_key();
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
  const std::string order = absl::StrCat(stores_.prefix(), "-", stores_.run(), "-", n);
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
  } else if (n % 4 == 1) {
    // Every other SailPlay commit spends points held for it in the
    // broker's ledger; the rest only earn.
    auto* spend = a.request.add_spend();
    spend->set_program("sp");
    spend->set_amount_centipoints(100);
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
  size_t index = 0;
  {
    absl::MutexLock lock(&mutex_);
    index = attempts_.size();
    attempts_.push_back(a);
  }
  v1::PurchaseResponse answer;
  const bool ok = Call(a.api_key, &Stub::CommitPurchase, a.request, &answer).ok();
  absl::MutexLock lock(&mutex_);
  attempts_[index].acknowledged = ok;
  attempts_[index].answer = answer;
}

CommitLoad::Retried CommitLoad::RetryUnacknowledged() {
  Retried retried;
  const std::vector<Attempt> tried = attempts();
  for (size_t i = 0; i < tried.size(); ++i) {
    const Attempt& a = tried[i];
    if (a.acknowledged) continue;
    v1::PurchaseResponse answer;
    grpc::Status status = Call(a.api_key, &Stub::CommitPurchase, a.request, &answer);
    if (status.ok()) {
      absl::MutexLock lock(&mutex_);
      attempts_[i].acknowledged = true;
      attempts_[i].answer = answer;
      ++retried.ok;
    } else if (status.error_code() == grpc::StatusCode::ABORTED) {
      ++retried.in_doubt;  // the vendor may have it: reconciliation, never a blind retry
    }
  }
  return retried;
}

std::vector<Attempt> CommitLoad::attempts() const {
  absl::MutexLock lock(&mutex_);
  return attempts_;
}

std::map<std::string, int> CommitLoad::codes() const {
  absl::MutexLock lock(&mutex_);
  return codes_;
}

std::map<std::string, std::string> CommitLoad::examples() const {
  absl::MutexLock lock(&mutex_);
  return examples_;
}

int CommitLoad::acknowledged() const {
  absl::MutexLock lock(&mutex_);
  int count = 0;
  for (const auto& a : attempts_) count += a.acknowledged ? 1 : 0;
  return count;
}

int ExpectNothingLostNothingDoubled(CrashStores& stores, const std::vector<Attempt>& attempts) {
  const std::string mine = stores.StoresFilter();
  pqxx::connection c("");
  pqxx::read_transaction tx(c);
  // No acknowledged commit missing, and as it was answered.
  for (const auto& a : attempts) {
    if (!a.acknowledged) continue;
    pqxx::result row = tx.exec_params(
        "SELECT status, spent_centipoints FROM purchases WHERE order_number = $1 AND " + mine,
        a.request.order_number());
    EXPECT_EQ(row.size(), 1u) << a.request.order_number() << " acknowledged but not stored";
    if (row.size() != 1) continue;
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
  const nlohmann::json petr = stores.loyalclient().state().DescribeClient(kPetrAtLoyalClient);
  for (const auto& amount : petr["retail_amounts_minor"]) ++retail_by_amount[amount.get<int64_t>()];
  int lc_applied = 0;
  for (const auto& a : attempts) {
    if (a.store != "lc") continue;
    const int applied = retail_by_amount[a.amount_minor];
    EXPECT_LE(applied, 1) << a.request.order_number() << " applied twice at LoyalClient";
    lc_applied += applied;
    pqxx::result row = tx.exec_params(
        "SELECT p.status, coalesce(pp.status, '') FROM purchases p LEFT JOIN purchase_programs pp "
        "USING (purchase_id) WHERE p.order_number = $1 AND " +
            stores.StoresFilter("p.store_id"),
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
  for (const auto& a : attempts) {
    if (a.store != "sp") continue;
    const int64_t created = stores.sailplay().state().PurchasesCreated(a.request.order_number());
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
  return lc_applied;
}

}  // namespace loyalty::broker::testing
