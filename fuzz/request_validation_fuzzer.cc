// Request validation on any bytes a till may send, read as each request of
// the API: never a crash, and a refusal always names its fields
// (INVALID_ARGUMENT with a BadRequest listing at least one).

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "broker/api/validation.h"
#include "broker/common/status_details.h"
#include "google/rpc/error_details.pb.h"

namespace {

namespace v1 = loyalty::broker::v1;

template <typename Request>
void Check(const uint8_t* data, size_t size) {
  Request request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  const absl::Status status = loyalty::broker::Validate(request);
  if (status.ok()) return;
  if (status.code() != absl::StatusCode::kInvalidArgument) std::abort();
  auto bad = loyalty::broker::DetailOf<google::rpc::BadRequest>(status);
  if (!bad || bad->field_violations_size() == 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Check<v1::IdentifyCustomerRequest>(data, size);
  Check<v1::QuoteCartRequest>(data, size);
  Check<v1::HoldPointsRequest>(data, size);
  Check<v1::ReleaseHoldRequest>(data, size);
  Check<v1::CommitPurchaseRequest>(data, size);
  Check<v1::PurchaseByOrderRequest>(data, size);
  Check<v1::ReassignPurchaseRequest>(data, size);
  return 0;
}
