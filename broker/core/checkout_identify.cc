// IdentifyCustomer: asks every program used for identifying at once and
// merges their accounts.

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/common/error_reasons.h"
#include "broker/core/checkout_service.h"
#include "broker/core/fan_out.h"
#include "broker/core/journal_entry.h"
#include "broker/core/proto_mapping.h"
#include "broker/core/vendor_errors.h"

namespace loyalty::broker {

absl::Status CheckoutService::Identify(const StoreContext& store, absl::Time deadline,
                                       const v1::IdentifyCustomerRequest& request,
                                       v1::IdentifyCustomerResponse* response,
                                       const std::function<bool()>& cancelled) {
  const connectors::IdentifyRequest ask{CustomerFromProto(request.customer())};
  std::vector<ProgramCall<connectors::Account>> calls;
  FanOutStop stop(cancelled);
  for (const auto& program : store.programs) {
    connectors::Connector* connector = ConnectorFor(program);
    if (connector == nullptr || !connector->capabilities().identify || !program.uses.identify) {
      continue;
    }
    auto context = Context(program, deadline, stop.Flag());
    calls.push_back(
        {&program, connector,
         std::make_unique<PendingCall<connectors::Account>>(*program.config, [&](auto done) {
           connector->Identify(context, ask, std::move(done));
         })});
  }
  if (calls.empty()) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kNotSupportedByStore,
                         "none of the store's programs can identify customers");
  }
  absl::Status first_failure;
  absl::Status first_refusal_of_program;  // its credentials or settings refused
  std::vector<std::string> unsupported;
  for (auto& call : calls) {
    connectors::Outcome<connectors::Account> outcome = call.pending->Wait();
    Journal(
        JournalEntry(store.store_id, *call.program->config, "identify", *call.pending, outcome));
    if (!outcome.approved()) {
      const absl::Status status =
          StatusFromOutcome(PartyOf(*call.program, call.connector), outcome);
      auto* skipped = response->add_skipped();
      skipped->set_program(call.program->config->code);
      skipped->set_reason(SkipReason(status));
      skipped->set_reason_code(ReasonOf(status));
      if (outcome.failed() && first_failure.ok()) first_failure = status;
      if (outcome.declined() &&
          outcome.declined_reason().kind == connectors::DeclineKind::kMisconfigured &&
          first_refusal_of_program.ok()) {
        first_refusal_of_program = status;
      }
      if (outcome.declined() &&
          outcome.declined_reason().kind == connectors::DeclineKind::kUnsupported) {
        unsupported.push_back(outcome.declined_reason().message);
      }
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
  // Not "not found": a program that cannot log in never looked.
  if (!first_refusal_of_program.ok()) return first_refusal_of_program;
  // Not "not found": no program could even look for this kind of identifier.
  if (unsupported.size() == calls.size()) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kNotSupportedByStore,
                         absl::StrJoin(unsupported, "; "));
  }
  return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kCustomerNotFound,
                       "customer not found in any of the store's programs");
}

}  // namespace loyalty::broker
