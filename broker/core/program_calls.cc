#include "broker/core/program_calls.h"

#include "absl/strings/str_cat.h"
#include "broker/common/logging.h"
#include "broker/core/vendor_figures.h"

namespace loyalty::broker {

const char* ActionName(PurchaseAction action) {
  switch (action) {
    case PurchaseAction::kConfirm:
      return "confirm";
    case PurchaseAction::kCancel:
      return "cancel";
    case PurchaseAction::kRestore:
      return "restore";
    case PurchaseAction::kReassign:
      return "reassign";
    case PurchaseAction::kGet:
      return "get";
  }
  return "unknown";
}

connectors::Connector* ProgramCalls::ConnectorFor(const StoreProgram& program) const {
  return connectors_.Find(program.config->vendor);
}

connectors::CallContext ProgramCalls::Context(const StoreProgram& program, absl::Time deadline,
                                              bool waits_only,
                                              const std::function<bool()>& cancelled) const {
  return connectors::CallContext{program.config, deadline, cancelled, waits_only};
}

connectors::Outcome<connectors::BookResult> ProgramCalls::Book(
    const StoreProgram& program, absl::Time deadline, const connectors::BookRequest& ask,
    const std::string& store_id, int64_t purchase_id, const std::string& quote_id) {
  connectors::Connector* connector = ConnectorFor(program);
  auto context = Context(program, deadline, /*waits_only=*/true);
  PendingCall<connectors::BookResult> call(
      *program.config, [&](auto done) { connector->Book(context, ask, std::move(done)); });
  auto outcome = call.Wait();
  if (outcome.approved()) {
    if (std::string problem = BookedFiguresProblem(ask, outcome.value()); !problem.empty()) {
      // The vendor acted, but not as asked: what it booked is unknown.
      outcome = connectors::Failed{/*retryable=*/false, /*maybe_applied=*/true,
                                   absl::StrCat(std::string(connector->DisplayName()),
                                                "'s booking does not add up: ", problem),
                                   connectors::HeldBack::kNo};
    }
  }
  VendorOperation op = JournalEntry(store_id, *program.config, "book", call, outcome);
  op.purchase_id = purchase_id;
  op.quote_id = quote_id;
  op.amount_minor = ask.amount_minor;
  op.points_centipoints = ask.spend_centipoints;
  if (outcome.approved()) op.vendor_reference = outcome.value().vendor_reference;
  Journal(op);
  return outcome;
}

connectors::Outcome<connectors::PurchaseState> ProgramCalls::OnPurchase(
    const StoreProgram& program, absl::Time deadline, PurchaseAction action,
    const connectors::PurchaseRef& ref, const std::string& store_id, int64_t purchase_id) {
  connectors::Connector* connector = ConnectorFor(program);
  auto context = Context(program, deadline, /*waits_only=*/true);
  PendingCall<connectors::PurchaseState> call(*program.config, [&](auto done) {
    switch (action) {
      case PurchaseAction::kConfirm:
        return connector->Confirm(context, ref, std::move(done));
      case PurchaseAction::kCancel:
        return connector->Cancel(context, ref, std::move(done));
      case PurchaseAction::kRestore:
        return connector->Restore(context, ref, std::move(done));
      case PurchaseAction::kReassign:
        return connector->Reassign(context, ref, std::move(done));
      case PurchaseAction::kGet:
        return connector->Get(context, ref, std::move(done));
    }
  });
  auto outcome = call.Wait();
  VendorOperation op = JournalEntry(store_id, *program.config, ActionName(action), call, outcome);
  op.purchase_id = purchase_id;
  Journal(op);
  return outcome;
}

connectors::Outcome<connectors::HoldResult> ProgramCalls::Hold(const StoreProgram& program,
                                                               absl::Time deadline,
                                                               const connectors::HoldRequest& ask,
                                                               const std::string& store_id,
                                                               const std::string& quote_id) {
  connectors::Connector* connector = ConnectorFor(program);
  auto context = Context(program, deadline, /*waits_only=*/true);
  PendingCall<connectors::HoldResult> call(
      *program.config, [&](auto done) { connector->Hold(context, ask, std::move(done)); });
  auto outcome = call.Wait();
  VendorOperation op = JournalEntry(store_id, *program.config, "hold", call, outcome);
  op.quote_id = quote_id;
  op.points_centipoints = ask.amount_centipoints;
  Journal(op);
  return outcome;
}

connectors::Outcome<connectors::ReleaseResult> ProgramCalls::Release(
    const StoreProgram& program, absl::Time deadline, const connectors::ReleaseRequest& ask,
    const std::string& store_id, const std::string& hold_id) {
  connectors::Connector* connector = ConnectorFor(program);
  auto context = Context(program, deadline, /*waits_only=*/true);
  PendingCall<connectors::ReleaseResult> call(
      *program.config, [&](auto done) { connector->Release(context, ask, std::move(done)); });
  auto outcome = call.Wait();
  VendorOperation op = JournalEntry(store_id, *program.config, "release", call, outcome);
  op.hold_id = hold_id;
  Journal(op);
  return outcome;
}

void ProgramCalls::Journal(VendorOperation operation) {
  observer_.OnVendorCall(operation);
  Log(operation.outcome == "failed" ? LogLevel::kWarning : LogLevel::kInfo, "vendor_call",
      {{"store", operation.store_id},
       {"program", operation.program_code},
       {"vendor", operation.vendor},
       {"operation", operation.operation},
       {"outcome", operation.outcome},
       {"latency_ms", absl::StrCat(operation.latency_us / 1000.0)},
       {"reason", operation.message}});
  absl::Status status = journal_.Record(operation);
  if (!status.ok()) {
    Log(LogLevel::kError, "journal_write_failed",
        {{"store", operation.store_id},
         {"operation", operation.operation},
         {"error", std::string(status.message())}});
  }
}

}  // namespace loyalty::broker
