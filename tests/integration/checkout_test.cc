// The whole broker in-process over real gRPC, a real PostgreSQL (PG*
// variables, e.g. from pg_virtualenv) and the LoyalClient simulator over
// real HTTP on 127.0.0.1.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <pqxx/pqxx>
#include <random>

#include "absl/strings/str_cat.h"
#include "loyalty/broker/v1/broker.grpc.pb.h"
#include "simulators/kit/seed.h"
#include "simulators/loyalclient/server.h"
#include "tests/integration/broker_stack.h"

namespace loyalty::broker {
namespace {

using simulator::loyalclient::LoyalClientSimulator;

constexpr char kPoint[] = "62a1f0c0e4b0a1b2c3d4e5f4";
constexpr char kIvanId[] = "62a1f0c0e4b0a1b2c3d4e601";  // cashback 10%, 50% max spend
constexpr char kIvanPhone[] = "79201234567";
constexpr char kPetrId[] = "62a1f0c0e4b0a1b2c3d4e603";
constexpr char kPetrPhone[] = "79990000003";

nlohmann::json Seed() {
  return simulator::LoadSeed(std::string(LOYALTY_SOURCE_DIR) +
                             "/simulators/loyalclient/data/loyalclient-seed.json");
}

class CheckoutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      setup_error_ = StartStack();
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }

  // A broken stack fails every test; gtest would otherwise skip them.
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "the test stack did not start"; }

  // Returns what went wrong, or an empty string.
  static std::string StartStack() {
    simulator_ = new LoyalClientSimulator(Seed());
    const int sim_port = simulator_->Start("127.0.0.1", 0);
    if (sim_port <= 0) return "simulator did not start";
    down_simulator_ = new LoyalClientSimulator(Seed());
    const int down_port = down_simulator_->Start("127.0.0.1", 0);
    if (down_port <= 0) return "simulator did not start";

    const std::string& run = testing::RunId();
    key_a_ = "store-a-key-" + run + "-0123456789";
    key_b_ = "store-b-key-" + run + "-0123456789";
    key_down_ = "store-d-key-" + run + "-0123456789";
    auto program = [](const std::string& code, int port) {
      return absl::StrCat("      - code: ", code, "\n        vendor: loyalclient\n",
                          "        base_url: http://127.0.0.1:", port, "\n",
                          "        settings: {point: ", kPoint, "}\n",
                          "        credentials: {apikey: \"${LC_KEY}\"}\n");
    };
    const std::string stores =
        absl::StrCat("stores:\n", "  - id: a-", run, "\n    api_keys: [{label: till, key: ", key_a_,
                     "}]\n    programs:\n", program("lc-main", sim_port), "  - id: b-", run,
                     "\n    api_keys: [{label: till, key: ", key_b_, "}]\n    programs:\n",
                     program("lc-main", sim_port), "  - id: d-", run,
                     "\n    api_keys: [{label: till, key: ", key_down_, "}]\n    programs:\n",
                     program("lc-main", down_port));
    auto stack = testing::BrokerStack::Start(stores, {{"LC_KEY", "lc-demo-apikey-0001"}});
    if (!stack.ok()) return stack.status().ToString();
    stack_ = stack->release();
    return "";
  }

  static void TearDownTestSuite() {
    delete stack_;
    delete simulator_;
    delete down_simulator_;
  }

  template <typename Request, typename Response, typename Method>
  grpc::Status Call(const std::string& api_key, Method method, const Request& request,
                    Response* response) {
    return stack_->Call(api_key, method, request, response);
  }

  v1::QuoteCartResponse Quote(const std::string& key, const std::string& phone) {
    v1::QuoteCartRequest request;
    request.mutable_customer()->set_phone(phone);
    auto* line = request.add_lines();
    line->set_line_no(1);
    line->set_sku("MILK");
    line->set_quantity_milli(2000);
    line->set_unit_price_minor(50000);  // 2 x 500.00
    v1::QuoteCartResponse quote;
    grpc::Status status = Call(key, &v1::LoyaltyBroker::Stub::QuoteCart, request, &quote);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return quote;
  }

  static v1::CommitPurchaseRequest Commit(const v1::QuoteCartResponse& quote, int64_t spend) {
    return testing::CommitRequest(quote.quote_id(), "ORD", "lc-main", spend);
  }

  static int64_t Balance(LoyalClientSimulator& sim, const std::string& id) {
    return sim.state().DescribeClient(id)["balance_centipoints"].get<int64_t>();
  }
  static int64_t RetailCount(LoyalClientSimulator& sim, const std::string& id) {
    return sim.state().DescribeClient(id)["retail_operations"].get<int64_t>();
  }
  static int64_t CountRows(const std::string& sql) { return testing::QueryInt(sql); }

  static inline LoyalClientSimulator* simulator_ = nullptr;
  static inline LoyalClientSimulator* down_simulator_ = nullptr;
  static inline testing::BrokerStack* stack_ = nullptr;
  static inline std::string key_a_, key_b_, key_down_;
  static inline std::string setup_error_;
};

using Stub = v1::LoyaltyBroker::Stub;

TEST_F(CheckoutTest, FullCheckoutIdentifyQuoteHoldCommitGet) {
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_phone(kPetrPhone);
  v1::IdentifyCustomerResponse customer;
  ASSERT_TRUE(Call(key_a_, &Stub::IdentifyCustomer, identify, &customer).ok());
  ASSERT_EQ(customer.accounts_size(), 1);
  EXPECT_EQ(customer.accounts(0).vendor_customer_id(), kPetrId);
  const int64_t balance_before = Balance(*simulator_, kPetrId);
  EXPECT_EQ(customer.accounts(0).balance_centipoints(), balance_before);

  v1::QuoteCartResponse quote = Quote(key_a_, kPetrPhone);
  EXPECT_EQ(quote.total_before_minor(), 100000);
  EXPECT_EQ(quote.total_minor(), 100000);
  EXPECT_EQ(quote.spendable_centipoints(), 50000);  // 50% of 1000.00
  EXPECT_EQ(quote.earn_centipoints(), 10000);       // 10% cashback
  ASSERT_EQ(quote.programs_size(), 1);

  v1::HoldPointsRequest hold_request;
  hold_request.set_quote_id(quote.quote_id());
  hold_request.set_program("lc-main");
  hold_request.set_amount_centipoints(20000);
  v1::HoldPointsResponse hold;
  ASSERT_TRUE(Call(key_a_, &Stub::HoldPoints, hold_request, &hold).ok());
  EXPECT_EQ(hold.status(), v1::HOLD_STATUS_ACTIVE);
  EXPECT_EQ(simulator_->state().DescribeClient(kPetrId)["held_centipoints"], 20000);

  auto commit = Commit(quote, 20000);
  commit.add_hold_ids(hold.hold_id());
  v1::PurchaseResponse purchase;
  grpc::Status status = Call(key_a_, &Stub::CommitPurchase, commit, &purchase);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(purchase.status(), v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_EQ(purchase.spent_centipoints(), 20000);
  EXPECT_EQ(purchase.paid_minor(), 80000);
  EXPECT_EQ(Balance(*simulator_, kPetrId), balance_before - 20000);
  EXPECT_EQ(simulator_->state().DescribeClient(kPetrId)["held_centipoints"], 0);

  v1::PurchaseByOrderRequest get;
  get.set_order_number(commit.order_number());
  v1::PurchaseResponse stored;
  ASSERT_TRUE(Call(key_a_, &Stub::GetPurchase, get, &stored).ok());
  EXPECT_EQ(stored.status(), v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_EQ(stored.paid_minor(), 80000);
  ASSERT_EQ(stored.programs_size(), 1);
  EXPECT_EQ(stored.programs(0).spent_centipoints(), 20000);

  v1::ReleaseHoldRequest release;
  release.set_hold_id(hold.hold_id());
  v1::ReleaseHoldResponse released;
  ASSERT_TRUE(Call(key_a_, &Stub::ReleaseHold, release, &released).ok());
  EXPECT_EQ(released.status(), v1::HOLD_STATUS_CONSUMED);

  ASSERT_TRUE(stack_->FlushJournal());
  EXPECT_EQ(CountRows(absl::StrCat("SELECT count(*) FROM vendor_operations o JOIN purchases p "
                                   "USING (purchase_id) WHERE p.order_number = '",
                                   commit.order_number(), "' AND o.operation = 'book'")),
            1);
}

TEST_F(CheckoutTest, CommitReplaysTheStoredAnswerAndAppliesOnce) {
  auto quote = Quote(key_a_, kIvanPhone);
  auto commit = Commit(quote, 0);
  const int64_t retail_before = RetailCount(*simulator_, kIvanId);
  v1::PurchaseResponse first, second;
  ASSERT_TRUE(Call(key_a_, &Stub::CommitPurchase, commit, &first).ok());
  ASSERT_TRUE(Call(key_a_, &Stub::CommitPurchase, commit, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(first.earned_centipoints(), 10000);
  EXPECT_EQ(RetailCount(*simulator_, kIvanId), retail_before + 1);
}

TEST_F(CheckoutTest, SameKeyWithOtherContentIsRefused) {
  auto quote = Quote(key_a_, kIvanPhone);
  auto commit = Commit(quote, 0);
  v1::PurchaseResponse first;
  ASSERT_TRUE(Call(key_a_, &Stub::CommitPurchase, commit, &first).ok());
  commit.set_order_number(commit.order_number() + "-other");
  v1::PurchaseResponse second;
  grpc::Status status = Call(key_a_, &Stub::CommitPurchase, commit, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(status.error_message().find("idempotency_key"), std::string::npos);
}

TEST_F(CheckoutTest, OneStoreCannotSeeAnothersPurchaseOrQuote) {
  auto quote = Quote(key_a_, kIvanPhone);
  auto commit = Commit(quote, 0);
  v1::PurchaseResponse purchase;
  ASSERT_TRUE(Call(key_a_, &Stub::CommitPurchase, commit, &purchase).ok());

  v1::PurchaseByOrderRequest get;
  get.set_order_number(commit.order_number());
  v1::PurchaseResponse other;
  EXPECT_EQ(Call(key_b_, &Stub::GetPurchase, get, &other).error_code(),
            grpc::StatusCode::NOT_FOUND);
  auto reuse = Commit(quote, 0);
  EXPECT_EQ(Call(key_b_, &Stub::CommitPurchase, reuse, &other).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Call("", &Stub::GetPurchase, get, &other).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call("not-a-key-of-any-store", &Stub::GetPurchase, get, &other).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(CheckoutTest, UnknownCustomerIsNotFound) {
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_phone("70000000000");
  v1::IdentifyCustomerResponse customer;
  grpc::Status status = Call(key_a_, &Stub::IdentifyCustomer, identify, &customer);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CheckoutTest, SpendingMoreThanTheQuoteOffersIsRefusedBeforeAnyVendorCall) {
  auto quote = Quote(key_a_, kIvanPhone);
  const int64_t balance_before = Balance(*simulator_, kIvanId);
  auto commit = Commit(quote, quote.spendable_centipoints() + 100);  // cap is 50% of 1000.00
  v1::PurchaseResponse purchase;
  grpc::Status status = Call(key_a_, &Stub::CommitPurchase, commit, &purchase);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("spend[0].amount_centipoints: at most 50000"),
            std::string::npos)
      << status.error_message();
  EXPECT_EQ(Balance(*simulator_, kIvanId), balance_before);
  v1::PurchaseByOrderRequest get;
  get.set_order_number(commit.order_number());
  v1::PurchaseResponse stored;
  EXPECT_EQ(Call(key_a_, &Stub::GetPurchase, get, &stored).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CheckoutTest, AVendorsRefusalReachesTheTillWithItsReasonAndChangesNothing) {
  auto quote = Quote(key_a_, kIvanPhone);
  // Another till at the same point spends all but 100.00 of Ivan's points
  // after the quote: LoyalClient now refuses the 500.00 the quote offered.
  const int64_t balance = Balance(*simulator_, kIvanId);
  ASSERT_EQ(simulator_->state()
                .Retail(nlohmann::json{{"client", kIvanId},
                                       {"point", kPoint},
                                       {"amount", 1000000},
                                       {"spend", (balance - 10000) / 100}})
                .status,
            200);
  const int64_t balance_before = Balance(*simulator_, kIvanId);
  auto commit = Commit(quote, 50000);
  v1::PurchaseResponse purchase;
  grpc::Status status = Call(key_a_, &Stub::CommitPurchase, commit, &purchase);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("Spend can't be more 100"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(Balance(*simulator_, kIvanId), balance_before);
  v1::PurchaseByOrderRequest get;
  get.set_order_number(commit.order_number());
  v1::PurchaseResponse stored;
  ASSERT_TRUE(Call(key_a_, &Stub::GetPurchase, get, &stored).ok());
  EXPECT_EQ(stored.status(), v1::PURCHASE_STATUS_DECLINED);
  EXPECT_FALSE(stored.complete());
}

TEST_F(CheckoutTest, MalformedRequestsNameTheFieldAndWriteNothing) {
  // This process's store only: other test processes write concurrently.
  const std::string mine = absl::StrCat(" WHERE store_id = 'a-", testing::RunId(), "'");
  const int64_t quotes_before = CountRows("SELECT count(*) FROM quotes" + mine);
  const int64_t purchases_before = CountRows("SELECT count(*) FROM purchases" + mine);
  v1::QuoteCartRequest empty_cart;
  v1::QuoteCartResponse quote;
  grpc::Status status = Call(key_a_, &Stub::QuoteCart, empty_cart, &quote);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("lines", 0), 0u);

  v1::QuoteCartRequest negative;
  auto* line = negative.add_lines();
  line->set_line_no(1);
  line->set_sku("X");
  line->set_quantity_milli(1000);
  line->set_unit_price_minor(-100);
  status = Call(key_a_, &Stub::QuoteCart, negative, &quote);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("lines[0].unit_price_minor", 0), 0u);

  v1::CommitPurchaseRequest no_ids;
  v1::PurchaseResponse purchase;
  status = Call(key_a_, &Stub::CommitPurchase, no_ids, &purchase);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("idempotency_key", 0), 0u);

  auto good = Quote(key_a_, kIvanPhone);
  auto commit = Commit(good, -5);
  auto* bad_spend = commit.add_spend();
  bad_spend->set_program("lc-main-2");
  bad_spend->set_amount_centipoints(-5);
  status = Call(key_a_, &Stub::CommitPurchase, commit, &purchase);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("spend[0].amount_centipoints", 0), 0u);

  EXPECT_EQ(CountRows("SELECT count(*) FROM quotes" + mine), quotes_before + 1);  // the good quote
  EXPECT_EQ(CountRows("SELECT count(*) FROM purchases" + mine), purchases_before);
}

TEST_F(CheckoutTest, VendorDownAnswersUnavailableAndLeavesNoHalfWrittenPurchase) {
  auto quote = Quote(key_down_, kIvanPhone);
  ASSERT_EQ(quote.programs_size(), 1);
  const int64_t retail_before = RetailCount(*down_simulator_, kIvanId);
  down_simulator_->Stop();  // the vendor goes away between quote and commit
  auto commit = Commit(quote, 10000);
  v1::PurchaseResponse purchase;
  grpc::Status status = Call(key_down_, &Stub::CommitPurchase, commit, &purchase);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(RetailCount(*down_simulator_, kIvanId), retail_before);

  v1::PurchaseByOrderRequest get;
  get.set_order_number(commit.order_number());
  v1::PurchaseResponse stored;
  ASSERT_TRUE(Call(key_down_, &Stub::GetPurchase, get, &stored).ok());
  EXPECT_EQ(stored.status(), v1::PURCHASE_STATUS_FAILED);
  EXPECT_EQ(stored.spent_centipoints(), 0);
  EXPECT_EQ(CountRows(absl::StrCat("SELECT count(*) FROM purchases WHERE status = 'pending' "
                                   "AND order_number = '",
                                   commit.order_number(), "'")),
            0);
  // Nothing was applied, so the key is free: a retry runs again (and fails again).
  status = Call(key_down_, &Stub::CommitPurchase, commit, &purchase);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  // The retry took over the failed order: its lines are the quote's, once.
  EXPECT_EQ(CountRows(absl::StrCat("SELECT count(*) FROM purchase_lines l JOIN purchases p "
                                   "USING (purchase_id) WHERE p.order_number = '",
                                   commit.order_number(), "'")),
            quote.lines_size());
  EXPECT_EQ(CountRows(absl::StrCat("SELECT attempts FROM purchases WHERE order_number = '",
                                   commit.order_number(), "'")),
            2);
  // Both attempts are in its status history: pending, failed, pending, failed.
  EXPECT_EQ(CountRows(absl::StrCat("SELECT count(*) FROM purchase_status_history h "
                                   "JOIN purchases p USING (purchase_id) WHERE p.order_number = '",
                                   commit.order_number(), "' AND h.status = 'pending'")),
            2);
}

TEST_F(CheckoutTest, OperationsLoyalClientLacksAreRefusedPrecisely) {
  auto quote = Quote(key_a_, kIvanPhone);
  auto commit = Commit(quote, 0);
  v1::PurchaseResponse purchase;
  ASSERT_TRUE(Call(key_a_, &Stub::CommitPurchase, commit, &purchase).ok());
  v1::PurchaseByOrderRequest by_order;
  by_order.set_order_number(commit.order_number());
  grpc::Status status = Call(key_a_, &Stub::CancelPurchase, by_order, &purchase);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "LoyalClient cannot cancel a booked purchase");
  // Confirm of a purchase LoyalClient booked as final is already done.
  ASSERT_TRUE(Call(key_a_, &Stub::ConfirmPurchase, by_order, &purchase).ok());
  EXPECT_EQ(purchase.status(), v1::PURCHASE_STATUS_CONFIRMED);
}

}  // namespace
}  // namespace loyalty::broker

namespace loyalty::broker {
namespace {

v1::HoldPointsRequest HoldOf(const v1::QuoteCartResponse& quote, int64_t amount) {
  v1::HoldPointsRequest hold;
  hold.set_quote_id(quote.quote_id());
  hold.set_program("lc-main");
  hold.set_amount_centipoints(amount);
  return hold;
}

TEST_F(CheckoutTest, IdentifyingByAKindNoProgramSupportsIsAFailedPrecondition) {
  v1::IdentifyCustomerRequest request;
  request.mutable_customer()->set_email("ivan@example.ru");
  v1::IdentifyCustomerResponse response;
  grpc::Status status = Call(key_a_, &Stub::IdentifyCustomer, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_NE(status.error_message().find("LoyalClient cannot"), std::string::npos)
      << status.error_message();
}

TEST_F(CheckoutTest, ReleasingOneLoyalClientHoldDropsThemAllAsTheVendorDoes) {
  auto quote = Quote(key_a_, kIvanPhone);
  v1::HoldPointsResponse first, second, released_answer;
  ASSERT_TRUE(Call(key_a_, &Stub::HoldPoints, HoldOf(quote, 3000), &first).ok());
  ASSERT_TRUE(Call(key_a_, &Stub::HoldPoints, HoldOf(quote, 2000), &second).ok());
  EXPECT_EQ(simulator_->state().DescribeClient(kIvanId)["held_centipoints"], 5000);
  v1::ReleaseHoldRequest release;
  release.set_hold_id(first.hold_id());
  v1::ReleaseHoldResponse released;
  ASSERT_TRUE(Call(key_a_, &Stub::ReleaseHold, release, &released).ok());
  // The vendor's release dropped both: the broker's mirror follows.
  EXPECT_EQ(simulator_->state().DescribeClient(kIvanId)["held_centipoints"], 0);
  EXPECT_EQ(CountRows(absl::StrCat("SELECT count(*) FROM holds WHERE hold_id = '", second.hold_id(),
                                   "' AND status = 'active'")),
            0);
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_phone(kIvanPhone);
  v1::IdentifyCustomerResponse who;
  ASSERT_TRUE(Call(key_a_, &Stub::IdentifyCustomer, identify, &who).ok());
  ASSERT_EQ(who.accounts_size(), 1);
  EXPECT_EQ(who.accounts(0).available_centipoints(), Balance(*simulator_, kIvanId));
}

TEST_F(CheckoutTest, AQuoteBacksOnePurchase) {
  auto quote = Quote(key_a_, kIvanPhone);
  v1::PurchaseResponse first, second;
  ASSERT_TRUE(Call(key_a_, &Stub::CommitPurchase, Commit(quote, 0), &first).ok());
  const int64_t retails = RetailCount(*simulator_, kIvanId);
  const v1::CommitPurchaseRequest again = Commit(quote, 0);
  grpc::Status status = Call(key_a_, &Stub::CommitPurchase, again, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("already committed as order"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(RetailCount(*simulator_, kIvanId), retails);
  // The refused commit kept nothing: not its idempotency key, not a purchase.
  EXPECT_EQ(
      CountRows(absl::StrCat("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = '",
                             again.idempotency_key(), "'")),
      0);
  EXPECT_EQ(CountRows(absl::StrCat("SELECT count(*) FROM purchases WHERE order_number = '",
                                   again.order_number(), "'")),
            0);
  EXPECT_TRUE(first.complete());
}

}  // namespace
}  // namespace loyalty::broker
