#include "connectors/http/failure.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace loyalty::connectors {

Failed FailureFromHttpError(std::string_view vendor_name, const HttpError& error) {
  const std::string vendor(vendor_name);
  Failed failed;
  failed.retryable = true;
  failed.maybe_applied = error.maybe_delivered;
  switch (error.kind) {
    case HttpError::Kind::kConnect:
      failed.message = absl::StrCat(vendor, " is unreachable: ", error.message);
      break;
    case HttpError::Kind::kTimeout:
      failed.message = absl::StrCat(vendor, " did not answer in time");
      break;
    case HttpError::Kind::kTransfer:
      failed.message = absl::StrCat(vendor, " connection failed: ", error.message);
      break;
    case HttpError::Kind::kCancelled:
      failed.message = absl::StrCat(vendor, " call cancelled");
      break;
  }
  return failed;
}

Failed FailureFromStatus(std::string_view vendor_name, int status) {
  const std::string vendor(vendor_name);
  Failed failed;
  failed.retryable = status >= 500 || status == 429;
  failed.maybe_applied = status >= 500;
  failed.message = absl::StrCat(vendor, " answered HTTP ", status);
  return failed;
}

Failed FailureFromUnreadable(std::string_view vendor_name, std::string_view what) {
  const std::string vendor(vendor_name);
  Failed failed;
  failed.retryable = false;
  failed.maybe_applied = true;
  failed.message = absl::StrCat(vendor, " sent an unreadable answer: ", std::string(what));
  return failed;
}

}  // namespace loyalty::connectors
