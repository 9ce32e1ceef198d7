#pragma once

// What a vendor says it priced, spent or earned is checked against what it
// was asked before the broker believes it. An answer that does not add up is
// the vendor's failure, never money the till is told.

#include <cstdint>
#include <string>

#include "connectors/core/types.h"

namespace loyalty::broker {

// Why a quote's points do not add up for a cart of `amount_minor`; empty when
// they do. Points earned may not exceed the amount (one point per rouble).
std::string QuoteFiguresProblem(const connectors::QuoteResult& result, int64_t amount_minor);

// Why a booking's answer does not add up; empty when it does. The points
// spent must be those asked, the points earned within [0, amount].
std::string BookedFiguresProblem(const connectors::BookRequest& ask,
                                 const connectors::BookResult& booked);

}  // namespace loyalty::broker
