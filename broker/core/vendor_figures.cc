#include "broker/core/vendor_figures.h"

#include "absl/strings/str_cat.h"

namespace loyalty::broker {

std::string QuoteFiguresProblem(const connectors::QuoteResult& result, int64_t amount_minor) {
  if (result.spendable_centipoints < 0) {
    return absl::StrCat("offered ", result.spendable_centipoints, " centipoints to spend");
  }
  if (result.earn_centipoints < 0 || result.earn_centipoints > amount_minor) {
    return absl::StrCat("offered ", result.earn_centipoints, " centipoints to earn on ",
                        amount_minor, " minor units");
  }
  for (const auto& d : result.discounts) {
    if (d.amount_minor < 0) {
      return absl::StrCat("gave line ", d.line_no, " a negative discount (", d.amount_minor, ")");
    }
  }
  return "";
}

std::string BookedFiguresProblem(const connectors::BookRequest& ask,
                                 const connectors::BookResult& booked) {
  if (booked.spent_centipoints != ask.spend_centipoints) {
    return absl::StrCat("booked ", booked.spent_centipoints, " centipoints spent where ",
                        ask.spend_centipoints, " were asked");
  }
  if (booked.earned_centipoints < 0 || booked.earned_centipoints > ask.amount_minor) {
    return absl::StrCat("booked ", booked.earned_centipoints, " centipoints earned on ",
                        ask.amount_minor, " minor units");
  }
  return "";
}

}  // namespace loyalty::broker
