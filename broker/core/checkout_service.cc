// Shared helpers of CheckoutService and the read-only operations.

#include "broker/core/checkout_service.h"

#include "absl/strings/str_cat.h"
#include "broker/core/proto_mapping.h"
#include "broker/core/vendor_errors.h"

namespace loyalty::broker {

connectors::Connector* CheckoutService::ConnectorFor(const StoreProgram& program) const {
  return calls_.ConnectorFor(program);
}

connectors::CallContext CheckoutService::Context(const StoreProgram& program, absl::Time deadline,
                                                 const std::function<bool()>& cancelled) const {
  return calls_.Context(program, deadline, cancelled);
}

void CheckoutService::Journal(VendorOperation operation) { calls_.Journal(std::move(operation)); }

absl::Status CheckoutService::Get(const StoreContext& store,
                                  const v1::PurchaseByOrderRequest& request,
                                  v1::PurchaseResponse* response) {
  auto purchase = deps_.purchases.LoadByOrder(store.store_id, request.order_number());
  if (!purchase.ok()) return purchase.status();
  PurchaseToProto(*purchase, store, response);
  return absl::OkStatus();
}

}  // namespace loyalty::broker
