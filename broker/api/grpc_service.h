#pragma once

// The gRPC face of the broker (callback API). Each reaction only reads the
// metadata and hands the call to the worker pool; the worker authenticates,
// validates, runs the checkout logic and finishes the call.

#include <string>

#include "broker/api/auth_failure_limiter.h"
#include "broker/api/rpc_observer.h"
#include "broker/common/thread_pool.h"
#include "broker/core/checkout_service.h"
#include "broker/storage/store_directory.h"
#include "loyalty/broker/v1/broker.grpc.pb.h"

namespace loyalty::broker {

class BrokerGrpcService final : public v1::LoyaltyBroker::CallbackService {
 public:
  BrokerGrpcService(CheckoutService& checkout, StoreDirectory& stores, ThreadPool& workers,
                    const BrokerConfig::Broker& settings, RpcObserver& observer)
      : checkout_(checkout),
        stores_(stores),
        workers_(workers),
        settings_(settings),
        observer_(observer),
        failures_(settings.auth_failures_per_minute) {}

  grpc::ServerUnaryReactor* IdentifyCustomer(grpc::CallbackServerContext* context,
                                             const v1::IdentifyCustomerRequest* request,
                                             v1::IdentifyCustomerResponse* response) override;
  grpc::ServerUnaryReactor* QuoteCart(grpc::CallbackServerContext* context,
                                      const v1::QuoteCartRequest* request,
                                      v1::QuoteCartResponse* response) override;
  grpc::ServerUnaryReactor* HoldPoints(grpc::CallbackServerContext* context,
                                       const v1::HoldPointsRequest* request,
                                       v1::HoldPointsResponse* response) override;
  grpc::ServerUnaryReactor* ReleaseHold(grpc::CallbackServerContext* context,
                                        const v1::ReleaseHoldRequest* request,
                                        v1::ReleaseHoldResponse* response) override;
  grpc::ServerUnaryReactor* CommitPurchase(grpc::CallbackServerContext* context,
                                           const v1::CommitPurchaseRequest* request,
                                           v1::PurchaseResponse* response) override;
  grpc::ServerUnaryReactor* ConfirmPurchase(grpc::CallbackServerContext* context,
                                            const v1::PurchaseByOrderRequest* request,
                                            v1::PurchaseResponse* response) override;
  grpc::ServerUnaryReactor* CancelPurchase(grpc::CallbackServerContext* context,
                                           const v1::PurchaseByOrderRequest* request,
                                           v1::PurchaseResponse* response) override;
  grpc::ServerUnaryReactor* RestorePurchase(grpc::CallbackServerContext* context,
                                            const v1::PurchaseByOrderRequest* request,
                                            v1::PurchaseResponse* response) override;
  grpc::ServerUnaryReactor* ReassignPurchase(grpc::CallbackServerContext* context,
                                             const v1::ReassignPurchaseRequest* request,
                                             v1::PurchaseResponse* response) override;
  grpc::ServerUnaryReactor* GetPurchase(grpc::CallbackServerContext* context,
                                        const v1::PurchaseByOrderRequest* request,
                                        v1::PurchaseResponse* response) override;

 private:
  using Work = std::function<absl::Status(const StoreContext& store, absl::Time deadline)>;
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context, const char* method,
                                   Work work);
  // A peer that failed too often gets no lookups of keys not cached.
  absl::StatusOr<std::shared_ptr<const StoreContext>> Authenticate(const std::string& api_key,
                                                                   const std::string& peer);

  CheckoutService& checkout_;
  StoreDirectory& stores_;
  ThreadPool& workers_;
  BrokerConfig::Broker settings_;
  RpcObserver& observer_;
  AuthFailureLimiter failures_;
};

}  // namespace loyalty::broker
