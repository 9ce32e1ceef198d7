#pragma once

// The broker's stable error reasons: what a till acts on without reading
// English. Every error leaving the broker carries one in a google.rpc
// ErrorInfo (domain kErrorDomain); README.md lists each with what a till
// does about it. Names are part of the API: add, never rename.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace loyalty::broker {

inline constexpr char kErrorDomain[] = "loyalty.broker.v1";

enum class ErrorReason {
  kInvalidRequest,           // a field is wrong: BadRequest lists every one
  kApiKeyMissing,            // no x-api-key metadata
  kApiKeyInvalid,            // the key is unknown or revoked
  kCustomerNotFound,         // no program knows the customer
  kQuoteNotFound,            //
  kQuoteExpired,             // quote the cart again
  kQuoteAlreadyCommitted,    // a quote backs one purchase: quote again
  kHoldNotFound,             //
  kHoldNotActive,            // released, consumed or expired
  kHoldNotForPurchase,       // another customer's, or a program the purchase does not spend at
  kHoldTtlTooLong,           // longer than the vendor or the quote allows
  kPurchaseNotFound,         //
  kPurchaseState,            // the purchase's state does not allow the operation
  kPurchaseBusy,             // another operation on the purchase is running: retry
  kOrderNumberTaken,         // the order number is booked already
  kIdempotencyKeyReused,     // the key was used for a different request
  kRequestInProgress,        // the first request with this key still runs: retry
  kInDoubt,                  // a vendor's outcome is unknown: reconciliation settles it
  kVendorDeclined,           // the vendor said no: tell the cashier its words
  kNotFoundAtVendor,         // the vendor knows no such customer or purchase
  kNotSupportedByVendor,     // the program's vendor cannot do this at all
  kNotSupportedByStore,      // none of the store's programs can do this
  kInsufficientPoints,       // more points than the customer may spend now
  kProgramMisconfigured,     // the vendor refused the program's own settings
  kProgramDisabled,          //
  kVendorUnavailable,        // the vendor cannot be reached: retry
  kVendorError,              // the vendor answered something the broker cannot use
  kDatabaseUnavailable,      // retry
  kConcurrentChange,         // another request changed the same record: retry
  kDeadlineExceeded,         //
  kOverloaded,               // the broker sheds load: retry after the delay
  kAuthRateLimited,          // too many failed authentications from this peer
  kOperatorUnauthenticated,  // the admin service: no or an unknown operator token
  kAdminTargetNotFound,      // the admin service: no such store, key or program
  kInternal,                 //
};

std::string_view ReasonName(ErrorReason reason);
// Every reason, in declaration order (for docs and tests).
std::vector<ErrorReason> AllReasons();

using ErrorMetadata = std::map<std::string, std::string>;

// An error with its reason and metadata; `message` is for people.
absl::Status ReasonedError(absl::StatusCode code, ErrorReason reason, std::string message,
                           ErrorMetadata metadata = {});

// Adds a RetryInfo: the till may retry the same request after `delay`.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);
// Adds a LocalizedMessage the till may show the cashier as it is.
absl::Status WithCashierMessage(absl::Status status, std::string text,
                                std::string locale = "ru-RU");

struct FieldViolation {
  std::string field;  // "lines[2].quantity_milli"
  std::string description;
};
// INVALID_ARGUMENT naming every bad field (message: all of them, first first).
absl::Status InvalidFields(const std::vector<FieldViolation>& violations);

// The reason an error carries, or empty.
std::string ReasonOf(const absl::Status& status);
// The status with an ErrorInfo (by its code when it has none) and, where a
// retry helps, a RetryInfo: what leaves the broker.
absl::Status Explained(absl::Status status);

}  // namespace loyalty::broker
