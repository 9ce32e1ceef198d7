// A store whose program is SailPlay, through the whole broker: real gRPC, a
// real PostgreSQL and the SailPlay simulator over HTTP on 127.0.0.1.

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "simulators/sailplay/server.h"
#include "tests/integration/simulator_stack_test.h"

namespace loyalty::broker {
namespace {

using simulator::sailplay::SailPlaySimulator;
using Stub = v1::LoyaltyBroker::Stub;

constexpr int64_t kIvan = 340774;  // 500 confirmed points
constexpr char kIvanPhone[] = "79201234567";
constexpr int64_t kTatiana = 340776;  // 40 confirmed points
constexpr char kTatianaPhone[] = "79161230005";
constexpr char kPetrPhone[] = "79990000003";

class SailPlayCheckoutTest
    : public testing::SimulatorStackTest<SailPlayCheckoutTest, SailPlaySimulator> {
 protected:
  static void SetUpTestSuite() {
    key_ = StoreKey("sp");
    StartStack("sailplay/data/sailplay-seed.json",
               [](int port) {
                 return absl::StrCat(
                     "stores:\n  - id: sp-", testing::RunId(),
                     "\n    api_keys: [{label: till, key: ", key_,
                     "}]\n    programs:\n      - code: sp-main\n        vendor: sailplay\n",
                     "        base_url: http://127.0.0.1:", port, "\n",
                     "        settings: {store_department_id: \"219\"}\n",
                     "        credentials: {store_department_key: \"${SP_KEY}\", pin_code: "
                     "\"${SP_PIN}\"}\n");
               },
               {{"SP_KEY", "sp-demo-department-key-219"}, {"SP_PIN", "104443"}});
  }

  template <typename Request, typename Response, typename Method>
  grpc::Status Call(Method method, const Request& request, Response* response) {
    return stack_->Call(key_, method, request, response);
  }

  // Milk (dairy: -20% action, 10% points) for `rubles` per liter, 2 liters.
  v1::QuoteCartResponse Quote(const std::string& phone, int64_t unit_minor) {
    v1::QuoteCartRequest request;
    request.mutable_customer()->set_phone(phone);
    auto* line = request.add_lines();
    line->set_line_no(1);
    line->set_sku("MILK-1L");
    line->set_quantity_milli(2000);
    line->set_unit_price_minor(unit_minor);
    v1::QuoteCartResponse quote;
    grpc::Status status = Call(&Stub::QuoteCart, request, &quote);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return quote;
  }

  v1::PurchaseResponse Commit(const v1::QuoteCartResponse& quote, int64_t spend,
                              grpc::Status* status_out = nullptr) {
    const auto request = testing::CommitRequest(quote.quote_id(), "SP", "sp-main", spend);
    v1::PurchaseResponse purchase;
    grpc::Status status = Call(&Stub::CommitPurchase, request, &purchase);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return purchase;
  }

  v1::PurchaseResponse ByOrder(decltype(&Stub::GetPurchase) method, const std::string& order,
                               grpc::Status* status_out = nullptr) {
    v1::PurchaseByOrderRequest request;
    request.set_order_number(order);
    v1::PurchaseResponse purchase;
    grpc::Status status = Call(method, request, &purchase);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return purchase;
  }

  static int64_t Confirmed(int64_t user) {
    return simulator_->state().DescribeUser(user)["points"]["confirmed"].get<int64_t>();
  }

  static int64_t Journalled(const std::string& order, const std::string& operation) {
    stack_->FlushJournal();
    return testing::QueryInt(absl::StrCat(
        "SELECT count(*) FROM vendor_operations o JOIN purchases p USING (purchase_id) "
        "WHERE p.order_number = '",
        order, "' AND o.operation = '", operation, "' AND o.outcome = 'approved'"));
  }

  static inline std::string key_;
};

TEST_F(SailPlayCheckoutTest, QuoteCarriesTheVendorsPricesPointsAndCart) {
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_phone(kIvanPhone);
  v1::IdentifyCustomerResponse customer;
  ASSERT_TRUE(Call(&Stub::IdentifyCustomer, identify, &customer).ok());
  ASSERT_EQ(customer.accounts_size(), 1);
  EXPECT_EQ(customer.accounts(0).vendor_customer_id(), std::to_string(kIvan));
  EXPECT_EQ(customer.accounts(0).balance_centipoints(), Confirmed(kIvan) * 100);

  v1::QuoteCartResponse quote = Quote(kIvanPhone, 10000);  // 2 x 100.00
  EXPECT_EQ(quote.total_before_minor(), 20000);
  EXPECT_EQ(quote.discount_minor(), 4000);  // dairy week: -20%
  EXPECT_EQ(quote.total_minor(), 16000);
  ASSERT_EQ(quote.lines(0).discounts_size(), 1);
  EXPECT_EQ(quote.lines(0).discounts(0).campaign_name(), "dairy-week");
  EXPECT_EQ(quote.lines(0).discounts(0).campaign_code(), "dairy-week");
  EXPECT_EQ(quote.earn_centipoints(), 1600);       // 10% of 160.00
  EXPECT_EQ(quote.spendable_centipoints(), 8000);  // half of 160.00
  // The vendor's words for the customer and the receipt, each in its field.
  ASSERT_EQ(quote.programs_size(), 1);
  EXPECT_EQ(quote.programs(0).customer_message(), "-20% на молочные продукты");
  ASSERT_EQ(quote.programs(0).receipt_texts_size(), 1);
  EXPECT_EQ(quote.programs(0).receipt_texts(0), "Молочная неделя: скидка 20%");
  EXPECT_EQ(quote.programs(0).explanation().find("-20%"), std::string::npos)
      << quote.programs(0).explanation();
}

TEST_F(SailPlayCheckoutTest, CommitThenConfirmShowsBothStates) {
  const int64_t before = Confirmed(kIvan);
  auto purchase = Commit(Quote(kIvanPhone, 10000), 0);
  EXPECT_EQ(purchase.status(), v1::PURCHASE_STATUS_BOOKED);
  EXPECT_EQ(purchase.earned_centipoints(), 1600);
  ASSERT_EQ(purchase.programs_size(), 1);
  EXPECT_FALSE(purchase.programs(0).vendor_reference().empty());
  EXPECT_EQ(Confirmed(kIvan), before);  // unconfirmed points are not spendable yet
  // Balance after: the quote's confirmed points; the 16 earned are not yet.
  ASSERT_TRUE(purchase.programs(0).has_balance_after_centipoints());
  EXPECT_EQ(purchase.programs(0).balance_after_centipoints(), before * 100);
  EXPECT_EQ(purchase.programs(0).last_operation(), v1::PURCHASE_OPERATION_BOOK);

  const std::string order = purchase.order_number();
  EXPECT_EQ(ByOrder(&Stub::GetPurchase, order).status(), v1::PURCHASE_STATUS_BOOKED);
  const v1::PurchaseResponse confirmed = ByOrder(&Stub::ConfirmPurchase, order);
  EXPECT_EQ(confirmed.status(), v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_EQ(confirmed.programs(0).status(), v1::PROGRAM_PURCHASE_STATUS_APPROVED);
  EXPECT_EQ(confirmed.programs(0).last_operation(), v1::PURCHASE_OPERATION_CONFIRM);
  EXPECT_EQ(ByOrder(&Stub::GetPurchase, order).status(), v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_EQ(Confirmed(kIvan), before + 16);
  // Once confirmed, the points earned count: what the vendor itself says now.
  EXPECT_EQ(confirmed.programs(0).balance_after_centipoints(), Confirmed(kIvan) * 100);
  EXPECT_EQ(Journalled(order, "book"), 1);
  EXPECT_EQ(Journalled(order, "confirm"), 1);
}

TEST_F(SailPlayCheckoutTest, SpendsPointsOnTheCart) {
  const int64_t before = Confirmed(kIvan);
  auto purchase = Commit(Quote(kIvanPhone, 10000), 3000);  // 30 points
  EXPECT_EQ(purchase.spent_centipoints(), 3000);
  EXPECT_EQ(purchase.paid_minor(), 16000 - 3000);
  EXPECT_EQ(purchase.earned_centipoints(), 1300);  // 10% of the 130.00 paid in money
  EXPECT_EQ(Confirmed(kIvan), before - 30);
  EXPECT_EQ(purchase.programs(0).balance_after_centipoints(), Confirmed(kIvan) * 100);
}

TEST_F(SailPlayCheckoutTest, CancelRestoreAndReassignAreJournalled) {
  auto purchase = Commit(Quote(kIvanPhone, 10000), 0);
  const std::string order = purchase.order_number();
  EXPECT_EQ(ByOrder(&Stub::CancelPurchase, order).status(), v1::PURCHASE_STATUS_CANCELLED);
  EXPECT_EQ(ByOrder(&Stub::RestorePurchase, order).status(), v1::PURCHASE_STATUS_BOOKED);

  v1::ReassignPurchaseRequest reassign;
  reassign.set_order_number(order);
  reassign.mutable_customer()->set_phone(kPetrPhone);
  v1::PurchaseResponse moved;
  grpc::Status status = Call(&Stub::ReassignPurchase, reassign, &moved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(moved.programs_size(), 1);
  EXPECT_EQ(moved.programs(0).vendor_customer_id(), "340775");
  EXPECT_EQ(ByOrder(&Stub::GetPurchase, order).programs(0).vendor_customer_id(), "340775");

  EXPECT_EQ(Journalled(order, "cancel"), 1);
  EXPECT_EQ(Journalled(order, "restore"), 1);
  EXPECT_EQ(Journalled(order, "reassign"), 1);
}

TEST_F(SailPlayCheckoutTest, CancelIsRefusedOnceThePointsAreSpent) {
  // Tatiana earns 40 points on 2 x 250.00 of milk (400.00 after the action),
  // confirms, then spends all her points, those included.
  auto earned = Commit(Quote(kTatianaPhone, 25000), 0);
  ASSERT_EQ(earned.earned_centipoints(), 4000);
  ASSERT_EQ(ByOrder(&Stub::ConfirmPurchase, earned.order_number()).status(),
            v1::PURCHASE_STATUS_CONFIRMED);
  const int64_t all = Confirmed(kTatiana);
  auto spent = Commit(Quote(kTatianaPhone, 25000), all * 100);
  ASSERT_EQ(spent.spent_centipoints(), all * 100);
  ASSERT_EQ(Confirmed(kTatiana), 0);

  grpc::Status status;
  ByOrder(&Stub::CancelPurchase, earned.order_number(), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("-3001"), std::string::npos) << status.error_message();
  EXPECT_NE(status.error_message().find("Impossible to delete purchase"), std::string::npos);
  EXPECT_EQ(ByOrder(&Stub::GetPurchase, earned.order_number()).status(),
            v1::PURCHASE_STATUS_CONFIRMED);
  EXPECT_EQ(Confirmed(kTatiana), 0);
}

TEST_F(SailPlayCheckoutTest, ALedgerHoldNeverOutlivesItsQuote) {
  v1::QuoteCartResponse quote = Quote(kIvanPhone, 10000);
  const int64_t quote_left = quote.expires_at().seconds() - absl::ToUnixSeconds(absl::Now());
  v1::HoldPointsRequest request;
  request.set_quote_id(quote.quote_id());
  request.set_program("sp-main");
  request.set_amount_centipoints(1000);
  request.set_ttl_seconds(24 * 3600);  // a day, on a quote of minutes
  v1::HoldPointsResponse hold;
  grpc::Status status = Call(&Stub::HoldPoints, request, &hold);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("ttl_seconds: at most"), std::string::npos)
      << status.error_message();
  // The program's default is cut to the quote's life, and said so.
  request.set_ttl_seconds(0);
  ASSERT_TRUE(Call(&Stub::HoldPoints, request, &hold).ok());
  EXPECT_LE(hold.expires_at().seconds(), quote.expires_at().seconds());
  EXPECT_GE(hold.expires_at().seconds(),
            absl::ToUnixSeconds(absl::Now()) + std::min<int64_t>(quote_left, 600) - 5);
}

TEST_F(SailPlayCheckoutTest, LedgerHoldsExpireByThemselves) {
  v1::QuoteCartResponse quote = Quote(kIvanPhone, 10000);
  v1::HoldPointsRequest request;
  request.set_quote_id(quote.quote_id());
  request.set_program("sp-main");
  request.set_amount_centipoints(1000);
  request.set_ttl_seconds(1);
  v1::HoldPointsResponse hold;
  grpc::Status status = Call(&Stub::HoldPoints, request, &hold);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string row = absl::StrCat("SELECT count(*) FROM holds WHERE hold_id = '",
                                       hold.hold_id(), "' AND status = ");
  EXPECT_EQ(testing::QueryInt(row + "'active'"), 1);
  // The maintenance worker runs every second in tests; the row itself
  // changes, not only how it reads.
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (testing::QueryInt(row + "'expired'") == 0 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(testing::QueryInt(row + "'expired'"), 1);
}

}  // namespace
}  // namespace loyalty::broker

namespace loyalty::broker {
namespace {

TEST_F(SailPlayCheckoutTest, PointsHeldForOneTillAreNotSpentByAnother) {
  // Tatiana has 40 points. Till A holds 30 of them; till B, quoted after,
  // is offered 10 and can neither commit 40 nor hold 20.
  auto till_a = Quote(kTatianaPhone, 25000);
  ASSERT_GE(till_a.spendable_centipoints(), 4000);
  v1::HoldPointsRequest hold;
  hold.set_quote_id(till_a.quote_id());
  hold.set_program("sp-main");
  hold.set_amount_centipoints(3000);
  v1::HoldPointsResponse held;
  ASSERT_TRUE(Call(&Stub::HoldPoints, hold, &held).ok());
  auto till_b = Quote(kTatianaPhone, 25000);
  EXPECT_EQ(till_b.spendable_centipoints(), 1000);
  grpc::Status status;
  Commit(till_b, 4000, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  v1::HoldPointsRequest second = hold;
  second.set_quote_id(till_b.quote_id());
  second.set_amount_centipoints(2000);
  v1::HoldPointsResponse refused;
  EXPECT_EQ(Call(&Stub::HoldPoints, second, &refused).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // Till A commits its 30 with its hold.
  auto request = testing::CommitRequest(till_a.quote_id(), "SP", "sp-main", 3000);
  request.add_hold_ids(held.hold_id());
  v1::PurchaseResponse purchase;
  grpc::Status a = Call(&Stub::CommitPurchase, request, &purchase);
  EXPECT_TRUE(a.ok()) << a.error_message();
  EXPECT_EQ(purchase.spent_centipoints(), 3000);
}

}  // namespace
}  // namespace loyalty::broker

namespace loyalty::broker {
namespace {

// Changes SailPlay's records behind the broker's back, as another system or
// a person at the vendor would.
void DeleteAtVendor(SailPlaySimulator& sim, const std::string& order) {
  using Params = simulator::sailplay::Params;
  auto login = sim.state().Login(Params{{"store_department_id", "219"},
                                        {"store_department_key", "sp-demo-department-key-219"},
                                        {"pin_code", "104443"}});
  const std::string token = login.body["token"];
  auto deleted = sim.state().Delete(
      Params{{"token", token}, {"store_department_id", "219"}, {"order_num", order}});
  ASSERT_EQ(deleted.body["status"], "ok") << deleted.body.dump();
}

// Runs passes until this purchase was compared (other tests' purchases
// share the database and the batches).
void ReconcileUntilCompared(testing::BrokerStack& stack, const std::string& order) {
  const std::string compared = absl::StrCat("SELECT count(*) FROM purchases WHERE order_number = '",
                                            order, "' AND reconciled_at IS NOT NULL");
  for (int i = 0; i < 50 && testing::QueryInt(compared) == 0; ++i) {
    ASSERT_TRUE(stack.Reconcile().ok());
  }
  ASSERT_EQ(testing::QueryInt(compared), 1);
}

int64_t OpenMismatches(const std::string& order, const std::string& kind) {
  return testing::QueryInt(absl::StrCat(
      "SELECT count(*) FROM reconciliation_mismatches m JOIN purchases p USING (purchase_id) "
      "WHERE p.order_number = '",
      order, "' AND m.kind = '", kind, "' AND m.resolved_at IS NULL"));
}

TEST_F(SailPlayCheckoutTest, ReconciliationFindsWhatTheVendorRecordsDifferently) {
  auto purchase = Commit(Quote(kIvanPhone, 10000), 0);
  const std::string order = purchase.order_number();
  ByOrder(&Stub::ConfirmPurchase, order);
  ReconcileUntilCompared(*stack_, order);
  EXPECT_EQ(testing::QueryInt(
                absl::StrCat("SELECT count(*) FROM reconciliation_mismatches m JOIN purchases p "
                             "USING (purchase_id) WHERE p.order_number = '",
                             order, "'")),
            0)
      << "the vendor agrees: nothing to record";

  DeleteAtVendor(*simulator_, order);
  ASSERT_EQ(testing::ExecuteSql(absl::StrCat(
                "UPDATE purchases SET reconciled_at = NULL WHERE order_number = '", order, "'")),
            1);
  ReconcileUntilCompared(*stack_, order);
  EXPECT_EQ(OpenMismatches(order, "missing_at_vendor"), 1);
  // The broker's record is left as it was: a person decides.
  EXPECT_EQ(ByOrder(&Stub::GetPurchase, order).status(), v1::PURCHASE_STATUS_CONFIRMED);
}

TEST_F(SailPlayCheckoutTest, ReconciliationSettlesABookingInDoubtByTheVendorsAnswer) {
  auto purchase = Commit(Quote(kIvanPhone, 10000), 0);
  const std::string order = purchase.order_number();
  ASSERT_EQ(purchase.programs_size(), 1);
  const int64_t earned = purchase.programs(0).earned_centipoints();
  ASSERT_GT(earned, 0);
  // As if the booking's answer had been lost: in doubt, nothing earned, and
  // not yet compared. One statement: a background pass may have compared
  // the purchase already, and must not see half of the change.
  ASSERT_EQ(
      testing::ExecuteSql(absl::StrCat(
          "WITH p AS (UPDATE purchases SET reconciled_at = NULL WHERE order_number = '", order,
          "' RETURNING purchase_id) UPDATE purchase_programs SET status = 'in_doubt', "
          "reason = 'answer lost', earned_centipoints = 0 "
          "WHERE purchase_id = (SELECT purchase_id FROM p)")),
      1);
  ReconcileUntilCompared(*stack_, order);
  auto settled = ByOrder(&Stub::GetPurchase, order);
  ASSERT_EQ(settled.programs_size(), 1);
  EXPECT_EQ(settled.programs(0).status(), v1::PROGRAM_PURCHASE_STATUS_APPROVED);
  EXPECT_EQ(settled.programs(0).earned_centipoints(), earned);
  EXPECT_EQ(settled.earned_centipoints(), earned);
  EXPECT_EQ(testing::QueryInt(absl::StrCat(
                "SELECT count(*) FROM reconciliation_mismatches m JOIN purchases p "
                "USING (purchase_id) WHERE p.order_number = '",
                order, "' AND m.kind = 'in_doubt_settled' AND m.resolved_at IS NOT NULL")),
            1);
}

}  // namespace
}  // namespace loyalty::broker
