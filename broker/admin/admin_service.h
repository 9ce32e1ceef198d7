#pragma once

// The operators' gRPC service (admin.proto), served on its own port.
// Each call names its operator by token; changes need a reason and are
// audited (admin_repository.h). Calls are few, so the synchronous API.

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "broker/admin/admin_repository.h"
#include "broker/admin/operator_tokens.h"
#include "broker/core/purchase_settlement.h"
#include "loyalty/broker/admin/v1/admin.grpc.pb.h"

namespace loyalty::broker {

class AdminService final : public admin::v1::AdminService::Service {
 public:
  AdminService(OperatorTokens tokens, AdminRepository& repository, PurchaseSettler& settler,
               absl::Duration deadline)
      : tokens_(std::move(tokens)),
        repository_(repository),
        settler_(settler),
        default_deadline_(deadline) {}

  grpc::Status ListPurchasesNeedingAttention(
      grpc::ServerContext* context, const admin::v1::ListPurchasesNeedingAttentionRequest* request,
      admin::v1::ListPurchasesNeedingAttentionResponse* response) override;
  grpc::Status SettlePurchase(grpc::ServerContext* context,
                              const admin::v1::SettlePurchaseRequest* request,
                              admin::v1::PurchaseSummary* response) override;
  grpc::Status ListApiKeys(grpc::ServerContext* context, const admin::v1::StoreRequest* request,
                           admin::v1::ListApiKeysResponse* response) override;
  grpc::Status RevokeApiKey(grpc::ServerContext* context,
                            const admin::v1::RevokeApiKeyRequest* request,
                            admin::v1::ApiKey* response) override;
  grpc::Status RotateApiKey(grpc::ServerContext* context,
                            const admin::v1::RotateApiKeyRequest* request,
                            admin::v1::RotateApiKeyResponse* response) override;
  grpc::Status SetProgramSwitchedOff(grpc::ServerContext* context,
                                     const admin::v1::SetProgramSwitchedOffRequest* request,
                                     admin::v1::Program* response) override;
  grpc::Status ShowStore(grpc::ServerContext* context, const admin::v1::StoreRequest* request,
                         admin::v1::StoreView* response) override;
  grpc::Status ListAudit(grpc::ServerContext* context, const admin::v1::ListAuditRequest* request,
                         admin::v1::ListAuditResponse* response) override;

 private:
  // Authenticates, bounds the work by the caller's deadline, runs `work`
  // with the operator's name, and logs the call.
  template <typename Work>
  grpc::Status Handle(grpc::ServerContext* context, const char* method, Work work);

  const OperatorTokens tokens_;
  AdminRepository& repository_;
  PurchaseSettler& settler_;
  const absl::Duration default_deadline_;
};

}  // namespace loyalty::broker
