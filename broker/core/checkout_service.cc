// Shared helpers of CheckoutService and the read-only operations.

#include "broker/core/checkout_service.h"

#include "absl/strings/str_cat.h"
#include "broker/common/logging.h"
#include "broker/core/proto_mapping.h"

namespace loyalty::broker {

std::string DescribeProgram(const StoreProgram& program, const connectors::Connector* connector) {
  const std::string vendor =
      connector != nullptr ? std::string(connector->DisplayName()) : program.config->vendor;
  return absl::StrCat("program ", program.config->code, " (", vendor, ")");
}

connectors::Connector* CheckoutService::ConnectorFor(const StoreProgram& program) const {
  return deps_.connectors.Find(program.config->vendor);
}

connectors::CallContext CheckoutService::Context(const StoreProgram& program,
                                                 absl::Time deadline) const {
  return connectors::CallContext{program.config, deadline};
}

void CheckoutService::Journal(VendorOperation operation) {
  deps_.observer.OnVendorCall(operation);
  Log(operation.outcome == "failed" ? LogLevel::kWarning : LogLevel::kInfo, "vendor_call",
      {{"store", operation.store_id},
       {"program", operation.program_code},
       {"vendor", operation.vendor},
       {"operation", operation.operation},
       {"outcome", operation.outcome},
       {"latency_ms", absl::StrCat(operation.latency_us / 1000.0)},
       {"reason", operation.message}});
  absl::Status status = deps_.journal.Record(operation);
  if (!status.ok()) {
    Log(LogLevel::kError, "journal_write_failed",
        {{"store", operation.store_id},
         {"operation", operation.operation},
         {"error", std::string(status.message())}});
  }
}

absl::Status CheckoutService::Get(const StoreContext& store,
                                  const v1::PurchaseByOrderRequest& request,
                                  v1::PurchaseResponse* response) {
  auto purchase = deps_.purchases.LoadByOrder(store.store_id, request.order_number());
  if (!purchase.ok()) return purchase.status();
  PurchaseToProto(*purchase, store, response);
  return absl::OkStatus();
}

}  // namespace loyalty::broker
