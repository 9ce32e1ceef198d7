#include "broker/common/error_reasons.h"

#include "absl/strings/str_join.h"
#include "broker/common/status_details.h"
#include "google/rpc/error_details.pb.h"

namespace loyalty::broker {
namespace {

constexpr absl::Duration kDefaultRetryDelay = absl::Seconds(1);

struct ReasonEntry {
  ErrorReason reason;
  std::string_view name;
};

constexpr ReasonEntry kReasons[] = {
    {ErrorReason::kInvalidRequest, "INVALID_REQUEST"},
    {ErrorReason::kApiKeyMissing, "API_KEY_MISSING"},
    {ErrorReason::kApiKeyInvalid, "API_KEY_INVALID"},
    {ErrorReason::kCustomerNotFound, "CUSTOMER_NOT_FOUND"},
    {ErrorReason::kQuoteNotFound, "QUOTE_NOT_FOUND"},
    {ErrorReason::kQuoteExpired, "QUOTE_EXPIRED"},
    {ErrorReason::kQuoteAlreadyCommitted, "QUOTE_ALREADY_COMMITTED"},
    {ErrorReason::kHoldNotFound, "HOLD_NOT_FOUND"},
    {ErrorReason::kHoldNotActive, "HOLD_NOT_ACTIVE"},
    {ErrorReason::kHoldNotForPurchase, "HOLD_NOT_FOR_PURCHASE"},
    {ErrorReason::kHoldTtlTooLong, "HOLD_TTL_TOO_LONG"},
    {ErrorReason::kPurchaseNotFound, "PURCHASE_NOT_FOUND"},
    {ErrorReason::kPurchaseState, "PURCHASE_STATE"},
    {ErrorReason::kPurchaseBusy, "PURCHASE_BUSY"},
    {ErrorReason::kOrderNumberTaken, "ORDER_NUMBER_TAKEN"},
    {ErrorReason::kIdempotencyKeyReused, "IDEMPOTENCY_KEY_REUSED"},
    {ErrorReason::kRequestInProgress, "REQUEST_IN_PROGRESS"},
    {ErrorReason::kInDoubt, "IN_DOUBT"},
    {ErrorReason::kVendorDeclined, "VENDOR_DECLINED"},
    {ErrorReason::kNotFoundAtVendor, "NOT_FOUND_AT_VENDOR"},
    {ErrorReason::kNotSupportedByVendor, "NOT_SUPPORTED_BY_VENDOR"},
    {ErrorReason::kNotSupportedByStore, "NOT_SUPPORTED_BY_STORE"},
    {ErrorReason::kInsufficientPoints, "INSUFFICIENT_POINTS"},
    {ErrorReason::kProgramMisconfigured, "PROGRAM_MISCONFIGURED"},
    {ErrorReason::kProgramDisabled, "PROGRAM_DISABLED"},
    {ErrorReason::kVendorUnavailable, "VENDOR_UNAVAILABLE"},
    {ErrorReason::kVendorError, "VENDOR_ERROR"},
    {ErrorReason::kDatabaseUnavailable, "DATABASE_UNAVAILABLE"},
    {ErrorReason::kConcurrentChange, "CONCURRENT_CHANGE"},
    {ErrorReason::kDeadlineExceeded, "DEADLINE_EXCEEDED"},
    {ErrorReason::kOverloaded, "OVERLOADED"},
    {ErrorReason::kAuthRateLimited, "AUTH_RATE_LIMITED"},
    {ErrorReason::kOperatorUnauthenticated, "OPERATOR_UNAUTHENTICATED"},
    {ErrorReason::kAdminTargetNotFound, "ADMIN_TARGET_NOT_FOUND"},
    {ErrorReason::kInternal, "INTERNAL"},
};

// For errors raised without a reason (a library's, a deadline's): one by code.
ErrorReason ReasonForCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return ErrorReason::kInvalidRequest;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return ErrorReason::kApiKeyInvalid;
    case absl::StatusCode::kAborted:
      return ErrorReason::kConcurrentChange;
    case absl::StatusCode::kUnavailable:
      return ErrorReason::kDatabaseUnavailable;
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
      return ErrorReason::kDeadlineExceeded;
    case absl::StatusCode::kResourceExhausted:
      return ErrorReason::kOverloaded;
    default:
      return ErrorReason::kInternal;
  }
}

bool RetryHelps(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kAborted ||
         code == absl::StatusCode::kResourceExhausted;
}

google::rpc::ErrorInfo InfoOf(ErrorReason reason, const ErrorMetadata& metadata) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(ReasonName(reason)));
  info.set_domain(kErrorDomain);
  for (const auto& [key, value] : metadata) {
    if (!value.empty()) (*info.mutable_metadata())[key] = value;
  }
  return info;
}

}  // namespace

std::string_view ReasonName(ErrorReason reason) {
  for (const auto& entry : kReasons) {
    if (entry.reason == reason) return entry.name;
  }
  return "INTERNAL";
}

std::vector<ErrorReason> AllReasons() {
  std::vector<ErrorReason> all;
  for (const auto& entry : kReasons) all.push_back(entry.reason);
  return all;
}

absl::Status ReasonedError(absl::StatusCode code, ErrorReason reason, std::string message,
                           ErrorMetadata metadata) {
  absl::Status status(code, message);
  AttachDetail(status, InfoOf(reason, metadata));
  return status;
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  google::rpc::RetryInfo retry;
  const int64_t millis = absl::ToInt64Milliseconds(delay);
  retry.mutable_retry_delay()->set_seconds(millis / 1000);
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(millis % 1000) * 1'000'000);
  AttachDetail(status, retry);
  return status;
}

absl::Status WithCashierMessage(absl::Status status, std::string text, std::string locale) {
  if (text.empty()) return status;
  google::rpc::LocalizedMessage localized;
  localized.set_locale(std::move(locale));
  localized.set_message(std::move(text));
  AttachDetail(status, localized);
  return status;
}

absl::Status InvalidFields(const std::vector<FieldViolation>& violations) {
  std::vector<std::string> parts;
  google::rpc::BadRequest bad;
  for (const auto& v : violations) {
    parts.push_back(absl::StrCat(v.field, ": ", v.description));
    auto* fv = bad.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  absl::Status status = ReasonedError(absl::StatusCode::kInvalidArgument,
                                      ErrorReason::kInvalidRequest, absl::StrJoin(parts, "; "));
  AttachDetail(status, bad);
  return status;
}

std::string ReasonOf(const absl::Status& status) {
  auto info = DetailOf<google::rpc::ErrorInfo>(status);
  return info ? info->reason() : std::string();
}

absl::Status Explained(absl::Status status) {
  if (status.ok()) return status;
  if (!DetailOf<google::rpc::ErrorInfo>(status)) {
    AttachDetail(status, InfoOf(ReasonForCode(status.code()), {}));
  }
  if (RetryHelps(status.code()) && !DetailOf<google::rpc::RetryInfo>(status)) {
    status = WithRetryDelay(std::move(status), kDefaultRetryDelay);
  }
  return status;
}

}  // namespace loyalty::broker
