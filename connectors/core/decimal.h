#pragma once

// Exact conversions between vendors' decimal numbers and the broker's integer
// minor units. Vendors send money and points as decimal strings ("1200.00") or
// JSON numbers (105141.86); both are converted here, once, with explicit
// rounding, so no floating-point value ever reaches a money path.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace loyalty::connectors {

// Parses "123", "-4.5", "0.125", "1e2" into an integer count of 10^-scale
// units, rounding half away from zero beyond `scale` digits.
// Rejects empty text, stray characters and values that overflow int64.
absl::StatusOr<int64_t> ParseDecimal(std::string_view text, int scale);

// Formats `units` (10^-scale) as a plain decimal: 12345, 2 -> "123.45";
// trailing zeros of the fraction are dropped ("100", "0.5").
std::string FormatDecimal(int64_t units, int scale);

// Reads a JSON number or numeric string as 10^-scale units. A double is taken
// at its shortest round-trip text, which is the decimal the vendor wrote.
absl::StatusOr<int64_t> JsonToUnits(const nlohmann::json& value, int scale);

// Multiplies then divides with rounding half away from zero, without overflow
// for the magnitudes the broker handles (uses 128-bit intermediates).
int64_t MulDivRound(int64_t value, int64_t multiplier, int64_t divisor);

// Same, rounding towards zero (for "at most" caps such as spend limits).
int64_t MulDivFloor(int64_t value, int64_t multiplier, int64_t divisor);

}  // namespace loyalty::connectors
