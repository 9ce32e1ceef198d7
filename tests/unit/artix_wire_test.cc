// Artix VirtualPOS wire conversions against the vendor document's own
// example request and answer.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "connectors/artix/wire.h"
#include "tests/unit/fixture.h"

namespace loyalty::connectors::artix {
namespace {

using nlohmann::json;

// The document's example check: 5 x 38.00, minimum 30.00, card 1010, coupon 2232.
CheckRequest DocumentCheck() {
  CheckRequest check;
  check.cash_code = "1";
  check.shop_code = "1";
  check.shop_labels = {"61fb8bcf81021504bbd255be", "628db2d7742703049d07cf8a"};
  check.identifier = "c4h1k7vnw56psuv8fz12";
  Line line;
  line.line_no = 1;
  line.barcode = "4600605000991";
  line.min_unit_price_minor = 3000;
  line.unit_price_minor = 3800;
  line.quantity_milli = 5000;
  check.lines = {line};
  check.cards = {"1010"};
  check.coupons = {"2232"};
  return check;
}

TEST(ArtixWire, RequestIsTheDocumentsExample) {
  EXPECT_EQ(json::parse(CalculateDiscountBody(DocumentCheck())),
            json::parse(Fixture("artix/calculatediscount_request.json")));
}

TEST(ArtixWire, WeighedGoodsGoOutAsExactDecimals) {
  CheckRequest check = DocumentCheck();
  check.lines[0].quantity_milli = 333;  // 0.333 kg
  check.lines[0].unit_price_minor = 89990;
  const std::string body = CalculateDiscountBody(check);
  EXPECT_NE(body.find(R"("price":899.9,"quant":0.333)"), std::string::npos) << body;
}

TEST(ArtixWire, ParsesTheDocumentsAnswer) {
  auto outcome =
      ParseCalculateDiscount(200, Fixture("artix/calculatediscount_answer.json"), DocumentCheck());
  ASSERT_TRUE(outcome.approved()) << outcome.failure().message;
  const CheckResult& r = outcome.value();
  ASSERT_EQ(r.cards.size(), 1u);
  EXPECT_EQ(r.cards[0].number, "1010");
  EXPECT_EQ(r.cards[0].bonus_balance_centipoints, 10514186);
  EXPECT_EQ(r.cards[0].card_group_name, "Карта клиента");
  EXPECT_EQ(r.points_for_earn_centipoints, 1500);
  EXPECT_EQ(r.points_for_spend_centipoints, 7500);
  EXPECT_EQ(r.sum_minor, 15000);
  ASSERT_EQ(r.positions.size(), 1u);
  const PositionResult& p = r.positions[0];
  EXPECT_EQ(p.sum_without_discounts_minor, 19000);
  EXPECT_EQ(p.sum_minor, 15000);
  ASSERT_EQ(p.discounts.size(), 2u);
  EXPECT_EQ(p.discounts[0].campaign_code, 99);
  EXPECT_EQ(p.discounts[0].amount_minor, 1300);
  EXPECT_EQ(p.discounts[0].campaign_name, "Акция выходного дня");
  EXPECT_EQ(p.discounts[0].coupon_number, "2232");
  EXPECT_EQ(p.discounts[1].amount_minor, 2700);
  EXPECT_EQ(p.discounts[1].campaign_code, 100);
  EXPECT_EQ(p.discounts[1].campaign_name, "Спасибо за покупку");
  EXPECT_TRUE(p.discounts[1].coupon_number.empty());
  EXPECT_EQ(p.earned_centipoints, 1500);
}

TEST(ArtixWire, UnroundedDoublesOfWeighedGoodsRoundToTheKopeck) {
  json answer = json::parse(Fixture("artix/calculatediscount_answer.json"));
  auto& p = answer["positions"][0];
  p["sumWithoutDiscounts"] = 29.9367;
  p["discounts"][0]["discountsum"] = 2.99367;
  p["discounts"].erase(1);
  p["sum"] = 26.94303;
  answer["sum"] = 26.94303;
  auto outcome = ParseCalculateDiscount(200, answer.dump(), DocumentCheck());
  ASSERT_TRUE(outcome.approved()) << outcome.failure().message;
  EXPECT_EQ(outcome.value().positions[0].sum_without_discounts_minor, 2994);
  EXPECT_EQ(outcome.value().positions[0].discounts[0].amount_minor, 299);
}

TEST(ArtixWire, AnswersThatDoNotAddUpAreFailures) {
  const json base = json::parse(Fixture("artix/calculatediscount_answer.json"));
  json above = base;
  above["positions"][0]["discounts"][1]["discountsum"] = 200.0;  // above the 190.00 price
  json wrong_sum = base;
  wrong_sum["positions"][0]["sum"] = 160.0;
  json negative = base;
  negative["positions"][0]["discounts"][0]["discountsum"] = -13.0;
  json missing_position = base;
  missing_position["positions"] = json::array();
  for (const json& bad : {above, wrong_sum, negative, missing_position}) {
    auto outcome = ParseCalculateDiscount(200, bad.dump(), DocumentCheck());
    ASSERT_TRUE(outcome.failed()) << bad.dump();
    EXPECT_FALSE(outcome.failure().maybe_applied);  // a calculation changes nothing
  }
}

TEST(ArtixWire, ErrorObjectsAndNonJsonAreFailuresWithTheVendorsWords) {
  auto error = ParseCalculateDiscount(
      400, R"({"error":"Bad Request","message":"positions is required"})", DocumentCheck());
  ASSERT_TRUE(error.failed());
  EXPECT_NE(error.failure().message.find("positions is required"), std::string::npos);
  EXPECT_TRUE(ParseCalculateDiscount(200, "<html>gateway</html>", DocumentCheck()).failed());
}

}  // namespace
}  // namespace loyalty::connectors::artix
