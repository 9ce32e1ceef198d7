#pragma once

// The gRPC face of the broker (callback API). Each reaction only reads the
// metadata and hands the call to the worker pool; the worker authenticates,
// validates, runs the checkout logic and finishes the call. Methods take
// their messages raw and parse them here, so that a malformed message is
// answered INVALID_ARGUMENT, logged and counted like any other bad request
// (the library would answer it with a bare status no metric sees).

#include <string>

#include "broker/api/auth_failure_limiter.h"
#include "broker/api/rpc_observer.h"
#include "broker/common/thread_pool.h"
#include "broker/core/checkout_service.h"
#include "broker/core/repositories/store_directory.h"
#include "loyalty/broker/v1/broker.grpc.pb.h"

namespace loyalty::broker {

using RawLoyaltyBrokerService = v1::LoyaltyBroker::WithRawCallbackMethod_IdentifyCustomer<
    v1::LoyaltyBroker::WithRawCallbackMethod_QuoteCart<
        v1::LoyaltyBroker::WithRawCallbackMethod_HoldPoints<
            v1::LoyaltyBroker::WithRawCallbackMethod_ReleaseHold<
                v1::LoyaltyBroker::WithRawCallbackMethod_CommitPurchase<
                    v1::LoyaltyBroker::WithRawCallbackMethod_ConfirmPurchase<
                        v1::LoyaltyBroker::WithRawCallbackMethod_CancelPurchase<
                            v1::LoyaltyBroker::WithRawCallbackMethod_RestorePurchase<
                                v1::LoyaltyBroker::WithRawCallbackMethod_ReassignPurchase<
                                    v1::LoyaltyBroker::WithRawCallbackMethod_GetPurchase<
                                        v1::LoyaltyBroker::Service>>>>>>>>>>;

class BrokerGrpcService final : public RawLoyaltyBrokerService {
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
                                             const grpc::ByteBuffer* request,
                                             grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* QuoteCart(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* HoldPoints(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ReleaseHold(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* CommitPurchase(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ConfirmPurchase(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* CancelPurchase(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RestorePurchase(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ReassignPurchase(grpc::CallbackServerContext* context,
                                             const grpc::ByteBuffer* request,
                                             grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetPurchase(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;

 private:
  using Work = std::function<absl::Status(const StoreContext& store, absl::Time deadline)>;
  // `refused`: set when the call is answered at once (a malformed message).
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context, const char* method,
                                   absl::Status refused, Work work);
  // Parses the request, runs `run(request, &response, store, deadline)` as
  // Handle's work, and serializes the response into `raw_response`.
  template <typename Request, typename Response, typename Run>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context, const char* method,
                                  const grpc::ByteBuffer* raw_request,
                                  grpc::ByteBuffer* raw_response, Run run);
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
