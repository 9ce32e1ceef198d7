// A store whose program is Artix VirtualPOS, through the whole broker: real
// gRPC, a real PostgreSQL and the Artix simulator over HTTP on 127.0.0.1.
// Artix only calculates: its campaigns shape the quote and are recorded with
// the purchase; what it cannot do is refused precisely.

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "simulators/artix/server.h"
#include "tests/integration/simulator_stack_test.h"

namespace loyalty::broker {
namespace {

using simulator::artix::ArtixSimulator;
using Stub = v1::LoyaltyBroker::Stub;

constexpr char kCard[] = "1010";  // group "Карта клиента", earns 10%

class ArtixCheckoutTest : public testing::SimulatorStackTest<ArtixCheckoutTest, ArtixSimulator> {
 protected:
  static void SetUpTestSuite() {
    key_ = StoreKey("ax");
    StartStack("artix/data/artix-seed.json",
               [](int port) {
                 return absl::StrCat(
                     "stores:\n  - id: ax-", testing::RunId(),
                     "\n    api_keys: [{label: till, key: ", key_,
                     "}]\n    programs:\n      - code: ax-promo\n        vendor: artix\n",
                     "        base_url: http://127.0.0.1:", port, "\n",
                     "        settings: {cash_code: \"1\", shop_code: \"1\", shop_labels: "
                     "\"61fb8bcf81021504bbd255be\"}\n");
               },
               {});
  }

  template <typename Request, typename Response, typename Method>
  grpc::Status Call(Method method, const Request& request, Response* response) {
    return stack_->Call(key_, method, request, response);
  }

  // 3 yogurts at 89.90 (the third free: 33.33%), 0.333 kg of cheese at
  // 899.90/kg, coupon 2232 (13% on everything), card 1010.
  v1::QuoteCartResponse Quote() {
    v1::QuoteCartRequest request;
    request.mutable_customer()->set_card(kCard);
    request.add_coupons("2232");
    auto* yogurt = request.add_lines();
    yogurt->set_line_no(1);
    yogurt->set_sku("YOGURT");
    yogurt->set_barcode("4607001770015");
    yogurt->set_quantity_milli(3000);
    yogurt->set_unit_price_minor(8990);
    yogurt->set_min_unit_price_minor(5000);
    auto* cheese = request.add_lines();
    cheese->set_line_no(2);
    cheese->set_sku("CHEESE");
    cheese->set_barcode("2000000012345");
    cheese->set_quantity_milli(333);
    cheese->set_unit_price_minor(89990);
    cheese->set_min_unit_price_minor(50000);
    v1::QuoteCartResponse quote;
    grpc::Status status = Call(&Stub::QuoteCart, request, &quote);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return quote;
  }

  static v1::CommitPurchaseRequest CommitRequest(const v1::QuoteCartResponse& quote) {
    return testing::CommitRequest(quote.quote_id(), "AX");
  }

  static inline std::string key_;
};

TEST_F(ArtixCheckoutTest, IdentifiesACardWithItsGroupAndBalance) {
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_card(kCard);
  v1::IdentifyCustomerResponse customer;
  grpc::Status status = Call(&Stub::IdentifyCustomer, identify, &customer);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(customer.accounts_size(), 1);
  EXPECT_EQ(customer.accounts(0).vendor_customer_id(), kCard);
  EXPECT_EQ(customer.accounts(0).level().title(), "Карта клиента");
  EXPECT_EQ(customer.accounts(0).balance_centipoints(), 10514186);  // 105141.86 points
}

TEST_F(ArtixCheckoutTest, QuoteShowsEachCampaignPerLineNeverBelowTheMinimum) {
  v1::QuoteCartResponse quote = Quote();
  ASSERT_EQ(quote.lines_size(), 2);
  const auto& yogurt = quote.lines(0);
  const auto& cheese = quote.lines(1);
  EXPECT_EQ(yogurt.total_before_minor(), 26970);
  EXPECT_EQ(cheese.total_before_minor(), 29967);  // 0.333 x 899.90 = 299.6667
  // Coupon 13% (35.06) and the quantity campaign, stopped at the minimum.
  ASSERT_EQ(yogurt.discounts_size(), 2);
  EXPECT_EQ(yogurt.discounts(0).campaign_code(), "99");
  EXPECT_EQ(yogurt.discounts(0).campaign_name(), "Акция выходного дня");
  EXPECT_EQ(yogurt.discounts(0).coupon(), "2232");
  EXPECT_EQ(yogurt.discounts(0).amount_minor(), 3506);
  EXPECT_EQ(yogurt.discounts(1).campaign_code(), "100");
  EXPECT_EQ(yogurt.discounts(1).campaign_name(), "Третий йогурт в подарок");
  EXPECT_EQ(yogurt.discounts(1).coupon(), "");
  EXPECT_EQ(yogurt.total_minor(), yogurt.min_total_minor());
  ASSERT_EQ(cheese.discounts_size(), 1);
  EXPECT_EQ(cheese.discounts(0).amount_minor(), 3895);
  EXPECT_EQ(quote.discount_minor(), 11970 + 3895);
  // Artix calculates card bonuses (10% of 150.00 and of 260.72 to earn) but
  // books nothing: no commit could give or take them, so none are offered.
  EXPECT_EQ(quote.earn_centipoints(), 0);
  EXPECT_EQ(quote.spendable_centipoints(), 0);
  ASSERT_EQ(quote.programs_size(), 1);
  EXPECT_NE(quote.programs(0).explanation().find("points not offered"), std::string::npos)
      << quote.programs(0).explanation();
}

TEST_F(ArtixCheckoutTest, CommittedPurchaseRecordsWhichCampaignGaveWhat) {
  v1::QuoteCartResponse quote = Quote();
  auto request = CommitRequest(quote);
  v1::PurchaseResponse purchase;
  grpc::Status status = Call(&Stub::CommitPurchase, request, &purchase);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(purchase.status(), v1::PURCHASE_STATUS_CONFIRMED);  // nothing to book anywhere
  EXPECT_EQ(purchase.discount_minor(), quote.discount_minor());

  v1::PurchaseByOrderRequest get;
  get.set_order_number(request.order_number());
  v1::PurchaseResponse stored;
  ASSERT_TRUE(Call(&Stub::GetPurchase, get, &stored).ok());
  ASSERT_EQ(stored.lines_size(), 2);
  ASSERT_EQ(stored.lines(0).discounts_size(), 2);
  EXPECT_EQ(stored.lines(0).discounts(1).campaign_name(), "Третий йогурт в подарок");
  EXPECT_EQ(stored.lines(0).discounts(0).coupon(), "2232");
  EXPECT_EQ(stored.lines(0).discounts(1).program(), "ax-promo");

  EXPECT_EQ(testing::QueryInt(absl::StrCat(
                "SELECT count(*) FROM purchase_line_discounts d JOIN purchases p USING "
                "(purchase_id) WHERE p.order_number = '",
                request.order_number(), "'")),
            3);
  EXPECT_GE(testing::QueryInt(absl::StrCat(
                "SELECT coalesce(sum(discount_minor), 0) FROM daily_campaign_discounts "
                "WHERE store_id = 'ax-",
                testing::RunId(), "' AND campaign_code = '100'")),
            8464);
}

TEST_F(ArtixCheckoutTest, WhatArtixCannotDoIsPreciselyRefused) {
  v1::QuoteCartResponse quote = Quote();
  auto spend = CommitRequest(quote);
  auto* s = spend.add_spend();
  s->set_program("ax-promo");
  s->set_amount_centipoints(1000);
  v1::PurchaseResponse ignored;
  grpc::Status status = Call(&Stub::CommitPurchase, spend, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("Artix VirtualPOS"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(testing::QueryInt(absl::StrCat("SELECT count(*) FROM purchases WHERE order_number = '",
                                           spend.order_number(), "'")),
            0);

  auto plain = CommitRequest(quote);
  v1::PurchaseResponse purchase;
  ASSERT_TRUE(Call(&Stub::CommitPurchase, plain, &purchase).ok());
  v1::PurchaseByOrderRequest cancel;
  cancel.set_order_number(plain.order_number());
  status = Call(&Stub::CancelPurchase, cancel, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "Artix VirtualPOS cannot cancel a booked purchase");

  v1::HoldPointsRequest hold;
  hold.set_quote_id(quote.quote_id());
  hold.set_program("ax-promo");
  hold.set_amount_centipoints(1000);
  v1::HoldPointsResponse held;
  status = Call(&Stub::HoldPoints, hold, &held);
  // Points no commit could spend are not held either.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("does not book purchases"), std::string::npos)
      << status.error_message();
}

}  // namespace
}  // namespace loyalty::broker
