#pragma once

// Cart arithmetic in integer minor units: line totals, floors, and merging
// the discounts of several programs in the store's order.

#include <cstdint>
#include <optional>
#include <vector>

#include "broker/core/records.h"

namespace loyalty::broker {

// unit price x quantity (thousandths), rounded half up to minor units.
int64_t LineTotal(int64_t unit_price_minor, int64_t quantity_milli);

// Fills total_before_minor and min_total_minor of each line.
void PriceLines(std::vector<QuoteLineRecord>& lines);

// Adds one program's discounts to the lines, in order, each cut so that no
// line goes below its floor. Returns how much of it was granted in total.
int64_t MergeDiscounts(std::vector<QuoteLineRecord>& lines, int64_t program_id,
                       const std::vector<connectors::LineDiscount>& discounts);

// The cart as `program_id` prices and books it: each line less the other
// programs' discounts (the program applies its own again).
std::vector<connectors::Line> LinesLessOtherDiscounts(const std::vector<QuoteLineRecord>& lines,
                                                      int64_t program_id);

// What the other programs' discounts take off the cart `program_id` sees.
int64_t OtherProgramsDiscount(const std::vector<QuoteLineRecord>& lines, int64_t program_id);

// Sum of the lines' prices less their discounts.
int64_t CartAmount(const std::vector<connectors::Line>& lines);

// What a quote may still spend from the broker's ledger: what it offered
// (`spendable`, after `held_at_quote` by other quotes then), less what other
// quotes hold beyond that now. Never negative.
int64_t LedgerSpendLimit(int64_t spendable, int64_t held_at_quote, int64_t held_by_others_now);

// Cuts each program's points to spend, in the store's order, to what is
// left to pay after the programs before it (one centipoint pays one minor
// unit). Returns the points all programs together may spend.
int64_t CapPointsToWhatIsLeftToPay(std::vector<QuoteProgramRecord>& programs, int64_t total_minor);

// Above any balance a loyalty account holds (ten trillion points): keeps
// the sum below far inside 64 bits.
inline constexpr int64_t kMaxBalanceCentipoints = 1'000'000'000'000'000;

// The customer's confirmed points after a booking, from the balance the
// vendor reported at the quote; empty when it reported none, or none a
// real account could hold.
std::optional<int64_t> BalanceAfterBooking(const std::optional<int64_t>& balance_at_quote,
                                           const connectors::BookResult& booked);

}  // namespace loyalty::broker
