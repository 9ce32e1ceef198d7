#include "broker/core/vendor_errors.h"

#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"
#include "broker/core/records.h"

namespace loyalty::broker {

using connectors::DeclineKind;

namespace {

constexpr absl::Duration kVendorRetryDelay = absl::Seconds(1);
// Reconciliation asks the vendor about a purchase in doubt within minutes.
constexpr absl::Duration kInDoubtRetryDelay = absl::Seconds(30);

ErrorMetadata MetadataOf(const ProgramParty& party, const std::string& vendor_code = "") {
  return {{"program", party.program}, {"vendor", party.vendor}, {"vendor_code", vendor_code}};
}

}  // namespace

std::string ProgramParty::Who() const {
  return absl::StrCat("program ", program, " (", vendor, ")");
}

ProgramParty PartyOf(const StoreProgram& program, const connectors::Connector* connector) {
  return {program.config->code,
          connector != nullptr ? std::string(connector->DisplayName()) : program.config->vendor};
}

absl::Status StatusFromDecline(const ProgramParty& party, const connectors::Declined& d) {
  const std::string reason = d.field.empty() ? d.message : absl::StrCat(d.field, ": ", d.message);
  const std::string who = party.Who();
  switch (d.kind) {
    case DeclineKind::kNotFound:
      return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kNotFoundAtVendor,
                           absl::StrCat(who, " found no match: ", reason),
                           MetadataOf(party, d.field));
    case DeclineKind::kUnsupported:
      return ReasonedError(absl::StatusCode::kFailedPrecondition,
                           ErrorReason::kNotSupportedByVendor, d.message, MetadataOf(party));
    case DeclineKind::kMisconfigured:
      return ReasonedError(absl::StatusCode::kFailedPrecondition,
                           ErrorReason::kProgramMisconfigured,
                           absl::StrCat(who, " refused the store's configuration: ", reason),
                           MetadataOf(party, d.field));
    case DeclineKind::kInvalidArgument:
    case DeclineKind::kRefused:
      break;
  }
  return WithCashierMessage(
      ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kVendorDeclined,
                    absl::StrCat(who, " declined: ", reason), MetadataOf(party, d.field)),
      d.message);
}

absl::Status StatusFromFailure(const ProgramParty& party, const connectors::Failed& f) {
  const std::string message = absl::StrCat(party.Who(), ": ", f.message);
  if (f.held_back == connectors::HeldBack::kSwitchedOff) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kProgramDisabled,
                         message, MetadataOf(party));
  }
  if (f.retryable) {
    return WithRetryDelay(
        ReasonedError(absl::StatusCode::kUnavailable, ErrorReason::kVendorUnavailable, message,
                      MetadataOf(party)),
        kVendorRetryDelay);
  }
  return ReasonedError(absl::StatusCode::kInternal, ErrorReason::kVendorError, message,
                       MetadataOf(party));
}

absl::Status InDoubtError(const std::string& order_number, const ProgramParty& party,
                          const std::string& why) {
  ErrorMetadata metadata = MetadataOf(party);
  metadata["order_number"] = order_number;
  return WithRetryDelay(
      ReasonedError(absl::StatusCode::kUnavailable, ErrorReason::kInDoubt,
                    absl::StrCat("order ", order_number, ": the outcome at ", party.Who(),
                                 " is unknown (", why,
                                 "); the purchase is in doubt until reconciliation settles it; "
                                 "retry with the same idempotency key, never book it again"),
                    std::move(metadata)),
      kInDoubtRetryDelay);
}

std::string SkipReason(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

}  // namespace loyalty::broker
