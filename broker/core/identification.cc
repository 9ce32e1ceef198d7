#include "broker/core/identification.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/common/error_reasons.h"
#include "broker/core/proto_mapping.h"
#include "broker/core/vendor_errors.h"

namespace loyalty::broker {

absl::Status Identification::Identify(const StoreContext& store, absl::Time deadline,
                                      const v1::IdentifyCustomerRequest& request,
                                      v1::IdentifyCustomerResponse* response,
                                      const std::function<bool()>& cancelled) {
  const connectors::IdentifyRequest ask{CustomerFromProto(request.customer())};
  std::vector<const StoreProgram*> asked;
  for (const auto& program : store.programs) {
    connectors::Connector* connector = calls_.ConnectorFor(program);
    if (connector != nullptr && connector->capabilities().identify && program.uses.identify) {
      asked.push_back(&program);
    }
  }
  if (asked.empty()) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kNotSupportedByStore,
                         "none of the store's programs can identify customers");
  }
  auto outcomes = calls_.FanOut<connectors::Account>(
      store.store_id, asked, deadline, cancelled, "identify",
      [&](size_t, connectors::Connector& connector, const connectors::CallContext& context,
          auto done) { connector.Identify(context, ask, std::move(done)); });
  absl::Status first_failure;
  absl::Status first_refusal_of_program;  // its credentials or settings refused
  std::vector<std::string> unsupported;
  for (size_t k = 0; k < asked.size(); ++k) {
    const StoreProgram& program = *asked[k];
    const connectors::Outcome<connectors::Account>& outcome = outcomes[k];
    if (!outcome.approved()) {
      const absl::Status status =
          StatusFromOutcome(PartyOf(program, calls_.ConnectorFor(program)), outcome);
      auto* skipped = response->add_skipped();
      skipped->set_program(program.config->code);
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
    auto held = deps_.holds.ActiveAmount(program.config->id, account.vendor_customer_id);
    if (!held.ok()) return held.status();
    auto* a = response->add_accounts();
    a->set_program(program.config->code);
    a->set_vendor(VendorToProto(program.config->vendor));
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
  if (unsupported.size() == asked.size()) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kNotSupportedByStore,
                         absl::StrJoin(unsupported, "; "));
  }
  return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kCustomerNotFound,
                       "customer not found in any of the store's programs");
}

}  // namespace loyalty::broker
