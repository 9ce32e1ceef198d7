// IdentifyCustomer and QuoteCart: fan out to the store's programs, merge.

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/core/cart_math.h"
#include "broker/core/checkout_service.h"
#include "broker/core/journal_entry.h"
#include "broker/core/proto_mapping.h"
#include "broker/core/vendor_errors.h"

namespace loyalty::broker {

using connectors::Outcome;

namespace {

std::string SkipReason(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

}  // namespace

absl::Status CheckoutService::Identify(const StoreContext& store, absl::Time deadline,
                                       const v1::IdentifyCustomerRequest& request,
                                       v1::IdentifyCustomerResponse* response,
                                       const std::function<bool()>& cancelled) {
  const connectors::IdentifyRequest ask{CustomerFromProto(request.customer())};
  struct Call {
    const StoreProgram* program;
    connectors::Connector* connector;
    std::unique_ptr<PendingCall<connectors::Account>> pending;
  };
  std::vector<Call> calls;
  for (const auto& program : store.programs) {
    connectors::Connector* connector = ConnectorFor(program);
    if (connector == nullptr || !connector->capabilities().identify || !program.uses.identify) {
      continue;
    }
    auto context = Context(program, deadline, cancelled);
    calls.push_back(
        {&program, connector, std::make_unique<PendingCall<connectors::Account>>([&](auto done) {
           connector->Identify(context, ask, std::move(done));
         })});
  }
  if (calls.empty()) {
    return absl::FailedPreconditionError("none of the store's programs can identify customers");
  }
  absl::Status first_failure;
  for (auto& call : calls) {
    Outcome<connectors::Account> outcome = call.pending->Wait();
    Journal(
        JournalEntry(store.store_id, *call.program->config, "identify", *call.pending, outcome));
    const std::string who = DescribeProgram(*call.program, call.connector);
    if (!outcome.approved()) {
      const absl::Status status = StatusFromOutcome(who, outcome);
      auto* skipped = response->add_skipped();
      skipped->set_program(call.program->config->code);
      skipped->set_reason(SkipReason(status));
      if (outcome.failed() && first_failure.ok()) first_failure = status;
      continue;
    }
    const connectors::Account& account = outcome.value();
    auto held = deps_.holds.ActiveAmount(call.program->config->id, account.vendor_customer_id);
    if (!held.ok()) return held.status();
    auto* a = response->add_accounts();
    a->set_program(call.program->config->code);
    a->set_vendor(VendorToProto(call.program->config->vendor));
    a->set_vendor_customer_id(account.vendor_customer_id);
    a->set_name(account.name);
    a->mutable_level()->set_id(account.level.id);
    a->mutable_level()->set_title(account.level.title);
    a->mutable_level()->set_type(LevelTypeToProto(account.level.type));
    a->mutable_level()->set_percent_bp(account.level.percent_bp);
    a->mutable_level()->set_max_spend_percent_bp(account.level.max_spend_percent_bp);
    a->set_balance_centipoints(account.balance_centipoints);
    a->set_available_centipoints(std::max<int64_t>(0, account.balance_centipoints - *held));
    if (response->name().empty()) response->set_name(account.name);
  }
  if (response->accounts_size() > 0) return absl::OkStatus();
  if (!first_failure.ok()) return first_failure;
  return absl::NotFoundError("customer not found in any of the store's programs");
}

absl::Status CheckoutService::Quote(const StoreContext& store, absl::Time deadline,
                                    const v1::QuoteCartRequest& request,
                                    v1::QuoteCartResponse* response,
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

  // Every program gets the cart at once; merging follows the store's order.
  struct Call {
    const StoreProgram* program;
    connectors::Connector* connector;
    std::unique_ptr<PendingCall<connectors::QuoteResult>> pending;
  };
  std::vector<Call> calls;
  for (const auto& program : store.programs) {
    connectors::Connector* connector = ConnectorFor(program);
    if (connector == nullptr || !connector->capabilities().quote) continue;
    auto context = Context(program, deadline, cancelled);
    calls.push_back({&program, connector,
                     std::make_unique<PendingCall<connectors::QuoteResult>>(
                         [&](auto done) { connector->Quote(context, ask, std::move(done)); })});
  }
  for (auto& call : calls) {
    Outcome<connectors::QuoteResult> outcome = call.pending->Wait();
    Journal(JournalEntry(store.store_id, *call.program->config, "quote", *call.pending, outcome));
    const std::string who = DescribeProgram(*call.program, call.connector);
    QuoteProgramRecord record;
    record.program_id = call.program->config->id;
    if (!outcome.approved()) {
      const absl::Status status = StatusFromOutcome(who, outcome);
      if (call.program->required && outcome.failed()) return status;
      record.used = false;
      record.skip_reason = SkipReason(status);
      quote.programs.push_back(std::move(record));
      continue;
    }
    const connectors::QuoteResult& result = outcome.value();
    const ProgramUses& uses = call.program->uses;
    record.used = true;
    if (result.account) record.vendor_customer_id = result.account->vendor_customer_id;
    if (uses.discounts) {
      record.discount_minor = MergeDiscounts(quote.lines, record.program_id, result.discounts);
    }
    if (uses.points) {
      record.spendable_centipoints = result.spendable_centipoints;
      record.earn_centipoints = result.earn_centipoints;
      // Points the broker's ledger holds for this customer are not the
      // vendor's to offer again (vendor-side holds the vendor counts itself).
      if (!call.connector->capabilities().hold && !record.vendor_customer_id.empty()) {
        auto held = deps_.holds.ActiveAmount(record.program_id, record.vendor_customer_id);
        if (!held.ok()) return held.status();
        record.spendable_centipoints = std::max<int64_t>(0, record.spendable_centipoints - *held);
      }
    }
    record.vendor_reference = result.vendor_reference;
    record.explanation = result.explanation;
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
  }
  return absl::OkStatus();
}

}  // namespace loyalty::broker
