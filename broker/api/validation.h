#pragma once

// Checks requests before any work: a bad request gets INVALID_ARGUMENT naming
// the field ("lines[2].quantity_milli: must be positive") and changes nothing.

#include "absl/status/status.h"
#include "loyalty/broker/v1/broker.pb.h"

namespace loyalty::broker {

absl::Status Validate(const v1::IdentifyCustomerRequest& request);
absl::Status Validate(const v1::QuoteCartRequest& request);
absl::Status Validate(const v1::HoldPointsRequest& request);
absl::Status Validate(const v1::ReleaseHoldRequest& request);
absl::Status Validate(const v1::CommitPurchaseRequest& request);
absl::Status Validate(const v1::PurchaseByOrderRequest& request);
absl::Status Validate(const v1::ReassignPurchaseRequest& request);

}  // namespace loyalty::broker
