#include "broker/core/vendor_figures.h"

#include <gtest/gtest.h>

#include "broker/core/cart_math.h"

namespace loyalty::broker {
namespace {

connectors::BookRequest Asked(int64_t amount, int64_t spend) {
  connectors::BookRequest ask;
  ask.amount_minor = amount;
  ask.spend_centipoints = spend;
  return ask;
}

TEST(VendorFigures, ABookingMustSpendWhatWasAskedAndEarnWithinTheAmount) {
  EXPECT_EQ(BookedFiguresProblem(Asked(10000, 100), {"r", 100, 0, true}), "");
  EXPECT_EQ(BookedFiguresProblem(Asked(10000, 0), {"r", 0, 1000, true}), "");
  // retail says 9999.99 points were spent where 1.00 was asked.
  EXPECT_NE(BookedFiguresProblem(Asked(10000, 100), {"r", 999999, 0, true}), "");
  // points_delta -100000.
  EXPECT_NE(BookedFiguresProblem(Asked(10000, 0), {"r", 0, -10000000, true}), "");
  // an earn of 1e15 points on a 100.00 check.
  EXPECT_NE(BookedFiguresProblem(Asked(10000, 0), {"r", 0, 100'000'000'000'000'000, true}), "");
}

TEST(VendorFigures, AQuoteMayNotOfferNegativeOrAbsurdPoints) {
  connectors::QuoteResult fine;
  fine.spendable_centipoints = 5000;
  fine.earn_centipoints = 1000;
  EXPECT_EQ(QuoteFiguresProblem(fine, 10000), "");
  connectors::QuoteResult negative = fine;
  negative.spendable_centipoints = -1;
  EXPECT_NE(QuoteFiguresProblem(negative, 10000), "");
  connectors::QuoteResult absurd = fine;
  absurd.earn_centipoints = 10001;
  EXPECT_NE(QuoteFiguresProblem(absurd, 10000), "");
  connectors::QuoteResult negative_discount = fine;
  negative_discount.discounts.push_back(
      {.line_no = 1, .amount_minor = -5, .campaign_name = "x", .campaign_code = "", .coupon = ""});
  EXPECT_NE(QuoteFiguresProblem(negative_discount, 10000), "");
}

TEST(LedgerSpendLimit, PointsHeldByOtherTillsSinceTheQuoteAreNotThisQuotes) {
  // 40 points, none held when quoted, another till holds 30 since: 10 left.
  EXPECT_EQ(LedgerSpendLimit(4000, 0, 3000), 1000);
  // Quoted while the other till already held 30: it offered 10, still 10.
  EXPECT_EQ(LedgerSpendLimit(1000, 3000, 3000), 1000);
  // The other till's hold went away: never more than the quote offered.
  EXPECT_EQ(LedgerSpendLimit(1000, 3000, 0), 1000);
  EXPECT_EQ(LedgerSpendLimit(1000, 0, 5000), 0);
}

TEST(CartMath, PointsCutToWhatIsLeftToPayIgnoreNegativeOffers) {
  std::vector<QuoteProgramRecord> programs(2);
  programs[0].spendable_centipoints = -500;
  programs[1].spendable_centipoints = 900;
  EXPECT_EQ(CapPointsToWhatIsLeftToPay(programs, 1000), 900);
  EXPECT_EQ(programs[0].spendable_centipoints, 0);
}

}  // namespace
}  // namespace loyalty::broker
