#include "broker/core/point_holds.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/common/error_reasons.h"
#include "broker/core/cart_math.h"
#include "broker/core/proto_mapping.h"
#include "broker/core/vendor_errors.h"

namespace loyalty::broker {

absl::Status PointHolds::Hold(const StoreContext& store, absl::Time deadline,
                              const v1::HoldPointsRequest& request,
                              v1::HoldPointsResponse* response) {
  const StoreProgram* program = store.FindProgram(request.program());
  if (program == nullptr) {
    return InvalidFields(
        {{"program", absl::StrCat("the store has no program \"", request.program(), "\"")}});
  }
  auto quote = deps_.quotes.Load(store.store_id, request.quote_id());
  if (!quote.ok()) return quote.status();
  const QuoteProgramRecord* quoted = quote->FindProgram(program->config->id);
  if (quoted == nullptr || !quoted->used || quoted->vendor_customer_id.empty()) {
    return ReasonedError(
        absl::StatusCode::kFailedPrecondition, ErrorReason::kCustomerNotFound,
        absl::StrCat("program ", request.program(), " has no account for this quote's customer"),
        {{"program", request.program()}});
  }
  connectors::Connector* connector = calls_.ConnectorFor(*program);
  if (connector == nullptr || !connector->capabilities().book) {
    const ProgramParty party = PartyOf(*program, connector);
    return ReasonedError(
        absl::StatusCode::kFailedPrecondition, ErrorReason::kNotSupportedByVendor,
        absl::StrCat(party.Who(), " does not book purchases: its points cannot be held or spent"),
        {{"program", party.program}, {"vendor", party.vendor}});
  }
  // A hold serves the commit of its quote: it never outlives the quote, nor
  // what the vendor grants. Longer is refused, never cut silently.
  const int64_t quote_left = quote->expires_at_unix - absl::ToUnixSeconds(absl::Now());
  const int vendor_max =
      connector->capabilities().hold ? connector->capabilities().max_hold_seconds : 0;
  int64_t max_ttl = quote_left;
  if (vendor_max > 0) max_ttl = std::min<int64_t>(max_ttl, vendor_max);
  if (request.ttl_seconds() > max_ttl) {
    return ReasonedError(
        absl::StatusCode::kFailedPrecondition, ErrorReason::kHoldTtlTooLong,
        absl::StrCat(
            "ttl_seconds: at most ", std::max<int64_t>(max_ttl, 0), " seconds (",
            max_ttl == quote_left ? "the quote expires then" : "the longest hold the vendor grants",
            ")"),
        {{"program", request.program()}, {"max_ttl_seconds", absl::StrCat(max_ttl)}});
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
    auto outcome = calls_.Hold(*program, deadline, ask, store.store_id, quote->quote_id);
    if (!outcome.approved()) {
      return StatusFromOutcome(PartyOf(*program, connector), outcome);
    }
    hold.mode = HoldMode::kVendor;
    hold.amount_centipoints = outcome.value().amount_centipoints;
    hold.expires_at_unix = outcome.value().expires_at_unix;
  } else {
    const int64_t ttl = request.ttl_seconds() > 0
                            ? request.ttl_seconds()
                            : std::min<int64_t>(deps_.settings.ledger_hold_ttl_seconds, quote_left);
    hold.mode = HoldMode::kLedger;
    hold.expires_at_unix = absl::ToUnixSeconds(absl::Now()) + ttl;
    // The broker's ledger: what the quote offered, less what other tills
    // hold since and what this quote holds already; checked and written
    // under one lock so two tills cannot hold the same points.
    auto check = [&](const LedgerHeld& held) {
      const int64_t available = LedgerSpendLimit(quoted->spendable_centipoints,
                                                 quoted->ledger_held_centipoints, held.by_others) -
                                held.by_this_quote;
      if (request.amount_centipoints() <= available) return absl::OkStatus();
      return ReasonedError(
          absl::StatusCode::kFailedPrecondition, ErrorReason::kInsufficientPoints,
          absl::StrCat("amount_centipoints: only ", std::max<int64_t>(available, 0),
                       " centipoints can be held for this quote"),
          {{"program", request.program()},
           {"available_centipoints", absl::StrCat(std::max<int64_t>(available, 0))}});
    };
    if (auto status = deps_.holds.InsertLedger(hold, check); !status.ok()) return status;
  }
  if (hold.mode == HoldMode::kVendor) {
    if (auto status = deps_.holds.Insert(hold); !status.ok()) return status;
  }
  response->set_hold_id(hold.hold_id);
  response->set_program(program->config->code);
  response->set_amount_centipoints(hold.amount_centipoints);
  SetTimestamp(hold.expires_at_unix, response->mutable_expires_at());
  response->set_status(v1::HOLD_STATUS_ACTIVE);
  return absl::OkStatus();
}

absl::Status PointHolds::Release(const StoreContext& store, absl::Time deadline,
                                 const v1::ReleaseHoldRequest& request,
                                 v1::ReleaseHoldResponse* response) {
  auto hold = deps_.holds.Load(store.store_id, request.hold_id());
  if (!hold.ok()) return hold.status();
  response->set_hold_id(hold->hold_id);
  if (hold->state != HoldState::kActive) {  // released, consumed or expired: nothing to do
    response->set_status(HoldStateToProto(hold->state));
    return absl::OkStatus();
  }
  const StoreProgram* program = store.FindProgram(hold->program_id);
  if (program == nullptr) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kProgramDisabled,
                         "the hold's program is disabled");
  }
  connectors::Connector* connector = calls_.ConnectorFor(*program);
  if (hold->mode == HoldMode::kVendor && connector != nullptr) {
    connectors::ReleaseRequest ask{hold->vendor_customer_id};
    auto outcome = calls_.Release(*program, deadline, ask, store.store_id, hold->hold_id);
    if (!outcome.approved()) {
      return StatusFromOutcome(PartyOf(*program, connector), outcome);
    }
  }
  auto closed = deps_.holds.Close(store.store_id, hold->hold_id, HoldState::kReleased, 0);
  if (!closed.ok()) return closed.status();
  if (hold->mode == HoldMode::kVendor) {
    // The vendor's release drops every hold of the client at the point.
    if (auto status = deps_.holds.CloseVendorHoldsOf(hold->program_id, hold->vendor_customer_id,
                                                     HoldState::kReleased);
        !status.ok()) {
      return status;
    }
  }
  response->set_status(*closed ? v1::HOLD_STATUS_RELEASED : v1::HOLD_STATUS_EXPIRED);
  return absl::OkStatus();
}

}  // namespace loyalty::broker
