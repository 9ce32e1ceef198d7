#pragma once

// Cart arithmetic in integer minor units: line totals, floors, and merging
// the discounts of several programs in the store's order.

#include <cstdint>
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

// Cuts each program's points to spend, in the store's order, to what is
// left to pay after the programs before it (one centipoint pays one minor
// unit). Returns the points all programs together may spend.
int64_t CapPointsToWhatIsLeftToPay(std::vector<QuoteProgramRecord>& programs, int64_t total_minor);

}  // namespace loyalty::broker
