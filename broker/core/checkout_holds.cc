// HoldPoints and ReleaseHold: the vendor's own holds where it has them, the
// broker's ledger otherwise.

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/core/cart_math.h"
#include "broker/core/checkout_service.h"
#include "broker/core/journal_entry.h"
#include "broker/core/proto_mapping.h"
#include "broker/core/vendor_errors.h"

namespace loyalty::broker {

absl::Status CheckoutService::Hold(const StoreContext& store, absl::Time deadline,
                                   const v1::HoldPointsRequest& request,
                                   v1::HoldPointsResponse* response) {
  const StoreProgram* program = store.FindProgram(request.program());
  if (program == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("program: the store has no program \"", request.program(), "\""));
  }
  auto quote = deps_.quotes.Load(store.store_id, request.quote_id());
  if (!quote.ok()) return quote.status();
  const QuoteProgramRecord* quoted = quote->FindProgram(program->config->id);
  if (quoted == nullptr || !quoted->used || quoted->vendor_customer_id.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("program ", request.program(), " has no account for this quote's customer"));
  }
  connectors::Connector* connector = ConnectorFor(*program);
  if (connector == nullptr || !connector->capabilities().book) {
    return absl::FailedPreconditionError(
        absl::StrCat(DescribeProgram(*program, connector),
                     " does not book purchases: its points cannot be held or spent"));
  }
  HoldRecord hold;
  hold.store_id = store.store_id;
  hold.program_id = program->config->id;
  hold.quote_id = quote->quote_id;
  hold.vendor_customer_id = quoted->vendor_customer_id;
  hold.amount_centipoints = request.amount_centipoints();

  if (connector->capabilities().hold) {
    connectors::HoldRequest ask{quoted->vendor_customer_id, request.amount_centipoints(),
                                request.ttl_seconds()};
    auto context = Context(*program, deadline);
    PendingCall<connectors::HoldResult> call(
        [&](auto done) { connector->Hold(context, ask, std::move(done)); });
    auto outcome = call.Wait();
    VendorOperation op = JournalEntry(store.store_id, *program->config, "hold", call, outcome);
    op.quote_id = quote->quote_id;
    op.points_centipoints = request.amount_centipoints();
    Journal(op);
    if (!outcome.approved()) {
      return StatusFromOutcome(DescribeProgram(*program, connector), outcome);
    }
    hold.mode = "vendor";
    hold.amount_centipoints = outcome.value().amount_centipoints;
    hold.expires_at_unix = outcome.value().expires_at_unix;
  } else {
    const int ttl =
        request.ttl_seconds() > 0 ? request.ttl_seconds() : deps_.settings.ledger_hold_ttl_seconds;
    hold.mode = "ledger";
    hold.expires_at_unix = absl::ToUnixSeconds(absl::Now()) + ttl;
    // The broker's ledger: what the quote offered, less what other tills
    // hold since and what this quote holds already; checked and written
    // under one lock so two tills cannot hold the same points.
    auto check = [&](const HoldRepository::LedgerHeld& held) {
      const int64_t available = LedgerSpendLimit(quoted->spendable_centipoints,
                                                 quoted->ledger_held_centipoints, held.by_others) -
                                held.by_this_quote;
      if (request.amount_centipoints() <= available) return absl::OkStatus();
      return absl::FailedPreconditionError(absl::StrCat("amount_centipoints: only ",
                                                        std::max<int64_t>(available, 0),
                                                        " centipoints can be held for this quote"));
    };
    if (auto status = deps_.holds.InsertLedger(hold, check); !status.ok()) return status;
  }
  if (hold.mode == "vendor") {
    if (auto status = deps_.holds.Insert(hold); !status.ok()) return status;
  }
  response->set_hold_id(hold.hold_id);
  response->set_program(program->config->code);
  response->set_amount_centipoints(hold.amount_centipoints);
  SetTimestamp(hold.expires_at_unix, response->mutable_expires_at());
  response->set_status(v1::HOLD_STATUS_ACTIVE);
  return absl::OkStatus();
}

absl::Status CheckoutService::Release(const StoreContext& store, absl::Time deadline,
                                      const v1::ReleaseHoldRequest& request,
                                      v1::ReleaseHoldResponse* response) {
  auto hold = deps_.holds.Load(store.store_id, request.hold_id());
  if (!hold.ok()) return hold.status();
  response->set_hold_id(hold->hold_id);
  if (hold->status != "active") {  // released, consumed or expired: nothing to do
    response->set_status(HoldStatusToProto(hold->status));
    return absl::OkStatus();
  }
  const StoreProgram* program = store.FindProgram(hold->program_id);
  if (program == nullptr) return absl::FailedPreconditionError("the hold's program is disabled");
  connectors::Connector* connector = ConnectorFor(*program);
  if (hold->mode == "vendor" && connector != nullptr) {
    connectors::ReleaseRequest ask{hold->vendor_customer_id};
    auto context = Context(*program, deadline);
    PendingCall<connectors::ReleaseResult> call(
        [&](auto done) { connector->Release(context, ask, std::move(done)); });
    auto outcome = call.Wait();
    VendorOperation op = JournalEntry(store.store_id, *program->config, "release", call, outcome);
    op.hold_id = hold->hold_id;
    Journal(op);
    if (!outcome.approved()) {
      return StatusFromOutcome(DescribeProgram(*program, connector), outcome);
    }
  }
  auto closed = deps_.holds.Close(store.store_id, hold->hold_id, "released", 0);
  if (!closed.ok()) return closed.status();
  if (hold->mode == "vendor") {
    // The vendor's release drops every hold of the client at the point.
    if (auto status =
            deps_.holds.CloseVendorHoldsOf(hold->program_id, hold->vendor_customer_id, "released");
        !status.ok()) {
      return status;
    }
  }
  response->set_status(*closed ? v1::HOLD_STATUS_RELEASED : v1::HOLD_STATUS_EXPIRED);
  return absl::OkStatus();
}

}  // namespace loyalty::broker
