#include "broker/core/cart_math.h"

#include <gtest/gtest.h>

namespace loyalty::broker {
namespace {

connectors::LineDiscount Given(int32_t line_no, int64_t amount_minor, const char* campaign) {
  connectors::LineDiscount d;
  d.line_no = line_no;
  d.amount_minor = amount_minor;
  d.campaign_name = campaign;
  return d;
}

TEST(CartMath, BalanceAfterCountsEarnedPointsOnlyOnceCredited) {
  connectors::BookResult booked;
  booked.spent_centipoints = 3000;
  booked.earned_centipoints = 500;
  booked.confirmed = false;  // SailPlay before its confirm
  EXPECT_EQ(BalanceAfterBooking(10000, booked), 7000);
  booked.confirmed = true;
  EXPECT_EQ(BalanceAfterBooking(10000, booked), 7500);
  EXPECT_FALSE(BalanceAfterBooking(std::nullopt, booked).has_value());
  // A vendor's figure no account holds is not printed (nor summed past 64 bits).
  EXPECT_FALSE(BalanceAfterBooking(-1, booked).has_value());
  EXPECT_FALSE(BalanceAfterBooking(INT64_MAX, booked).has_value());
}

TEST(CartMath, MergedDiscountsNeverGoBelowTheLinesFloor) {
  std::vector<QuoteLineRecord> lines(1);
  lines[0].line.line_no = 1;
  lines[0].line.unit_price_minor = 3800;
  lines[0].line.min_unit_price_minor = 3000;
  lines[0].line.quantity_milli = 5000;
  PriceLines(lines);
  EXPECT_EQ(lines[0].line.total_before_minor, 19000);
  EXPECT_EQ(lines[0].line.min_total_minor, 15000);
  EXPECT_EQ(MergeDiscounts(lines, 1, {Given(1, 1300, "weekend")}), 1300);
  // Only 2700 of room remain above the floor.
  EXPECT_EQ(MergeDiscounts(lines, 2, {Given(1, 5000, "thanks")}), 2700);
  EXPECT_EQ(lines[0].line.discount_minor, 4000);
  EXPECT_EQ(MergeDiscounts(lines, 3, {Given(1, 100, "more")}), 0);
  EXPECT_EQ(lines[0].discounts.size(), 2u);
}

TEST(CartMath, WeighedGoodsRoundHalfUp) {
  EXPECT_EQ(LineTotal(129900, 350), 45465);
  EXPECT_EQ(LineTotal(999, 333), 333);  // 332.667 -> 333
}

std::vector<QuoteProgramRecord> Limits(std::initializer_list<int64_t> spendable) {
  std::vector<QuoteProgramRecord> programs;
  for (int64_t s : spendable) {
    QuoteProgramRecord program;
    program.spendable_centipoints = s;
    programs.push_back(program);
  }
  return programs;
}

TEST(CartMath, PointsAreCutToWhatIsLeftToPayInProgramOrder) {
  auto programs = Limits({30000, 50000, 10000});
  EXPECT_EQ(CapPointsToWhatIsLeftToPay(programs, 60000), 60000);
  EXPECT_EQ(programs[0].spendable_centipoints, 30000);  // first in order keeps its limit
  EXPECT_EQ(programs[1].spendable_centipoints, 30000);  // only what is left
  EXPECT_EQ(programs[2].spendable_centipoints, 0);
}

TEST(CartMath, PointsUnderTheTotalKeepEachProgramsLimit) {
  auto programs = Limits({100, 0, 250});
  EXPECT_EQ(CapPointsToWhatIsLeftToPay(programs, 1000), 350);
  EXPECT_EQ(programs[2].spendable_centipoints, 250);
}

}  // namespace
}  // namespace loyalty::broker
