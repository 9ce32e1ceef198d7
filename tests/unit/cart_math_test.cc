#include "broker/core/cart_math.h"

#include <gtest/gtest.h>

namespace loyalty::broker {
namespace {

TEST(CartMath, MergedDiscountsNeverGoBelowTheLinesFloor) {
  std::vector<QuoteLineRecord> lines(1);
  lines[0].line.line_no = 1;
  lines[0].line.unit_price_minor = 3800;
  lines[0].line.min_unit_price_minor = 3000;
  lines[0].line.quantity_milli = 5000;
  PriceLines(lines);
  EXPECT_EQ(lines[0].line.total_before_minor, 19000);
  EXPECT_EQ(lines[0].line.min_total_minor, 15000);
  EXPECT_EQ(MergeDiscounts(lines, 1, {{1, "weekend", 1300}}), 1300);
  // Only 2700 of room remain above the floor.
  EXPECT_EQ(MergeDiscounts(lines, 2, {{1, "thanks", 5000}}), 2700);
  EXPECT_EQ(lines[0].line.discount_minor, 4000);
  EXPECT_EQ(MergeDiscounts(lines, 3, {{1, "more", 100}}), 0);
  EXPECT_EQ(lines[0].discounts.size(), 2u);
}

TEST(CartMath, WeighedGoodsRoundHalfUp) {
  EXPECT_EQ(LineTotal(129900, 350), 45465);
  EXPECT_EQ(LineTotal(999, 333), 333);  // 332.667 -> 333
}

}  // namespace
}  // namespace loyalty::broker
