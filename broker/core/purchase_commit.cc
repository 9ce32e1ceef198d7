#include "broker/core/purchase_commit.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/common/call_deadline.h"
#include "broker/common/error_reasons.h"
#include "broker/common/hashing.h"
#include "broker/common/status_details.h"
#include "broker/core/booking_plan.h"
#include "broker/core/cart_math.h"
#include "broker/core/proto_mapping.h"
#include "broker/core/vendor_errors.h"

namespace loyalty::broker {
namespace {

constexpr char kCommitMethod[] = "CommitPurchase";

std::string RequestFingerprint(const v1::CommitPurchaseRequest& request) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  request.SerializeToCodedStream(&coded);
  coded.Trim();
  return Sha256Hex(bytes);
}

}  // namespace

absl::StatusOr<int64_t> PurchaseCommit::SpendLimit(const StoreProgram& program,
                                                   const QuoteRecord& quote,
                                                   const QuoteProgramRecord& quoted) {
  connectors::Connector* connector = calls_.ConnectorFor(program);
  if (connector != nullptr && connector->capabilities().hold) {
    return quoted.spendable_centipoints;  // the vendor counts its own holds
  }
  // The broker's ledger: what other quotes of this customer hold now, beyond
  // what they held when this quote was priced, is no longer this quote's.
  auto held_by_all = deps_.holds.ActiveAmount(program.config->id, quoted.vendor_customer_id);
  if (!held_by_all.ok()) return held_by_all.status();
  auto held_here =
      deps_.holds.ActiveAmount(program.config->id, quoted.vendor_customer_id, quote.quote_id);
  if (!held_here.ok()) return held_here.status();
  return LedgerSpendLimit(quoted.spendable_centipoints, quoted.ledger_held_centipoints,
                          *held_by_all - *held_here);
}

void PurchaseCommit::MarkDroppedVendorHolds(const StoreContext& store,
                                            PurchaseRecord& purchase) const {
  for (auto& p : purchase.programs) {
    const StoreProgram* program = store.FindProgram(p.program_id);
    connectors::Connector* connector = program ? calls_.ConnectorFor(*program) : nullptr;
    p.dropped_vendor_holds = connector != nullptr && connector->capabilities().hold &&
                             p.state != BookingState::kPending && !p.Skipped();
  }
}

absl::Status PurchaseCommit::Commit(const StoreContext& store, absl::Time deadline,
                                    const v1::CommitPurchaseRequest& request,
                                    v1::PurchaseResponse* response) {
  const KeyClaim claim{kCommitMethod, RequestFingerprint(request)};
  // A quote this process answered a moment ago is at hand: the commit goes
  // straight to its intent, which claims the key. When it does not get that
  // far (refused before its intent, or the key is another request's), the
  // key may hold an answer that comes first: the commit starts again below.
  if (auto quote = deps_.quotes.Recent(store.store_id, request.quote_id())) {
    Reached reached = Reached::kNothingWritten;
    absl::Status status =
        CommitUnclaimed(store, deadline, request, claim, *quote, response, reached);
    if (reached == Reached::kIntent) return status;
  }
  // Read first: the key is claimed only with the purchase's intent, so a
  // commit refused before it writes nothing and costs one synchronous
  // commit less. The quote comes with the key, in the same round trip. A
  // retry that lost the race to claim the key reads both again.
  for (int attempt = 0;; ++attempt) {
    auto start = deps_.commit_reads.Read(store.store_id, request.idempotency_key(), claim.method,
                                         claim.request_hash, request.quote_id());
    if (!start.ok()) return start.status();
    const absl::StatusOr<IdempotencyClaim>& found = start->key;
    if (!found.ok()) return found.status();
    if (found->state == IdempotencyClaim::State::kInProgress) {
      return AnswerUnfinished(store, request, response);
    }
    if (found->state == IdempotencyClaim::State::kReplay) {
      if (!found->status.ok()) return found->status;
      if (!response->ParseFromString(found->response)) {
        return ReasonedError(absl::StatusCode::kInternal, ErrorReason::kInternal,
                             "stored answer for this idempotency key is unreadable");
      }
      return absl::OkStatus();
    }
    if (!start->quote.ok()) return start->quote.status();
    Reached reached = Reached::kNothingWritten;
    absl::Status status =
        CommitUnclaimed(store, deadline, request, claim, *start->quote, response, reached);
    if (reached != Reached::kKeyTaken || attempt > 0) return status;
  }
}

absl::Status PurchaseCommit::AnswerUnfinished(const StoreContext& store,
                                              const v1::CommitPurchaseRequest& request,
                                              v1::PurchaseResponse* response) {
  auto running = [] {
    return WithRetryDelay(
        ReasonedError(absl::StatusCode::kAborted, ErrorReason::kRequestInProgress,
                      "idempotency_key: the first request with this key is still running"),
        absl::Seconds(1));
  };
  auto purchase = deps_.purchases.LoadByOrder(store.store_id, request.order_number());
  if (absl::IsNotFound(purchase.status())) return running();  // not written yet
  if (!purchase.ok()) return purchase.status();
  if (purchase->idempotency_key != request.idempotency_key()) return running();
  if (purchase->state == PurchaseState::kInDoubt) {
    // A definite answer: in doubt, why, and where; the same retry answers
    // the settled purchase once reconciliation or an operator settles it.
    ProgramParty party{"", ""};
    for (const auto& p : purchase->programs) {
      if (p.state != BookingState::kInDoubt) continue;
      if (const StoreProgram* program = store.FindProgram(p.program_id)) {
        party = PartyOf(*program, calls_.ConnectorFor(*program));
      }
      break;
    }
    return InDoubtError(purchase->order_number, party, purchase->failure_reason);
  }
  if (purchase->state == PurchaseState::kBooked || purchase->state == PurchaseState::kConfirmed ||
      purchase->state == PurchaseState::kCancelled) {
    PurchaseToProto(*purchase, store, response);  // settled after the first answer
    return absl::OkStatus();
  }
  return running();  // pending: the commit (or its recovery) is still at work
}

absl::Status PurchaseCommit::CommitUnclaimed(const StoreContext& store, absl::Time deadline,
                                             const v1::CommitPurchaseRequest& request,
                                             const KeyClaim& claim, const QuoteRecord& quote,
                                             v1::PurchaseResponse* response, Reached& reached) {
  std::map<int64_t, int64_t> spend_by_program;
  int64_t spend_total = 0;
  for (int i = 0; i < request.spend_size(); ++i) {
    const auto& spend = request.spend(i);
    const StoreProgram* program = store.FindProgram(spend.program());
    const QuoteProgramRecord* quoted =
        program == nullptr ? nullptr : quote.FindProgram(program->config->id);
    if (quoted == nullptr || !quoted->used || quoted->vendor_customer_id.empty()) {
      return InvalidFields(
          {{absl::StrCat("spend[", i, "].program"),
            absl::StrCat("\"", spend.program(), "\" has no account in this quote")}});
    }
    connectors::Connector* connector = calls_.ConnectorFor(*program);
    if (connector == nullptr || !connector->capabilities().book) {
      const ProgramParty party = PartyOf(*program, connector);
      return ReasonedError(absl::StatusCode::kFailedPrecondition,
                           ErrorReason::kNotSupportedByVendor,
                           absl::StrCat(party.Who(), " cannot spend points"),
                           {{"program", party.program}, {"vendor", party.vendor}});
    }
    auto limit = SpendLimit(*program, quote, *quoted);
    if (!limit.ok()) return limit.status();
    if (spend.amount_centipoints() > *limit) {
      return ReasonedError(
          absl::StatusCode::kFailedPrecondition, ErrorReason::kInsufficientPoints,
          absl::StrCat("spend[", i, "].amount_centipoints: at most ", *limit, " centipoints of ",
                       spend.program(), " can be spent on this quote (",
                       quoted->spendable_centipoints, " quoted, less what other tills hold since)"),
          {{"program", spend.program()}, {"available_centipoints", absl::StrCat(*limit)}});
    }
    spend_by_program[program->config->id] += spend.amount_centipoints();
    spend_total += spend.amount_centipoints();
  }
  if (spend_total > quote.total_minor) {
    return InvalidFields({{"spend", absl::StrCat(spend_total, " centipoints exceed the ",
                                                 quote.total_minor, " minor units left to pay")}});
  }
  std::vector<HoldRecord> holds;
  for (int i = 0; i < request.hold_ids_size(); ++i) {
    auto hold = deps_.holds.Load(store.store_id, request.hold_ids(i));
    if (!hold.ok()) {
      return Reworded(hold.status(), absl::StrCat("hold_ids[", i, "]: ", hold.status().message()));
    }
    if (hold->state != HoldState::kActive) {
      return ReasonedError(
          absl::StatusCode::kFailedPrecondition, ErrorReason::kHoldNotActive,
          absl::StrCat("hold_ids[", i, "]: the hold is ", std::string(HoldStateName(hold->state))),
          {{"hold_id", hold->hold_id}});
    }
    // A hold is the points of one customer at one program: it must be the
    // quote's customer at a program this purchase spends at.
    const QuoteProgramRecord* quoted = quote.FindProgram(hold->program_id);
    if (quoted == nullptr || quoted->vendor_customer_id != hold->vendor_customer_id ||
        !spend_by_program.contains(hold->program_id)) {
      return ReasonedError(
          absl::StatusCode::kFailedPrecondition, ErrorReason::kHoldNotForPurchase,
          absl::StrCat("hold_ids[", i,
                       "]: the hold is not for this quote's customer at a program it spends at"),
          {{"hold_id", hold->hold_id}});
    }
    holds.push_back(*hold);
  }

  PurchaseRecord purchase;
  purchase.store_id = store.store_id;
  purchase.order_number = request.order_number();
  purchase.quote_id = quote.quote_id;
  purchase.idempotency_key = request.idempotency_key();
  purchase.lines = quote.lines;
  purchase.total_before_minor = quote.total_before_minor;
  purchase.discount_minor = quote.discount_minor;
  purchase.total_minor = quote.total_minor;
  purchase.spent_centipoints = spend_total;
  purchase.paid_minor = quote.total_minor - spend_total;
  for (const auto& hold : holds) purchase.hold_ids.push_back(hold.hold_id);
  std::vector<size_t> booking_index;  // candidate -> purchase.programs
  std::vector<BookingCandidate> candidates;
  for (const auto& program : store.programs) {  // booking follows the store's order
    const QuoteProgramRecord* quoted = quote.FindProgram(program.config->id);
    connectors::Connector* connector = calls_.ConnectorFor(program);
    if (quoted == nullptr || connector == nullptr || !connector->capabilities().book) continue;
    PurchaseProgramRecord p;
    p.program_id = program.config->id;
    if (!quoted->used) {
      // Unreachable at the quote: the customer's points there cannot be
      // booked now. Said plainly, never left out silently. (A customer the
      // vendor did not know has nothing to book there.)
      if (!quote.customer || !program.uses.points || !quoted->unreachable) continue;
      p.Become(BookingState::kSkipped, quoted->skip_reason);
      purchase.programs.push_back(p);
      continue;
    }
    if (quoted->vendor_customer_id.empty()) continue;
    p.vendor_customer_id = quoted->vendor_customer_id;
    p.spend_centipoints = spend_by_program[program.config->id];
    p.Become(BookingState::kPending);
    booking_index.push_back(purchase.programs.size());
    candidates.push_back({connector->capabilities().cancel, p.spend_centipoints > 0});
    purchase.programs.push_back(p);
  }
  auto plan = PlanBookings(candidates);
  if (!plan.ok()) return plan.status();
  for (BookingStep& step : *plan) step.index = booking_index[step.index];

  reached = Reached::kIntent;
  auto written = deps_.purchases.WriteIntent(purchase, claim);
  if (!written.ok()) return written.status();
  if (!*written) {
    // Another request with this key claimed it meanwhile: its answer is ours.
    reached = Reached::kKeyTaken;
    return WithRetryDelay(
        ReasonedError(absl::StatusCode::kAborted, ErrorReason::kRequestInProgress,
                      "idempotency_key: the first request with this key is still running"),
        absl::Seconds(1));
  }

  std::vector<OutboxEntry> outbox;
  const absl::Status outcome_status = saga_.Run(store, deadline, quote, *plan, purchase, outbox);
  if (outcome_status.ok()) {
    // Confirmed unless a vendor still waits for the till's confirm.
    auto awaits_confirm = [&](const PurchaseProgramRecord& p) {
      if (p.state == BookingState::kApproved) return !p.confirmed;
      return p.state == BookingState::kQueued &&
             calls_.ConnectorFor(*store.FindProgram(p.program_id))->capabilities().confirm;
    };
    const bool all_confirmed =
        std::none_of(purchase.programs.begin(), purchase.programs.end(), awaits_confirm);
    purchase.state = all_confirmed ? PurchaseState::kConfirmed : PurchaseState::kBooked;
    purchase.TotalFromPrograms();
  } else {
    purchase.TotalNothingSpent();
  }

  auto now = absl::ToUnixSeconds(absl::Now());
  purchase.created_at_unix = now;
  purchase.updated_at_unix = now;
  v1::PurchaseResponse answer;
  if (outcome_status.ok()) PurchaseToProto(purchase, store, &answer);

  std::optional<StoredAnswer> stored;
  // A purchase that failed before any vendor acted, or is in doubt, keeps no
  // answer: the first may be retried with the same key, the second waits
  // for reconciliation (retries get ABORTED meanwhile).
  if (purchase.state != PurchaseState::kFailed && purchase.state != PurchaseState::kInDoubt) {
    stored = StoredAnswer{request.idempotency_key(), outcome_status, answer.SerializeAsString()};
  }
  MarkDroppedVendorHolds(store, purchase);
  // What the vendors did is written down even past the caller's deadline
  // (cut only if the database hangs): a till that gave up retries and gets
  // this answer, where a cut here would leave the purchase to recovery.
  const CallDeadlineScope outcome_outlives_the_call(absl::InfiniteFuture());
  if (auto status = deps_.purchases.WriteOutcome(purchase, stored, outbox); !status.ok()) {
    return status;
  }
  deps_.observer.OnCommitted(purchase, store);
  if (purchase.state == PurchaseState::kFailed) {
    // No vendor acted: the key is given up, and a retry with it may commit.
    if (auto forgot = deps_.idempotency.Forget(store.store_id, request.idempotency_key());
        !forgot.ok()) {
      return forgot;
    }
  }
  if (!outcome_status.ok()) return outcome_status;
  *response = std::move(answer);
  return absl::OkStatus();
}

}  // namespace loyalty::broker
