// The quotes kept at hand for their commits: found only for their own store
// while live, the oldest dropped past the bound in bytes, a refused row
// forgotten, and kept as the database stores them, with their lines' JSON
// for a purchase of the same lines.

#include "broker/storage/recent_quotes.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace loyalty::broker {
namespace {

QuoteRecord Quote(const std::string& id, int64_t expires_at_unix) {
  QuoteRecord quote;
  quote.quote_id = id;
  quote.store_id = "s";
  quote.total_minor = 100;
  quote.expires_at_unix = expires_at_unix;
  return quote;
}

TEST(RecentQuotesTest, FindsALiveQuoteOfItsOwnStoreOnly) {
  const absl::Time now = absl::FromUnixSeconds(1000);
  RecentQuotes recent(1 << 20);
  recent.Remember(Quote("q1", 1001));
  recent.Remember(Quote("q2", 1000));  // expires now: no longer live
  auto found = recent.Find("s", "q1", now);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->total_minor, 100);
  EXPECT_EQ(recent.Find("other-store", "q1", now), nullptr);
  EXPECT_EQ(recent.Find("s", "q2", now), nullptr);
  EXPECT_EQ(recent.Find("s", "q3", now), nullptr);
  EXPECT_EQ(recent.Find("s", "q1", absl::FromUnixSeconds(1001)), nullptr);
}

TEST(RecentQuotesTest, KeepsTheLastOnesUpToItsBoundInBytes) {
  const absl::Time now = absl::FromUnixSeconds(1000);
  const size_t one = ApproximateBytes(AsStored(Quote("q1", 2000)));
  RecentQuotes recent(3 * one);
  for (int i = 1; i <= 5; ++i) recent.Remember(Quote(absl::StrCat("q", i), 2000));
  EXPECT_EQ(recent.Find("s", "q1", now), nullptr);
  EXPECT_EQ(recent.Find("s", "q2", now), nullptr);
  for (int i = 3; i <= 5; ++i) EXPECT_NE(recent.Find("s", absl::StrCat("q", i), now), nullptr) << i;
  EXPECT_EQ(recent.bytes(), 3 * one);

  // A cart of a thousand lines takes the room of many small ones.
  QuoteRecord big = Quote("big", 2000);
  big.lines.resize(1000);
  for (auto& line : big.lines) line.line.sku = "a sku longer than the inline buffer";
  EXPECT_GT(ApproximateBytes(big), 1000 * one / 10);
  RecentQuotes small(50 * one);
  small.Remember(big);  // larger than the whole bound: not kept
  EXPECT_EQ(small.Find("s", "big", now), nullptr);
  EXPECT_EQ(small.bytes(), 0u);

  RecentQuotes none(0);
  none.Remember(Quote("q1", 2000));
  EXPECT_EQ(none.Find("s", "q1", now), nullptr);
}

TEST(RecentQuotesTest, ForgetsAQuoteWhoseRowWasRefused) {
  const absl::Time now = absl::FromUnixSeconds(1000);
  const size_t one = ApproximateBytes(AsStored(Quote("q1", 2000)));
  RecentQuotes recent(2 * one);
  recent.Remember(Quote("q1", 2000));
  recent.Forget("q1");
  EXPECT_EQ(recent.Find("s", "q1", now), nullptr);
  EXPECT_EQ(recent.bytes(), 0u);
  // The forgotten one's room is free for others.
  recent.Remember(Quote("q2", 2000));
  recent.Remember(Quote("q3", 2000));
  EXPECT_NE(recent.Find("s", "q2", now), nullptr);
  EXPECT_NE(recent.Find("s", "q3", now), nullptr);
  EXPECT_EQ(recent.bytes(), 2 * one);
}

TEST(RecentQuotesTest, QuotesRefusedOneAfterAnotherLeaveNothingBehind) {
  // The database away: every quote is remembered, then forgotten when its
  // row is refused. Their ids do not pile up, and the order of the quotes
  // kept meanwhile stays as it was.
  const absl::Time now = absl::FromUnixSeconds(1000);
  const size_t one = ApproximateBytes(AsStored(Quote("q1", 2000)));
  RecentQuotes recent(2 * one);
  recent.Remember(Quote("kept-1", 2000));
  for (int i = 0; i < 100000; ++i) {
    const std::string id = absl::StrCat("refused-", i);
    recent.Remember(Quote(id, 2000));
    recent.Forget(id);
  }
  EXPECT_LE(recent.order_length(), 2 * 1 + 64 + 1);
  EXPECT_EQ(recent.bytes(), one);
  recent.Remember(Quote("kept-2", 2000));
  recent.Remember(Quote("kept-3", 2000));  // past the bound: the oldest kept goes
  EXPECT_EQ(recent.Find("s", "kept-1", now), nullptr);
  EXPECT_NE(recent.Find("s", "kept-2", now), nullptr);
  EXPECT_NE(recent.Find("s", "kept-3", now), nullptr);
  EXPECT_EQ(recent.bytes(), 2 * one);
}

TEST(RecentQuotesTest, KeepsWhatTheDatabaseStoresNotWhatOnlyTheQuoteAnswered) {
  QuoteRecord quote = Quote("q1", 2000);
  quote.created_at = "2026-12-06 10:00:00+00";
  QuoteProgramRecord program;
  program.program_id = 7;
  program.skip_reason = "vendor unreachable";
  program.skip_reason_code = "VENDOR_UNAVAILABLE";
  program.customer_message = "Hello";
  program.receipt_texts = {"thanks"};
  program.vendor_customer_id = "c-1";
  quote.programs.push_back(program);
  const QuoteRecord stored = AsStored(quote);
  ASSERT_EQ(stored.programs.size(), 1u);
  EXPECT_EQ(stored.programs[0].skip_reason, "vendor unreachable");
  EXPECT_EQ(stored.programs[0].vendor_customer_id, "c-1");
  EXPECT_EQ(stored.programs[0].skip_reason_code, "");
  EXPECT_EQ(stored.programs[0].customer_message, "");
  EXPECT_TRUE(stored.programs[0].receipt_texts.empty());
  EXPECT_EQ(stored.created_at, "");
}

TEST(RecentQuotesTest, GivesItsLinesJsonOnlyForTheSameLines) {
  QuoteRecord quote = Quote("q1", 2000);
  quote.lines.resize(2);
  quote.lines[0].line.sku = "milk";
  quote.lines[1].line.sku = "bread";
  connectors::LineDiscount sale;
  sale.line_no = 2;
  sale.amount_minor = 50;
  sale.campaign_name = "Sale";
  quote.lines[1].discounts.push_back(sale);
  quote.lines[1].discount_program_ids.push_back(7);
  RecentQuotes recent(1 << 20);
  recent.Remember(quote, LinesJson(quote.lines));
  const auto json = recent.LinesJsonOf("q1", quote.lines);
  ASSERT_NE(json, nullptr);
  EXPECT_EQ(json->lines, LinesJson(quote.lines).lines);
  EXPECT_EQ(json->discounts, LinesJson(quote.lines).discounts);
  // Any other lines, or another quote, take none: they write their own.
  std::vector<QuoteLineRecord> other = quote.lines;
  other[1].discounts[0].amount_minor = 49;
  EXPECT_EQ(recent.LinesJsonOf("q1", other), nullptr);
  EXPECT_EQ(recent.LinesJsonOf("q1", {}), nullptr);
  EXPECT_EQ(recent.LinesJsonOf("q2", quote.lines), nullptr);
  // It is counted in the bound, and leaves with its quote.
  EXPECT_GT(recent.bytes(), ApproximateBytes(AsStored(quote)));
  recent.Forget("q1");
  EXPECT_EQ(recent.LinesJsonOf("q1", quote.lines), nullptr);
  // A quote remembered without its JSON gives none, never an empty text.
  recent.Remember(quote);
  EXPECT_NE(recent.Find("s", "q1", absl::FromUnixSeconds(1000)), nullptr);
  EXPECT_EQ(recent.LinesJsonOf("q1", quote.lines), nullptr);
}

}  // namespace
}  // namespace loyalty::broker
