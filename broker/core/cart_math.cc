#include "broker/core/cart_math.h"

#include <algorithm>

#include "connectors/core/decimal.h"

namespace loyalty::broker {

int64_t LineTotal(int64_t unit_price_minor, int64_t quantity_milli) {
  return connectors::MulDivRound(unit_price_minor, quantity_milli, 1000);
}

void PriceLines(std::vector<QuoteLineRecord>& lines) {
  for (auto& l : lines) {
    l.line.total_before_minor = LineTotal(l.line.unit_price_minor, l.line.quantity_milli);
    l.line.min_total_minor = LineTotal(l.line.min_unit_price_minor, l.line.quantity_milli);
    l.line.discount_minor = 0;
  }
}

int64_t MergeDiscounts(std::vector<QuoteLineRecord>& lines, int64_t program_id,
                       const std::vector<connectors::LineDiscount>& discounts) {
  int64_t granted = 0;
  for (const auto& d : discounts) {
    if (d.amount_minor <= 0) continue;
    for (auto& l : lines) {
      if (l.line.line_no != d.line_no) continue;
      const int64_t room =
          l.line.total_before_minor - l.line.discount_minor - l.line.min_total_minor;
      const int64_t amount = std::min(d.amount_minor, std::max<int64_t>(room, 0));
      if (amount <= 0) break;
      l.line.discount_minor += amount;
      connectors::LineDiscount merged = d;
      merged.amount_minor = amount;
      l.discounts.push_back(std::move(merged));
      l.discount_program_ids.push_back(program_id);
      granted += amount;
      break;
    }
  }
  return granted;
}

std::vector<connectors::Line> LinesLessOtherDiscounts(const std::vector<QuoteLineRecord>& lines,
                                                      int64_t program_id) {
  std::vector<connectors::Line> out;
  out.reserve(lines.size());
  for (const auto& l : lines) {
    connectors::Line line = l.line;
    line.discount_minor = 0;
    for (size_t i = 0; i < l.discounts.size(); ++i) {
      if (l.discount_program_ids[i] != program_id)
        line.discount_minor += l.discounts[i].amount_minor;
    }
    out.push_back(std::move(line));
  }
  return out;
}

int64_t OtherProgramsDiscount(const std::vector<QuoteLineRecord>& lines, int64_t program_id) {
  int64_t discount = 0;
  for (const auto& line : LinesLessOtherDiscounts(lines, program_id)) {
    discount += line.discount_minor;
  }
  return discount;
}

int64_t CartAmount(const std::vector<connectors::Line>& lines) {
  int64_t amount = 0;
  for (const auto& l : lines) amount += l.total_before_minor - l.discount_minor;
  return amount;
}

int64_t LedgerSpendLimit(int64_t spendable, int64_t held_at_quote, int64_t held_by_others_now) {
  return std::max<int64_t>(0, std::min(spendable, spendable + held_at_quote - held_by_others_now));
}

int64_t CapPointsToWhatIsLeftToPay(std::vector<QuoteProgramRecord>& programs, int64_t total_minor) {
  int64_t left_to_pay = total_minor;
  for (auto& p : programs) {
    p.spendable_centipoints = std::clamp<int64_t>(p.spendable_centipoints, 0, left_to_pay);
    left_to_pay -= p.spendable_centipoints;
  }
  return total_minor - left_to_pay;
}

std::optional<int64_t> BalanceAfterBooking(const std::optional<int64_t>& balance_at_quote,
                                           const connectors::BookResult& booked) {
  // A vendor's figure: a balance no account holds is not printed.
  if (!balance_at_quote || *balance_at_quote < 0 || *balance_at_quote > kMaxBalanceCentipoints) {
    return std::nullopt;
  }
  // Points of a purchase the vendor has yet to confirm are not spendable.
  return *balance_at_quote - booked.spent_centipoints +
         (booked.confirmed ? booked.earned_centipoints : 0);
}

}  // namespace loyalty::broker
