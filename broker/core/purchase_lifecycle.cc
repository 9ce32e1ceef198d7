#include "broker/core/purchase_lifecycle.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/common/call_deadline.h"
#include "broker/common/error_reasons.h"
#include "broker/core/proto_mapping.h"
#include "broker/core/vendor_errors.h"

namespace loyalty::broker {

struct Transition {
  PurchaseAction action;
  BookingOperation operation;       // as recorded on each program
  const char* verb;                 // for messages
  std::vector<PurchaseState> from;  // purchase states it applies to
  std::optional<PurchaseState> to;  // state after success; none: unchanged
  bool (*native)(const connectors::Capabilities&);
};

namespace {

const Transition kConfirm{PurchaseAction::kConfirm,
                          BookingOperation::kConfirm,
                          "confirm",
                          {PurchaseState::kBooked},
                          PurchaseState::kConfirmed,
                          [](const connectors::Capabilities& c) { return c.confirm; }};
const Transition kCancel{PurchaseAction::kCancel,
                         BookingOperation::kCancel,
                         "cancel",
                         {PurchaseState::kBooked, PurchaseState::kConfirmed},
                         PurchaseState::kCancelled,
                         [](const connectors::Capabilities& c) { return c.cancel; }};
const Transition kRestore{PurchaseAction::kRestore,
                          BookingOperation::kRestore,
                          "restore",
                          {PurchaseState::kCancelled},
                          PurchaseState::kBooked,
                          [](const connectors::Capabilities& c) { return c.restore; }};
const Transition kReassign{PurchaseAction::kReassign,
                           BookingOperation::kReassign,
                           "reassign",
                           {PurchaseState::kBooked, PurchaseState::kConfirmed},
                           std::nullopt,
                           [](const connectors::Capabilities& c) { return c.reassign; }};

}  // namespace

absl::Status PurchaseLifecycle::Apply(const StoreContext& store, absl::Time deadline,
                                      const Transition& transition, const std::string& order_number,
                                      const v1::CustomerIdentifier* new_customer,
                                      v1::PurchaseResponse* response) {
  // One operation at a time per purchase, outbox delivery included: two
  // tills confirming and cancelling at once must not overwrite each other.
  auto claimed = deps_.purchases.ClaimBusy(store.store_id, order_number, transition.verb,
                                           absl::Seconds(30) + (deadline - absl::Now()));
  if (!claimed.ok()) return claimed.status();
  if (!claimed->has_value()) {
    // Busy, or no such order: only the rare path reads to tell which.
    auto found = deps_.purchases.LoadByOrder(store.store_id, order_number);
    if (!found.ok()) return found.status();
    return ReasonedError(
        absl::StatusCode::kAborted, ErrorReason::kPurchaseBusy,
        absl::StrCat("purchase ", order_number, " is busy with another operation; try again"),
        {{"order_number", order_number}});
  }
  absl::Status status =
      ApplyClaimed(store, deadline, transition, order_number, new_customer, response);
  if (auto released = deps_.purchases.ReleaseBusy(**claimed); !released.ok()) {
    return released;
  }
  return status;
}

absl::Status PurchaseLifecycle::ApplyClaimed(const StoreContext& store, absl::Time deadline,
                                             const Transition& transition,
                                             const std::string& order_number,
                                             const v1::CustomerIdentifier* new_customer,
                                             v1::PurchaseResponse* response) {
  // Read again under the claim: what another operation wrote is seen.
  auto purchase = deps_.purchases.LoadByOrder(store.store_id, order_number);
  if (!purchase.ok()) return purchase.status();
  // Confirming a confirmed purchase, cancelling a cancelled one: already done.
  if (transition.to && purchase->state == *transition.to) {
    PurchaseToProto(*purchase, store, response);
    return absl::OkStatus();
  }
  if (std::find(transition.from.begin(), transition.from.end(), purchase->state) ==
      transition.from.end()) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kPurchaseState,
                         absl::StrCat("cannot ", transition.verb, " purchase ", order_number,
                                      ": it is ", std::string(PurchaseStateName(purchase->state))),
                         {{"order_number", order_number},
                          {"status", std::string(PurchaseStateName(purchase->state))}});
  }
  const PurchaseAction action = transition.action;
  // Done here by an earlier attempt that failed at a later program.
  auto done_here = [&](const PurchaseProgramRecord& p) {
    return p.state == BookingState::kApproved && p.last_operation == transition.operation;
  };
  // Programs with a booking to act on: not one skipped at the quote.
  auto booked = [](const PurchaseProgramRecord& p) { return !p.Skipped(); };
  // Nothing was booked at any vendor (e.g. a store on Artix, which only
  // calculates): there is no one to ask, and the broker will not pretend.
  if (std::none_of(purchase->programs.begin(), purchase->programs.end(), booked) &&
      action != PurchaseAction::kConfirm) {
    std::vector<std::string> vendors;
    for (const auto& program : store.programs) {
      connectors::Connector* connector = calls_.ConnectorFor(program);
      vendors.push_back(connector ? std::string(connector->DisplayName()) : program.config->vendor);
    }
    if (!purchase->programs.empty()) {  // its points programs were all skipped at the quote
      return ReasonedError(
          absl::StatusCode::kFailedPrecondition, ErrorReason::kPurchaseState,
          absl::StrCat("no program booked purchase ", order_number,
                       " (each was unreachable at the quote): there is nothing to ",
                       transition.verb),
          {{"order_number", order_number}});
    }
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kNotSupportedByVendor,
                         absl::StrCat(absl::StrJoin(vendors, ", "), " cannot ", transition.verb,
                                      " a booked purchase"),
                         {{"vendor", absl::StrJoin(vendors, ",")}});
  }
  // Every program must be able to do it before any is asked. A booking
  // still queued in the outbox has nothing at its vendor yet: confirming or
  // cancelling the purchase is enough (delivery books it confirmed, or
  // drops it); restoring or moving it must wait for the delivery.
  auto queued = [](const PurchaseProgramRecord& p) { return p.state == BookingState::kQueued; };
  for (const auto& p : purchase->programs) {
    if (!booked(p)) continue;
    const StoreProgram* program = store.FindProgram(p.program_id);
    if (program == nullptr) {
      return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kProgramDisabled,
                           "a program of the purchase is disabled");
    }
    connectors::Connector* connector = calls_.ConnectorFor(*program);
    if (queued(p) && (action == PurchaseAction::kRestore || action == PurchaseAction::kReassign)) {
      const ProgramParty party = PartyOf(*program, connector);
      return WithRetryDelay(
          ReasonedError(absl::StatusCode::kUnavailable, ErrorReason::kVendorUnavailable,
                        absl::StrCat(party.Who(),
                                     ": the booking is still waiting in the outbox "
                                     "for the vendor; try again later"),
                        {{"program", party.program}, {"vendor", party.vendor}}),
          absl::Seconds(10));
    }
    if (connector == nullptr || !transition.native(connector->capabilities())) {
      if (action == PurchaseAction::kConfirm) continue;  // booked as final: nothing to confirm
      const std::string vendor =
          connector ? std::string(connector->DisplayName()) : program->config->vendor;
      return ReasonedError(absl::StatusCode::kFailedPrecondition,
                           ErrorReason::kNotSupportedByVendor,
                           absl::StrCat(vendor, " cannot ", transition.verb, " a booked purchase"),
                           {{"program", program->config->code}, {"vendor", vendor}});
    }
  }
  bool all_confirmed = true;  // for restore: what the vendors say now
  for (auto& p : purchase->programs) {
    if (!booked(p)) continue;
    const StoreProgram* program = store.FindProgram(p.program_id);
    connectors::Connector* connector = calls_.ConnectorFor(*program);
    if (!transition.native(connector->capabilities()) || queued(p)) continue;
    if (done_here(p) && action != PurchaseAction::kReassign) continue;
    connectors::PurchaseRef ref{order_number, p.vendor_reference, std::nullopt};
    if (new_customer != nullptr) ref.new_customer = CustomerFromProto(*new_customer);
    auto outcome =
        calls_.OnPurchase(*program, deadline, action, ref, store.store_id, purchase->purchase_id);
    if (!outcome.approved()) {
      // What the programs before this one did stays recorded: a retry
      // skips them, and the purchase's own state is unchanged. Written
      // even past the caller's deadline, as a commit's outcome is.
      const CallDeadlineScope outcome_outlives_the_call(absl::InfiniteFuture());
      if (auto written = deps_.purchases.WriteOutcome(*purchase, std::nullopt); !written.ok()) {
        return written;
      }
      return StatusFromOutcome(PartyOf(*program, connector), outcome);
    }
    if (!outcome.value().vendor_reference.empty())
      p.vendor_reference = outcome.value().vendor_reference;
    if (!outcome.value().vendor_customer_id.empty())
      p.vendor_customer_id = outcome.value().vendor_customer_id;
    all_confirmed = all_confirmed && outcome.value().confirmed;
    p.Become(BookingState::kApproved, "", transition.operation);
    // The confirm credits what the booking earned; after the others the
    // balance is no longer the broker's to reckon.
    if (action == PurchaseAction::kConfirm && p.balance_after_centipoints) {
      *p.balance_after_centipoints += p.earned_centipoints;
    } else if (action != PurchaseAction::kConfirm) {
      p.balance_after_centipoints.reset();
    }
  }
  if (transition.to) purchase->state = *transition.to;
  // A purchase confirmed before it was cancelled comes back confirmed.
  if (action == PurchaseAction::kRestore && all_confirmed)
    purchase->state = PurchaseState::kConfirmed;
  {
    const CallDeadlineScope outcome_outlives_the_call(absl::InfiniteFuture());
    if (auto status = deps_.purchases.WriteOutcome(*purchase, std::nullopt); !status.ok()) {
      return status;
    }
  }
  auto reloaded = deps_.purchases.LoadByOrder(store.store_id, order_number);
  if (!reloaded.ok()) return reloaded.status();
  PurchaseToProto(*reloaded, store, response);
  return absl::OkStatus();
}

absl::Status PurchaseLifecycle::Confirm(const StoreContext& store, absl::Time deadline,
                                        const v1::PurchaseByOrderRequest& request,
                                        v1::PurchaseResponse* response) {
  return Apply(store, deadline, kConfirm, request.order_number(), nullptr, response);
}

absl::Status PurchaseLifecycle::Cancel(const StoreContext& store, absl::Time deadline,
                                       const v1::PurchaseByOrderRequest& request,
                                       v1::PurchaseResponse* response) {
  return Apply(store, deadline, kCancel, request.order_number(), nullptr, response);
}

absl::Status PurchaseLifecycle::Restore(const StoreContext& store, absl::Time deadline,
                                        const v1::PurchaseByOrderRequest& request,
                                        v1::PurchaseResponse* response) {
  return Apply(store, deadline, kRestore, request.order_number(), nullptr, response);
}

absl::Status PurchaseLifecycle::Reassign(const StoreContext& store, absl::Time deadline,
                                         const v1::ReassignPurchaseRequest& request,
                                         v1::PurchaseResponse* response) {
  return Apply(store, deadline, kReassign, request.order_number(), &request.customer(), response);
}

absl::Status PurchaseLifecycle::Get(const StoreContext& store,
                                    const v1::PurchaseByOrderRequest& request,
                                    v1::PurchaseResponse* response) {
  auto purchase = deps_.purchases.LoadByOrder(store.store_id, request.order_number());
  if (!purchase.ok()) return purchase.status();
  PurchaseToProto(*purchase, store, response);
  return absl::OkStatus();
}

}  // namespace loyalty::broker
