// QuoteCart in two phases. First every program prices the cart at list
// prices, all at once, and the discounts merge in the store's order. Then
// every program that books the purchase or gives points, and whose cart the
// other programs' discounts changed, prices again — all at once — the cart it
// will be booked with, so what the quote offers to spend and earn is what
// the commit books. Without discounts from others there is no second phase.

#include "broker/core/quoting.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"
#include "broker/core/cart_math.h"
#include "broker/core/proto_mapping.h"
#include "broker/core/vendor_errors.h"
#include "broker/core/vendor_figures.h"

namespace loyalty::broker {
namespace {

using QuoteOutcome = connectors::Outcome<connectors::QuoteResult>;

// One program's part of a quote: its latest answer.
struct ProgramQuote {
  const StoreProgram* program = nullptr;
  connectors::Connector* connector = nullptr;
  std::optional<QuoteOutcome> outcome;

  bool approved() const { return outcome.has_value() && outcome->approved(); }
  bool books() const { return connector->capabilities().book; }
};

// Prices the cart at the programs `which` at once: at list prices, or, with
// `merged`, each the cart less the other programs' discounts.
void PricePhase(ProgramCalls& calls, const std::string& store_id, absl::Time deadline,
                const std::function<bool()>& cancelled, const connectors::QuoteRequest& list_ask,
                const std::vector<QuoteLineRecord>* merged, const std::vector<size_t>& which,
                std::vector<ProgramQuote>& quotes) {
  std::vector<connectors::QuoteRequest> asks(which.size(), list_ask);
  std::vector<const StoreProgram*> programs;
  for (size_t k = 0; k < which.size(); ++k) {
    const StoreProgram* program = quotes[which[k]].program;
    if (merged != nullptr) asks[k].lines = LinesLessOtherDiscounts(*merged, program->config->id);
    programs.push_back(program);
  }
  // An answer whose figures do not add up is a failure, journalled as one.
  auto check = [&](size_t k, QuoteOutcome& outcome) {
    if (!outcome.approved()) return;
    const std::string problem = QuoteFiguresProblem(outcome.value(), CartAmount(asks[k].lines));
    if (problem.empty()) return;
    outcome =
        connectors::Failed{true, false,
                           absl::StrCat(std::string(quotes[which[k]].connector->DisplayName()),
                                        "'s figures do not add up: ", problem),
                           connectors::HeldBack::kNo};
  };
  auto outcomes = calls.FanOut<connectors::QuoteResult>(
      store_id, programs, deadline, cancelled, "quote",
      [&](size_t k, connectors::Connector& connector, const connectors::CallContext& context,
          auto done) { connector.Quote(context, asks[k], std::move(done)); },
      check);
  for (size_t k = 0; k < which.size(); ++k) quotes[which[k]].outcome = std::move(outcomes[k]);
}

// Merges the discounts of the programs used for discounts, in store order.
void MergeAllDiscounts(std::vector<QuoteLineRecord>& lines,
                       const std::vector<ProgramQuote>& quotes) {
  PriceLines(lines);
  for (auto& l : lines) {
    l.discounts.clear();
    l.discount_program_ids.clear();
  }
  for (const ProgramQuote& q : quotes) {
    if (!q.approved() || !q.program->uses.discounts) continue;
    MergeDiscounts(lines, q.program->config->id, q.outcome->value().discounts);
  }
}

int64_t DiscountOf(const std::vector<QuoteLineRecord>& lines, int64_t program_id) {
  int64_t total = 0;
  for (const auto& l : lines) {
    for (size_t i = 0; i < l.discounts.size(); ++i) {
      if (l.discount_program_ids[i] == program_id) total += l.discounts[i].amount_minor;
    }
  }
  return total;
}

}  // namespace

absl::Status Quoting::Quote(const StoreContext& store, absl::Time deadline,
                            const v1::QuoteCartRequest& request, v1::QuoteCartResponse* response,
                            const std::function<bool()>& cancelled) {
  QuoteRecord quote;
  quote.store_id = store.store_id;
  if (request.has_customer()) quote.customer = CustomerFromProto(request.customer());
  quote.coupons.assign(request.coupons().begin(), request.coupons().end());
  for (const auto& l : request.lines()) {
    QuoteLineRecord line;
    line.line.line_no = l.line_no();
    line.line.sku = l.sku();
    line.line.barcode = l.barcode();
    line.line.quantity_milli = l.quantity_milli();
    line.line.unit_price_minor = l.unit_price_minor();
    line.line.min_unit_price_minor = l.min_unit_price_minor();
    quote.lines.push_back(std::move(line));
  }
  PriceLines(quote.lines);

  connectors::QuoteRequest ask;
  ask.customer = quote.customer;
  ask.coupons = quote.coupons;
  for (const auto& l : quote.lines) ask.lines.push_back(l.line);

  std::vector<ProgramQuote> quotes;
  for (const auto& program : store.programs) {
    connectors::Connector* connector = calls_.ConnectorFor(program);
    if (connector == nullptr || !connector->capabilities().quote) continue;
    quotes.push_back({&program, connector, std::nullopt});
  }
  std::vector<size_t> everyone(quotes.size());
  std::iota(everyone.begin(), everyone.end(), 0);
  PricePhase(calls_, store.store_id, deadline, cancelled, ask, nullptr, everyone, quotes);
  MergeAllDiscounts(quote.lines, quotes);

  std::vector<size_t> again;
  for (size_t i = 0; i < quotes.size(); ++i) {
    const ProgramQuote& q = quotes[i];
    if (!q.approved() || !(q.books() || q.program->uses.points)) continue;
    if (OtherProgramsDiscount(quote.lines, q.program->config->id) > 0) again.push_back(i);
  }
  if (!again.empty()) {
    PricePhase(calls_, store.store_id, deadline, cancelled, ask, &quote.lines, again, quotes);
    MergeAllDiscounts(quote.lines, quotes);
  }

  for (const ProgramQuote& q : quotes) {
    QuoteProgramRecord record;
    record.program_id = q.program->config->id;
    if (!q.approved()) {
      const absl::Status status = StatusFromOutcome(PartyOf(*q.program, q.connector), *q.outcome);
      if (q.program->required && q.outcome->failed()) return status;
      record.used = false;
      record.skip_reason = SkipReason(status);
      record.skip_reason_code = ReasonOf(status);
      record.unreachable = q.outcome->failed();
      quote.programs.push_back(std::move(record));
      continue;
    }
    const connectors::QuoteResult& result = q.outcome->value();
    record.used = true;
    if (result.account) {
      record.vendor_customer_id = result.account->vendor_customer_id;
      record.balance_centipoints = result.account->balance_centipoints;
    }
    record.discount_minor = DiscountOf(quote.lines, record.program_id);
    record.vendor_reference = result.vendor_reference;
    record.explanation = result.explanation;
    record.customer_message = result.customer_message;
    record.receipt_texts = result.receipt_texts;
    if (q.program->uses.points && !q.books()) {
      // Points only a booking could give or take: never offered.
      absl::StrAppend(&record.explanation,
                      "; points not offered: ", std::string(q.connector->DisplayName()),
                      " does not book purchases");
    } else if (q.program->uses.points) {
      record.spendable_centipoints = result.spendable_centipoints;
      record.earn_centipoints = result.earn_centipoints;
      // Points the broker's ledger holds for this customer are not the
      // vendor's to offer again (vendor-side holds the vendor counts itself).
      if (!q.connector->capabilities().hold && !record.vendor_customer_id.empty()) {
        auto held = deps_.holds.ActiveAmount(record.program_id, record.vendor_customer_id);
        if (!held.ok()) return held.status();
        record.ledger_held_centipoints = *held;
        record.spendable_centipoints = std::max<int64_t>(0, record.spendable_centipoints - *held);
      }
    }
    quote.programs.push_back(std::move(record));
  }

  for (const auto& l : quote.lines) {
    quote.total_before_minor += l.line.total_before_minor;
    quote.discount_minor += l.line.discount_minor;
  }
  quote.total_minor = quote.total_before_minor - quote.discount_minor;
  quote.spendable_centipoints = CapPointsToWhatIsLeftToPay(quote.programs, quote.total_minor);
  for (const auto& p : quote.programs) quote.earn_centipoints += p.earn_centipoints;

  if (auto status = deps_.quotes.Save(quote, deps_.settings.quote_ttl_seconds); !status.ok()) {
    return status;
  }

  response->set_quote_id(quote.quote_id);
  SetTimestamp(quote.expires_at_unix, response->mutable_expires_at());
  for (const auto& l : quote.lines) LineToProto(l, store, response->add_lines());
  response->set_total_before_minor(quote.total_before_minor);
  response->set_discount_minor(quote.discount_minor);
  response->set_total_minor(quote.total_minor);
  response->set_spendable_centipoints(quote.spendable_centipoints);
  response->set_earn_centipoints(quote.earn_centipoints);
  for (const auto& p : quote.programs) {
    const StoreProgram* program = store.FindProgram(p.program_id);
    if (!p.used) {
      auto* skipped = response->add_skipped();
      skipped->set_program(program->config->code);
      skipped->set_reason(p.skip_reason);
      skipped->set_reason_code(p.skip_reason_code);
      continue;
    }
    auto* out = response->add_programs();
    out->set_program(program->config->code);
    out->set_vendor(VendorToProto(program->config->vendor));
    out->set_vendor_customer_id(p.vendor_customer_id);
    out->set_discount_minor(p.discount_minor);
    out->set_spendable_centipoints(p.spendable_centipoints);
    out->set_earn_centipoints(p.earn_centipoints);
    out->set_explanation(p.explanation);
    out->set_customer_message(p.customer_message);
    for (const auto& text : p.receipt_texts) out->add_receipt_texts(text);
  }
  return absl::OkStatus();
}

}  // namespace loyalty::broker
