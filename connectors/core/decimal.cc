#include "connectors/core/decimal.h"

#include <cctype>
#include <limits>

#include "absl/strings/str_cat.h"

namespace loyalty::connectors {
namespace {

constexpr int kMaxScale = 9;

absl::Status Malformed(std::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("not a decimal number: \"", std::string(text), "\""));
}

}  // namespace

absl::StatusOr<int64_t> ParseDecimal(std::string_view text, int scale) {
  if (scale < 0 || scale > kMaxScale) return absl::InvalidArgumentError("bad decimal scale");
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  // Collect the significant digits and where the decimal point sits.
  std::string digits;
  int fraction_digits = 0;
  bool seen_point = false;
  bool seen_digit = false;
  size_t i = 0;
  for (; i < rest.size(); ++i) {
    const char c = rest[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      seen_digit = true;
      digits.push_back(c);
      if (seen_point) ++fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return Malformed(text);
  int exponent = 0;
  if (i < rest.size()) {
    if (rest[i] != 'e' && rest[i] != 'E') return Malformed(text);
    ++i;
    bool exponent_negative = false;
    if (i < rest.size() && (rest[i] == '-' || rest[i] == '+')) {
      exponent_negative = rest[i] == '-';
      ++i;
    }
    if (i == rest.size()) return Malformed(text);
    for (; i < rest.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(rest[i]))) return Malformed(text);
      exponent = exponent * 10 + (rest[i] - '0');
      if (exponent > 400) return Malformed(text);
    }
    if (exponent_negative) exponent = -exponent;
  }
  // value = digits * 10^(exponent - fraction_digits); want value * 10^scale.
  const int shift = exponent - fraction_digits + scale;
  __int128 units = 0;
  const __int128 limit = std::numeric_limits<int64_t>::max();
  int kept = static_cast<int>(digits.size());
  bool round_up = false;
  if (shift < 0) {
    const int dropped = -shift;
    kept = static_cast<int>(digits.size()) - dropped;
    if (kept < 0) {
      kept = 0;
    } else if (kept < static_cast<int>(digits.size())) {
      round_up = digits[kept] >= '5';  // half away from zero
    }
  }
  for (int d = 0; d < kept; ++d) {
    units = units * 10 + (digits[d] - '0');
    if (units > limit)
      return absl::OutOfRangeError(absl::StrCat("decimal too large: ", std::string(text)));
  }
  for (int s = 0; s < shift; ++s) {
    units *= 10;
    if (units > limit)
      return absl::OutOfRangeError(absl::StrCat("decimal too large: ", std::string(text)));
  }
  if (round_up) ++units;
  if (units > limit)
    return absl::OutOfRangeError(absl::StrCat("decimal too large: ", std::string(text)));
  return static_cast<int64_t>(negative ? -units : units);
}

std::string FormatDecimal(int64_t units, int scale) {
  const bool negative = units < 0;
  // Work in unsigned to format INT64_MIN safely.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
  uint64_t divisor = 1;
  for (int i = 0; i < scale; ++i) divisor *= 10;
  const uint64_t whole = magnitude / divisor;
  uint64_t fraction = magnitude % divisor;
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, whole);
  if (fraction != 0) {
    std::string fraction_text(scale, '0');
    for (int i = scale - 1; i >= 0; --i) {
      fraction_text[i] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    while (!fraction_text.empty() && fraction_text.back() == '0') fraction_text.pop_back();
    absl::StrAppend(&out, ".", fraction_text);
  }
  return out;
}

absl::StatusOr<int64_t> JsonToUnits(const nlohmann::json& value, int scale) {
  if (value.is_number_integer()) {
    // Exactly what ParseDecimal makes of the integer's text, without
    // printing it (printing cost most of a vendor figure's reading).
    if (scale < 0 || scale > kMaxScale) return absl::InvalidArgumentError("bad decimal scale");
    __int128 units = value.is_number_unsigned() ? static_cast<__int128>(value.get<uint64_t>())
                                                : static_cast<__int128>(value.get<int64_t>());
    const bool negative = units < 0;
    if (negative) units = -units;
    const __int128 limit = std::numeric_limits<int64_t>::max();
    for (int s = 0; s < scale && units <= limit; ++s) units *= 10;
    if (units > limit)
      return absl::OutOfRangeError(absl::StrCat("decimal too large: ", value.dump()));
    return static_cast<int64_t>(negative ? -units : units);
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (d != d || d == std::numeric_limits<double>::infinity() ||
        d == -std::numeric_limits<double>::infinity()) {
      return absl::InvalidArgumentError("number is not finite");
    }
    return ParseDecimal(value.dump(), scale);
  }
  if (value.is_string()) return ParseDecimal(value.get_ref<const std::string&>(), scale);
  return absl::InvalidArgumentError(absl::StrCat("expected a number, got ", value.type_name()));
}

int64_t MulDivRound(int64_t value, int64_t multiplier, int64_t divisor) {
  const __int128 product = static_cast<__int128>(value) * multiplier;
  const __int128 half = divisor / 2;
  const __int128 rounded = product >= 0 ? (product + half) / divisor : (product - half) / divisor;
  return static_cast<int64_t>(rounded);
}

int64_t MulDivFloor(int64_t value, int64_t multiplier, int64_t divisor) {
  return static_cast<int64_t>(static_cast<__int128>(value) * multiplier / divisor);
}

}  // namespace loyalty::connectors
