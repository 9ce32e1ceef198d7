#include "broker/api/validation.h"

#include <gtest/gtest.h>

#include "broker/common/error_reasons.h"
#include "broker/common/status_details.h"
#include "google/rpc/error_details.pb.h"

namespace loyalty::broker {
namespace {

v1::QuoteCartRequest GoodCart() {
  v1::QuoteCartRequest request;
  auto* line = request.add_lines();
  line->set_line_no(1);
  line->set_sku("A");
  line->set_quantity_milli(1000);
  line->set_unit_price_minor(100);
  return request;
}

void ExpectField(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().substr(0, field.size()), field) << status.message();
}

TEST(Validation, CartErrorsNameTheField) {
  EXPECT_TRUE(Validate(GoodCart()).ok());
  ExpectField(Validate(v1::QuoteCartRequest()), "lines");
  auto negative = GoodCart();
  negative.mutable_lines(0)->set_unit_price_minor(-5);
  ExpectField(Validate(negative), "lines[0].unit_price_minor");
  auto zero_quantity = GoodCart();
  zero_quantity.mutable_lines(0)->set_quantity_milli(0);
  ExpectField(Validate(zero_quantity), "lines[0].quantity_milli");
  auto floor_above = GoodCart();
  floor_above.mutable_lines(0)->set_min_unit_price_minor(101);
  ExpectField(Validate(floor_above), "lines[0].min_unit_price_minor");
}

TEST(Validation, EveryBadFieldIsReportedNotOnlyTheFirst) {
  v1::CommitPurchaseRequest commit;  // no key, no order, no quote
  auto* spend = commit.add_spend();
  spend->set_program("lc");
  spend->set_amount_centipoints(0);
  const absl::Status status = Validate(commit);
  ExpectField(status, "idempotency_key");
  for (const char* field : {"order_number", "quote_id", "spend[0].amount_centipoints"}) {
    EXPECT_NE(status.message().find(field), std::string::npos) << status.message();
  }
  EXPECT_EQ(ReasonOf(status), "INVALID_REQUEST");
  auto bad = DetailOf<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations_size(), 4);
  EXPECT_EQ(bad->field_violations(0).field(), "idempotency_key");
}

TEST(Validation, NulInsideABarcodeIsRefusedNotTruncated) {
  auto cart = GoodCart();
  cart.mutable_lines(0)->set_barcode(
      std::string("460\0"
                  "123",
                  7));
  ExpectField(Validate(cart), "lines[0].barcode");
}

TEST(Validation, CommitNeedsKeyOrderAndQuote) {
  v1::CommitPurchaseRequest commit;
  ExpectField(Validate(commit), "idempotency_key");
  commit.set_idempotency_key("k");
  ExpectField(Validate(commit), "order_number");
  commit.set_order_number("o");
  ExpectField(Validate(commit), "quote_id");
  commit.set_quote_id("q");
  auto* spend = commit.add_spend();
  spend->set_program("lc");
  spend->set_amount_centipoints(-1);
  ExpectField(Validate(commit), "spend[0].amount_centipoints");
}

TEST(Validation, CustomerNeedsOneIdentifier) {
  v1::IdentifyCustomerRequest request;
  ExpectField(Validate(request), "customer");
  request.mutable_customer()->set_phone("12ab");
  ExpectField(Validate(request), "customer.phone");
}

TEST(Validation, AmountsThatWouldOverflowAreRefusedNamingTheField) {
  // Ten lines of 10^18 kopecks would wrap a 64-bit sum.
  v1::QuoteCartRequest huge;
  for (int i = 0; i < 10; ++i) {
    auto* line = huge.add_lines();
    line->set_line_no(i + 1);
    line->set_sku("A");
    line->set_quantity_milli(1'000'000'000);
    line->set_unit_price_minor(1'000'000'000'000);
  }
  ExpectField(Validate(huge), "lines[0]");
  // Lines each within bounds whose sum is not.
  v1::QuoteCartRequest many;
  for (int i = 0; i < 20; ++i) {
    auto* line = many.add_lines();
    line->set_line_no(i + 1);
    line->set_sku("A");
    line->set_quantity_milli(100'000'000);
    line->set_unit_price_minor(1'000'000'000'000);
  }
  ExpectField(Validate(many), "lines");

  v1::CommitPurchaseRequest commit;
  commit.set_idempotency_key("k");
  commit.set_order_number("o");
  commit.set_quote_id("q");
  for (const char* program : {"a", "b"}) {
    auto* spend = commit.add_spend();
    spend->set_program(program);
    spend->set_amount_centipoints(INT64_MAX);
  }
  ExpectField(Validate(commit), "spend[0].amount_centipoints");
}

}  // namespace
}  // namespace loyalty::broker
