// The quotes kept at hand for their commits: found only for their own store
// while live, the oldest dropped past the bound, a refused row forgotten,
// and kept as the database stores them.

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
  RecentQuotes recent(10);
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

TEST(RecentQuotesTest, KeepsTheLastOnesUpToItsBound) {
  const absl::Time now = absl::FromUnixSeconds(1000);
  RecentQuotes recent(3);
  for (int i = 1; i <= 5; ++i) recent.Remember(Quote(absl::StrCat("q", i), 2000));
  EXPECT_EQ(recent.Find("s", "q1", now), nullptr);
  EXPECT_EQ(recent.Find("s", "q2", now), nullptr);
  for (int i = 3; i <= 5; ++i) EXPECT_NE(recent.Find("s", absl::StrCat("q", i), now), nullptr) << i;

  RecentQuotes none(0);
  none.Remember(Quote("q1", 2000));
  EXPECT_EQ(none.Find("s", "q1", now), nullptr);
}

TEST(RecentQuotesTest, ForgetsAQuoteWhoseRowWasRefused) {
  const absl::Time now = absl::FromUnixSeconds(1000);
  RecentQuotes recent(2);
  recent.Remember(Quote("q1", 2000));
  recent.Forget("q1");
  EXPECT_EQ(recent.Find("s", "q1", now), nullptr);
  // The forgotten one's place is given up in turn, not another's.
  recent.Remember(Quote("q2", 2000));
  recent.Remember(Quote("q3", 2000));
  EXPECT_NE(recent.Find("s", "q2", now), nullptr);
  EXPECT_NE(recent.Find("s", "q3", now), nullptr);
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

}  // namespace
}  // namespace loyalty::broker
