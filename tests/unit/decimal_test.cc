#include "connectors/core/decimal.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

namespace loyalty::connectors {
namespace {

TEST(ParseDecimal, ReadsPlainAndFractionalNumbers) {
  EXPECT_EQ(*ParseDecimal("1200.00", 2), 120000);
  EXPECT_EQ(*ParseDecimal("0.4000", 4), 4000);
  EXPECT_EQ(*ParseDecimal("-4.5", 2), -450);
  EXPECT_EQ(*ParseDecimal("1e2", 2), 10000);
  EXPECT_EQ(*ParseDecimal("105141.86", 2), 10514186);
}

TEST(ParseDecimal, RoundsHalfAwayFromZero) {
  EXPECT_EQ(*ParseDecimal("0.005", 2), 1);
  EXPECT_EQ(*ParseDecimal("0.004", 2), 0);
  EXPECT_EQ(*ParseDecimal("-0.005", 2), -1);
  EXPECT_EQ(*ParseDecimal("5e-3", 2), 1);
  EXPECT_EQ(*ParseDecimal("5e-4", 2), 0);
}

TEST(ParseDecimal, RejectsGarbageAndOverflow) {
  EXPECT_FALSE(ParseDecimal("", 2).ok());
  EXPECT_FALSE(ParseDecimal("12a", 2).ok());
  EXPECT_FALSE(ParseDecimal("1.2.3", 2).ok());
  EXPECT_FALSE(ParseDecimal("1e", 2).ok());
  EXPECT_FALSE(ParseDecimal("99999999999999999999", 2).ok());
}

TEST(FormatDecimal, WritesShortestExactText) {
  EXPECT_EQ(FormatDecimal(12345, 2), "123.45");
  EXPECT_EQ(FormatDecimal(10000, 2), "100");
  EXPECT_EQ(FormatDecimal(50, 2), "0.5");
  EXPECT_EQ(FormatDecimal(-7, 2), "-0.07");
}

TEST(JsonToUnits, TakesDoublesAtTheirWrittenDecimal) {
  EXPECT_EQ(*JsonToUnits(nlohmann::json::parse("0.1"), 2), 10);
  EXPECT_EQ(*JsonToUnits(nlohmann::json::parse("105141.86"), 2), 10514186);
  EXPECT_EQ(*JsonToUnits(nlohmann::json::parse("\"22.41\""), 2), 2241);
  EXPECT_EQ(*JsonToUnits(nlohmann::json::parse("878"), 2), 87800);
  EXPECT_FALSE(JsonToUnits(nlohmann::json::parse("true"), 2).ok());
  EXPECT_FALSE(JsonToUnits(nlohmann::json::parse("null"), 2).ok());
}

// Integers are read without being printed; the result must be what the
// decimal path makes of their text, overflow included (seeded, reproducible).
TEST(JsonToUnits, IntegersAgreeWithTheirTextAtEveryScale) {
  std::mt19937_64 random(20261206);
  std::vector<nlohmann::json> values = {nlohmann::json(0),
                                        nlohmann::json(-1),
                                        nlohmann::json(uint64_t{1}),
                                        nlohmann::json(std::numeric_limits<int64_t>::max()),
                                        nlohmann::json(std::numeric_limits<int64_t>::min()),
                                        nlohmann::json(std::numeric_limits<uint64_t>::max()),
                                        nlohmann::json(uint64_t{9223372036854775808u}),
                                        nlohmann::json(int64_t{922337203685477580}),
                                        nlohmann::json(int64_t{-92233720368547758})};
  for (int i = 0; i < 2000; ++i) {
    const uint64_t bits = random();
    const int width = static_cast<int>(random() % 64) + 1;
    const uint64_t magnitude = width == 64 ? bits : bits & ((uint64_t{1} << width) - 1);
    if (random() % 2 == 0) {
      values.emplace_back(magnitude);
    } else {
      values.emplace_back(-static_cast<int64_t>(magnitude >> 1));
    }
  }
  for (const auto& value : values) {
    for (int scale = -1; scale <= 10; ++scale) {
      const absl::StatusOr<int64_t> direct = JsonToUnits(value, scale);
      const absl::StatusOr<int64_t> from_text = ParseDecimal(value.dump(), scale);
      ASSERT_EQ(direct.ok(), from_text.ok()) << value.dump() << " at scale " << scale;
      if (direct.ok()) {
        EXPECT_EQ(*direct, *from_text) << value.dump() << " at scale " << scale;
      } else {
        EXPECT_EQ(direct.status(), from_text.status()) << value.dump() << " at scale " << scale;
      }
    }
  }
}

TEST(MulDiv, RoundsAsNamed) {
  EXPECT_EQ(MulDivRound(129900, 350, 1000), 45465);
  EXPECT_EQ(MulDivRound(5, 1, 10), 1);  // 0.5 -> 1
  EXPECT_EQ(MulDivFloor(19, 1, 10), 1);
}

}  // namespace
}  // namespace loyalty::connectors
