#include "broker/core/vendor_errors.h"

#include "absl/strings/str_cat.h"

namespace loyalty::broker {

using connectors::DeclineKind;

absl::Status StatusFromDecline(const std::string& who, const connectors::Declined& d) {
  const std::string reason = d.field.empty() ? d.message : absl::StrCat(d.field, ": ", d.message);
  switch (d.kind) {
    case DeclineKind::kNotFound:
      return absl::NotFoundError(absl::StrCat(who, " found no match: ", reason));
    case DeclineKind::kUnsupported:
      return absl::FailedPreconditionError(d.message);
    case DeclineKind::kMisconfigured:
      return absl::FailedPreconditionError(
          absl::StrCat(who, " refused the store's configuration: ", reason));
    case DeclineKind::kInvalidArgument:
    case DeclineKind::kRefused:
      return absl::FailedPreconditionError(absl::StrCat(who, " declined: ", reason));
  }
  return absl::FailedPreconditionError(absl::StrCat(who, " declined: ", reason));
}

absl::Status StatusFromFailure(const std::string& who, const connectors::Failed& f) {
  if (f.retryable) return absl::UnavailableError(absl::StrCat(who, ": ", f.message));
  return absl::InternalError(absl::StrCat(who, ": ", f.message));
}

std::string SkipReason(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

}  // namespace loyalty::broker
