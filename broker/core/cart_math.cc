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
      l.discounts.push_back({d.line_no, d.campaign, amount});
      l.discount_program_ids.push_back(program_id);
      granted += amount;
      break;
    }
  }
  return granted;
}

int64_t CapPointsToWhatIsLeftToPay(std::vector<QuoteProgramRecord>& programs, int64_t total_minor) {
  int64_t left_to_pay = total_minor;
  for (auto& p : programs) {
    p.spendable_centipoints = std::min(p.spendable_centipoints, left_to_pay);
    left_to_pay -= p.spendable_centipoints;
  }
  return total_minor - left_to_pay;
}

}  // namespace loyalty::broker
