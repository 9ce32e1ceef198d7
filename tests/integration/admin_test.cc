// The operators' service over real gRPC on its own port, and what the tills
// see of its actions: keys revoked at once, rotated with an overlap, a
// program switched off and on, every action audited; plus the till side of
// authentication (unknown-key floods, `register` never un-revoking a key).

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "broker/common/hashing.h"
#include "broker/storage/pool.h"
#include "broker/storage/registration.h"
#include "connectors/builtin/builtin_vendors.h"
#include "loyalty/broker/admin/v1/admin.grpc.pb.h"
#include "simulators/kit/seed.h"
#include "simulators/loyalclient/server.h"
#include "tests/integration/broker_stack.h"
#include "tests/integration/error_details.h"

namespace loyalty::broker {
namespace {

using simulator::loyalclient::LoyalClientSimulator;
namespace adminv1 = admin::v1;

constexpr char kPoint[] = "62a1f0c0e4b0a1b2c3d4e5f4";
constexpr char kPhone[] = "79201234567";
constexpr char kOperatorToken[] = "operator-token-for-tests-0123456789";

class AdminTest : public ::testing::Test {
 protected:
  // A stack per test: tests revoke and rotate the store's key.
  void SetUp() override {
    static int stack_count = 0;
    ++stack_count;
    sim_ = new LoyalClientSimulator(simulator::LoadSeed(
        std::string(LOYALTY_SOURCE_DIR) + "/simulators/loyalclient/data/loyalclient-seed.json"));
    const int port = sim_->Start("127.0.0.1", 0);
    store_ = absl::StrCat("admin-", testing::RunId(), "-", stack_count);
    key_ = absl::StrCat("admin-key-", testing::RunId(), "-", stack_count, "-0123456789");
    stores_yaml_ =
        absl::StrCat("stores:\n  - id: ", store_, "\n    api_keys: [{label: till, key: ", key_,
                     "}]\n    programs:\n      - code: admin-lc\n",
                     "        vendor: loyalclient\n        base_url: http://127.0.0.1:", port,
                     "\n        settings: {point: ", kPoint, "}\n",
                     "        credentials: {apikey: \"${LC_KEY}\"}\n");
    const std::string tokens_file = absl::StrCat("/tmp/loyalty-admin-tokens-", testing::RunId());
    std::ofstream(tokens_file) << "# operators\nops " << Sha256Hex(kOperatorToken) << "\n";
    auto stack = testing::BrokerStack::Start(stores_yaml_, Secrets(), [&](BrokerConfig& config) {
      config.admin.listen = "127.0.0.1:0";
      config.admin.tokens_file = tokens_file;
      // Only the first pass, at start: the database is shared with the
      // other tests, whose held, pending and outbox rows any replica's
      // maintenance takes up, and the flood test counts this broker's
      // transactions.
      config.broker.maintenance_interval_seconds = 3600;
    });
    ASSERT_TRUE(stack.ok()) << "the test stack did not start: " << stack.status();
    stack_ = stack->release();
    admin_ = adminv1::AdminService::NewStub(
                 grpc::CreateChannel(absl::StrCat("127.0.0.1:", stack_->admin_port()),
                                     grpc::InsecureChannelCredentials()))
                 .release();
  }
  void TearDown() override {
    delete admin_;
    delete stack_;
    delete sim_;
    admin_ = nullptr;
    stack_ = nullptr;
    sim_ = nullptr;
  }

  static std::map<std::string, std::string> Secrets() {
    return {{"LC_KEY", "lc-demo-apikey-0001"}};
  }

  template <typename Request, typename Response, typename Method>
  static grpc::Status Admin(Method method, const Request& request, Response* response,
                            const std::string& token = kOperatorToken) {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return (admin_->*method)(&context, request, response);
  }

  static grpc::Status Identify(const std::string& key) {
    v1::IdentifyCustomerRequest request;
    request.mutable_customer()->set_phone(kPhone);
    v1::IdentifyCustomerResponse response;
    return stack_->Call(key, &v1::LoyaltyBroker::Stub::IdentifyCustomer, request, &response);
  }

  // Polls for up to a second: announcements travel through PostgreSQL.
  static bool SoonUnauthenticated(const std::string& key) {
    for (int i = 0; i < 100; ++i) {
      if (Identify(key).error_code() == grpc::StatusCode::UNAUTHENTICATED) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  static std::string FingerprintOf(const std::string& key) { return Sha256Hex(key).substr(0, 12); }

  static inline LoyalClientSimulator* sim_ = nullptr;
  static inline testing::BrokerStack* stack_ = nullptr;
  static inline adminv1::AdminService::Stub* admin_ = nullptr;
  static inline std::string store_, key_, stores_yaml_;
};

using AdminStub = adminv1::AdminService::Stub;

TEST_F(AdminTest, RefusesCallsWithoutAnOperatorsToken) {
  adminv1::StoreRequest request;
  request.set_store_id(store_);
  adminv1::StoreView view;
  for (const std::string& token : {std::string(), std::string("wrong"), key_}) {
    const grpc::Status status = Admin(&AdminStub::ShowStore, request, &view, token);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << token;
    EXPECT_EQ(testing::DecodeErrorDetails(status).info.reason(), "OPERATOR_UNAUTHENTICATED");
  }
  // And the tills' port knows no admin service.
  auto on_till_port = adminv1::AdminService::NewStub(stack_->channel());
  grpc::ClientContext context;
  context.AddMetadata("authorization", std::string("Bearer ") + kOperatorToken);
  EXPECT_EQ(on_till_port->ShowStore(&context, request, &view).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(AdminTest, ShowsAStoreWithoutItsSecrets) {
  adminv1::StoreRequest request;
  request.set_store_id(store_);
  adminv1::StoreView view;
  ASSERT_TRUE(Admin(&AdminStub::ShowStore, request, &view).ok());
  ASSERT_EQ(view.programs_size(), 1);
  EXPECT_EQ(view.programs(0).code(), "admin-lc");
  EXPECT_EQ(view.programs(0).settings().at("point"), kPoint);
  EXPECT_EQ(std::vector<std::string>(view.programs(0).credential_names().begin(),
                                     view.programs(0).credential_names().end()),
            std::vector<std::string>{"apikey"});
  ASSERT_EQ(view.api_keys_size(), 1);
  EXPECT_EQ(view.api_keys(0).fingerprint(), FingerprintOf(key_));
  const std::string bytes = view.SerializeAsString();
  EXPECT_EQ(bytes.find("lc-demo-apikey-0001"), std::string::npos);
  EXPECT_EQ(bytes.find(key_), std::string::npos);
  request.set_store_id("no-such-store");
  const grpc::Status missing = Admin(&AdminStub::ShowStore, request, &view);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(testing::DecodeErrorDetails(missing).info.reason(), "ADMIN_TARGET_NOT_FOUND");
}

TEST_F(AdminTest, ARevokedKeyStopsAtOnceIsAuditedAndRegisterKeepsItRevoked) {
  ASSERT_TRUE(Identify(key_).ok());  // cached now
  adminv1::RevokeApiKeyRequest revoke;
  revoke.set_store_id(store_);
  revoke.set_fingerprint(FingerprintOf(key_));
  revoke.set_reason("key leaked in a support ticket");
  adminv1::ApiKey revoked;
  ASSERT_TRUE(Admin(&AdminStub::RevokeApiKey, revoke, &revoked).ok());
  EXPECT_GT(revoked.revoked_at_unix(), 0);
  EXPECT_TRUE(SoonUnauthenticated(key_));
  EXPECT_EQ(testing::QueryInt(
                absl::StrCat("SELECT count(*) FROM admin_audit WHERE actor = 'ops' AND action = "
                             "'revoke_api_key' AND store_id = '",
                             store_, "' AND reason = 'key leaked in a support ticket'")),
            1);

  // Registering the same stores file again does not bring the key back.
  ConnectionPool pool("", 1);
  ASSERT_TRUE(pool.Connect().ok());
  auto summary = RegisterStores(pool, stores_yaml_, connectors::BuiltinVendors(), Secrets());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->api_keys_kept_revoked, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Identify(key_).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AdminTest, RegisterRevokesAKeyTheStoresFileNoLongerNames) {
  ASSERT_TRUE(Identify(key_).ok());
  const std::string new_key = absl::StrCat("admin-key-2-", testing::RunId(), "-0123456789");
  std::string yaml = stores_yaml_;
  yaml.replace(yaml.find(key_), key_.size(), new_key);
  ConnectionPool pool("", 1);
  ASSERT_TRUE(pool.Connect().ok());
  auto summary = RegisterStores(pool, yaml, connectors::BuiltinVendors(), Secrets());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->api_keys_revoked, 1);
  EXPECT_TRUE(SoonUnauthenticated(key_));
  EXPECT_TRUE(Identify(new_key).ok());  // a key just added works at once
}

TEST_F(AdminTest, ARotatedKeyWorksBesideTheOldOneUntilTheOverlapEnds) {
  ASSERT_TRUE(Identify(key_).ok());
  adminv1::RotateApiKeyRequest rotate;
  rotate.set_store_id(store_);
  rotate.set_label("till");
  rotate.set_overlap_seconds(2);
  rotate.set_reason("yearly rotation");
  adminv1::RotateApiKeyResponse rotated;
  ASSERT_TRUE(Admin(&AdminStub::RotateApiKey, rotate, &rotated).ok());
  ASSERT_EQ(rotated.expiring_size(), 1);
  EXPECT_EQ(rotated.expiring(0).fingerprint(), FingerprintOf(key_));
  EXPECT_EQ(rotated.key().fingerprint(), FingerprintOf(rotated.api_key()));
  EXPECT_TRUE(Identify(rotated.api_key()).ok());
  EXPECT_TRUE(Identify(key_).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(Identify(key_).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Identify(rotated.api_key()).ok());
}

TEST_F(AdminTest, ASwitchedOffProgramIsSkippedWithoutACallAndComesBack) {
  auto quote = [&] {
    v1::QuoteCartRequest request;
    request.mutable_customer()->set_phone(kPhone);
    auto* line = request.add_lines();
    line->set_line_no(1);
    line->set_sku("MILK");
    line->set_quantity_milli(1000);
    line->set_unit_price_minor(10000);
    v1::QuoteCartResponse response;
    EXPECT_TRUE(stack_->Call(key_, &v1::LoyaltyBroker::Stub::QuoteCart, request, &response).ok());
    return response;
  };
  adminv1::SetProgramSwitchedOffRequest off;
  off.set_store_id(store_);
  off.set_program("admin-lc");
  off.set_switched_off(true);
  off.set_reason("vendor asked us to stop during their migration");
  adminv1::Program program;
  ASSERT_TRUE(Admin(&AdminStub::SetProgramSwitchedOff, off, &program).ok());
  EXPECT_TRUE(program.switched_off());
  const int calls = sim_->faults().RequestCounts().value("/integration/general/recalc", 0);
  v1::QuoteCartResponse skipped;
  for (int i = 0; i < 100; ++i) {  // the announcement reaches the cache
    skipped = quote();
    if (skipped.skipped_size() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(skipped.skipped_size(), 1);
  EXPECT_EQ(skipped.skipped(0).reason_code(), "PROGRAM_DISABLED");
  EXPECT_EQ(sim_->faults().RequestCounts().value("/integration/general/recalc", 0), calls);

  off.set_switched_off(false);
  off.set_reason("migration over");
  ASSERT_TRUE(Admin(&AdminStub::SetProgramSwitchedOff, off, &program).ok());
  v1::QuoteCartResponse back;
  for (int i = 0; i < 100; ++i) {
    back = quote();
    if (back.skipped_size() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(back.skipped_size(), 0);
  EXPECT_EQ(back.programs_size(), 1);

  adminv1::ListAuditRequest trail_request;
  trail_request.set_store_id(store_);
  adminv1::ListAuditResponse trail;
  ASSERT_TRUE(Admin(&AdminStub::ListAudit, trail_request, &trail).ok());
  ASSERT_GE(trail.entries_size(), 2);
  EXPECT_EQ(trail.entries(0).action(), "switch_program_on");
  EXPECT_EQ(trail.entries(1).action(), "switch_program_off");
  EXPECT_EQ(trail.entries(1).actor(), "ops");
  EXPECT_EQ(trail.entries(1).target(), "admin-lc");
}

TEST_F(AdminTest, AFloodOfUnknownKeysCostsTheDatabaseLittleAndOtherKeysNothing) {
  ASSERT_TRUE(Identify(key_).ok());  // the store's own key is cached
  auto transactions = [&] {
    const std::string scrape = testing::ScrapeMetrics(stack_->metrics_port());
    return testing::MetricValue(scrape,
                                "loyalty_db_transaction_duration_seconds_count{outcome=\"ok\"}") +
           testing::MetricValue(scrape,
                                "loyalty_db_transaction_duration_seconds_count{outcome=\"error\"}");
  };
  // The maintenance pass at start may still be under way: wait until the
  // broker is idle, so that what is counted below is the flood's.
  double tx_before = transactions();
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const double now = transactions();
    if (now == tx_before) break;
    tx_before = now;
  }
  int unauthenticated = 0, limited = 0;
  for (int i = 0; i < 300; ++i) {
    const grpc::Status status = Identify(absl::StrCat("made-up-key-", i % 150, "-0123456789"));
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) ++unauthenticated;
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++limited;
      EXPECT_EQ(testing::DecodeErrorDetails(status).info.reason(), "AUTH_RATE_LIMITED");
    }
  }
  const double tx_after = transactions();
  std::printf(
      "300 unknown-key calls: %d UNAUTHENTICATED, %d AUTH_RATE_LIMITED, %.0f database "
      "transactions meanwhile\n",
      unauthenticated, limited, tx_after - tx_before);
  EXPECT_EQ(unauthenticated + limited, 300);
  EXPECT_GT(limited, 200);
  EXPECT_LT(tx_after - tx_before, 100);
  EXPECT_TRUE(Identify(key_).ok());  // the store behind the same address still works
}

}  // namespace
}  // namespace loyalty::broker
