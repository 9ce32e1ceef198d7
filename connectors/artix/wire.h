#pragma once

// Artix VirtualPOS /calculatediscount: the request body and the answer, apart
// from HTTP so both are tested against the document's own JSON. The vendor
// speaks doubles: unit prices and quantities go out as exact decimal
// literals; sums and points come back as doubles, read at their shortest
// round-trip text and rounded half away from zero to kopecks and centipoints.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/core/outcome.h"
#include "connectors/core/types.h"

namespace loyalty::connectors::artix {

inline constexpr std::string_view kVendorName = "Artix VirtualPOS";

struct CheckRequest {
  std::string cash_code;
  std::string shop_code;
  std::vector<std::string> shop_labels;
  std::string identifier;   // a fresh id per calculation
  std::vector<Line> lines;  // posnum = line_no; unit price, minimum unit price, quantity
  std::vector<std::string> cards;
  std::vector<std::string> coupons;
};

struct Card {
  std::string number;
  int64_t bonus_balance_centipoints = 0;
  int64_t card_group_id = 0;
  std::string card_group_name;
};

struct PositionDiscount {
  int64_t campaign_code = 0;
  std::string campaign_name;
  std::string coupon_number;
  int64_t amount_minor = 0;
};

struct PositionResult {
  int32_t posnum = 0;
  int64_t sum_without_discounts_minor = 0;
  int64_t sum_minor = 0;
  std::vector<PositionDiscount> discounts;
  int64_t earned_centipoints = 0;
};

struct CheckResult {
  std::vector<Card> cards;
  std::vector<PositionResult> positions;
  int64_t points_for_earn_centipoints = 0;
  int64_t points_for_spend_centipoints = 0;
  int64_t sum_minor = 0;
};

std::string CalculateDiscountBody(const CheckRequest& request);

// The answer, checked to add up: every position the request sent, discounts
// not negative and not above the position's sum, sum = sum without
// discounts less the discounts, the check's sum the sum of its positions
// (each to within the half-kopecks of rounding the vendor's doubles). A non-200 answer is the
// vendor's error object: a failure.
Outcome<CheckResult> ParseCalculateDiscount(int status, std::string_view body,
                                            const CheckRequest& request);

// A calculation changes nothing at the vendor: any failure of one is safe to
// repeat and was never "maybe applied".
Failed CalculationFailure(Failed failed);

}  // namespace loyalty::connectors::artix
