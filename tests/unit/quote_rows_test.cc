#include "broker/storage/quote_rows.h"

#include <gtest/gtest.h>

#include <random>

namespace loyalty::broker {
namespace {

// The bounds are written as PostgreSQL reads a timestamptz, to the second,
// in UTC; absl::FormatTime is the reference they are checked against.
std::string Reference(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S+00", t, absl::UTCTimeZone());
}

TEST(RecentQuoteDays, BoundsAreTwoDaysBackAndOneAheadToTheSecond) {
  const absl::Time now = absl::FromUnixMillis(1765045805999);  // 2025-12-06 18:30:05.999 UTC
  const auto [from, to] = RecentQuoteDays(now);
  EXPECT_EQ(from, "2025-12-04 18:30:05+00");
  EXPECT_EQ(to, "2025-12-07 18:30:05+00");
}

TEST(RecentQuoteDays, AgreesWithFormatTimeAcrossYears) {
  std::mt19937_64 random(20261206);
  std::uniform_int_distribution<int64_t> seconds(0, int64_t{4102444800});  // 1970 to 2100
  for (int i = 0; i < 2000; ++i) {
    const absl::Time now = absl::FromUnixSeconds(seconds(random)) + absl::Milliseconds(i % 1000);
    const auto [from, to] = RecentQuoteDays(now);
    ASSERT_EQ(from, Reference(now - absl::Hours(48))) << absl::ToUnixSeconds(now);
    ASSERT_EQ(to, Reference(now + absl::Hours(24))) << absl::ToUnixSeconds(now);
  }
}

}  // namespace
}  // namespace loyalty::broker
