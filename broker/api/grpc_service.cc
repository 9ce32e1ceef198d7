#include "broker/api/grpc_service.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include <algorithm>
#include <cctype>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "broker/api/grpc_status.h"
#include "broker/api/validation.h"
#include "broker/common/call_deadline.h"
#include "broker/common/error_reasons.h"
#include "broker/common/logging.h"
#include "broker/common/status_details.h"

namespace loyalty::broker {
namespace {

constexpr char kApiKeyHeader[] = "x-api-key";
constexpr char kRequestIdHeader[] = "x-request-id";

std::string ApiKey(const grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kApiKeyHeader);
  return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

// The caller's x-request-id when it is a short token, a fresh one otherwise.
std::string RequestId(const grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kRequestIdHeader);
  if (it != metadata.end() && it->second.size() > 0 && it->second.size() <= 64) {
    std::string id(it->second.data(), it->second.size());
    if (std::all_of(id.begin(), id.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        })) {
      return id;
    }
  }
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return absl::StrFormat("%016x", random());
}

absl::Status Overloaded(std::string why) {
  return WithRetryDelay(
      ReasonedError(absl::StatusCode::kResourceExhausted, ErrorReason::kOverloaded,
                    absl::StrCat("the broker is overloaded: ", why, "; retry after the delay")),
      absl::Seconds(1));
}

// "ipv4:127.0.0.1:5123" -> "ipv4:127.0.0.1": one peer is one address.
std::string PeerHost(const std::string& peer) {
  const size_t colon = peer.rfind(':');
  const size_t first = peer.find(':');
  return colon == std::string::npos || colon == first ? peer : peer.substr(0, colon);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const StoreContext>> BrokerGrpcService::Authenticate(
    const std::string& api_key, const std::string& peer) {
  const absl::Time now = absl::Now();
  absl::Duration retry_after;
  if (failures_.Limited(peer, now, &retry_after)) {
    if (auto cached = stores_.Cached(api_key)) return *cached;
    return WithRetryDelay(
        ReasonedError(absl::StatusCode::kResourceExhausted, ErrorReason::kAuthRateLimited,
                      "too many failed authentications from this address; try again later"),
        retry_after);
  }
  auto store = stores_.Authenticate(api_key);
  if (!store.ok() && store.status().code() == absl::StatusCode::kUnauthenticated) {
    failures_.RecordFailure(peer, now);
  }
  return store;
}

grpc::ServerUnaryReactor* BrokerGrpcService::Handle(grpc::CallbackServerContext* context,
                                                    const char* method, absl::Status refused,
                                                    Work work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Time started = absl::Now();
  std::string request_id = RequestId(*context);
  context->AddInitialMetadata(kRequestIdHeader, request_id);
  observer_.OnRpcStarted(method);
  absl::Time deadline = absl::FromChrono(context->deadline());
  if (deadline - started > absl::Hours(24 * 365)) {  // the caller set none
    deadline = started + absl::Milliseconds(settings_.default_deadline_ms);
  }
  const absl::Time vendor_deadline =
      deadline - absl::Milliseconds(settings_.vendor_deadline_margin_ms);
  const std::string peer = context->peer();
  auto finish = [this, reactor, method, started](absl::Status status, const std::string& store_id) {
    status = Explained(std::move(status));
    const absl::Duration latency = absl::Now() - started;
    const std::string reason = ReasonOf(status);
    observer_.OnRpcHandled(method, status.code(), reason, latency);
    Log(status.ok() ? LogLevel::kInfo : LogLevel::kWarning, "grpc_call",
        {{"method", method},
         {"store", store_id},
         {"code", absl::StatusCodeToString(status.code())},
         {"latency_ms", absl::StrCat(absl::ToDoubleMilliseconds(latency))},
         {"reason", reason},
         {"error", std::string(status.message())}});
    reactor->Finish(ToGrpc(status));
  };
  if (!refused.ok()) {
    RequestScope scope(request_id);
    finish(std::move(refused), "-");
    return reactor;
  }
  const bool queued = workers_.TrySubmit([this, finish, started, deadline, vendor_deadline, peer,
                                          api_key = ApiKey(*context), request_id,
                                          work = std::move(work)] {
    RequestScope scope(request_id);
    CallDeadlineScope call_deadline(deadline);
    observer_.OnQueued(workers_.queued());
    std::string store_id = "-";
    absl::Status status;
    const absl::Time now = absl::Now();
    if (now >= vendor_deadline) {
      status = ReasonedError(absl::StatusCode::kDeadlineExceeded, ErrorReason::kDeadlineExceeded,
                             "deadline passed before the call was handled");
    } else if (now - started > absl::Milliseconds(settings_.max_queue_wait_ms)) {
      status = Overloaded("the call waited too long for a worker");
    } else if (auto store = Authenticate(api_key, PeerHost(peer)); !store.ok()) {
      status = store.status();
    } else {
      store_id = (*store)->store_id;
      status = work(**store, vendor_deadline);
    }
    finish(std::move(status), store_id);
  });
  if (!queued) finish(Overloaded("too many calls waiting for a worker"), "-");
  observer_.OnQueued(workers_.queued());
  return reactor;
}

template <typename Request, typename Response, typename Run>
grpc::ServerUnaryReactor* BrokerGrpcService::Serve(grpc::CallbackServerContext* context,
                                                   const char* method,
                                                   const grpc::ByteBuffer* raw_request,
                                                   grpc::ByteBuffer* raw_response, Run run) {
  auto request = std::make_shared<Request>();
  grpc::ByteBuffer copy(*raw_request);  // shares the slices
  grpc::ProtoBufferReader reader(&copy);
  absl::Status refused;
  if (!request->ParseFromZeroCopyStream(&reader)) {
    refused = ReasonedError(
        absl::StatusCode::kInvalidArgument, ErrorReason::kInvalidRequest,
        absl::StrCat("the request is not a valid ", Request::descriptor()->full_name(),
                     " message (protobuf wire format, UTF-8 strings)"));
  }
  return Handle(context, method, std::move(refused),
                [request, raw_response, run = std::move(run)](const StoreContext& store,
                                                              absl::Time deadline) {
                  Response response;
                  absl::Status status = run(*request, &response, store, deadline);
                  if (status.ok()) {
                    grpc::Slice slice(response.SerializeAsString());
                    *raw_response = grpc::ByteBuffer(&slice, 1);
                  }
                  return status;
                });
}

grpc::ServerUnaryReactor* BrokerGrpcService::IdentifyCustomer(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return Serve<v1::IdentifyCustomerRequest, v1::IdentifyCustomerResponse>(
      context, "IdentifyCustomer", request, response,
      [this, context](const v1::IdentifyCustomerRequest& r, v1::IdentifyCustomerResponse* out,
                      const StoreContext& store, absl::Time d) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Identify(store, d, r, out, [context] { return context->IsCancelled(); });
      });
}

grpc::ServerUnaryReactor* BrokerGrpcService::QuoteCart(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return Serve<v1::QuoteCartRequest, v1::QuoteCartResponse>(
      context, "QuoteCart", request, response,
      [this, context](const v1::QuoteCartRequest& r, v1::QuoteCartResponse* out,
                      const StoreContext& store, absl::Time d) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Quote(store, d, r, out, [context] { return context->IsCancelled(); });
      });
}

grpc::ServerUnaryReactor* BrokerGrpcService::HoldPoints(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return Serve<v1::HoldPointsRequest, v1::HoldPointsResponse>(
      context, "HoldPoints", request, response,
      [this](const v1::HoldPointsRequest& r, v1::HoldPointsResponse* out, const StoreContext& store,
             absl::Time d) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Hold(store, d, r, out);
      });
}

grpc::ServerUnaryReactor* BrokerGrpcService::ReleaseHold(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  return Serve<v1::ReleaseHoldRequest, v1::ReleaseHoldResponse>(
      context, "ReleaseHold", request, response,
      [this](const v1::ReleaseHoldRequest& r, v1::ReleaseHoldResponse* out,
             const StoreContext& store, absl::Time d) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Release(store, d, r, out);
      });
}

grpc::ServerUnaryReactor* BrokerGrpcService::CommitPurchase(grpc::CallbackServerContext* context,
                                                            const grpc::ByteBuffer* request,
                                                            grpc::ByteBuffer* response) {
  return Serve<v1::CommitPurchaseRequest, v1::PurchaseResponse>(
      context, "CommitPurchase", request, response,
      [this](const v1::CommitPurchaseRequest& r, v1::PurchaseResponse* out,
             const StoreContext& store, absl::Time d) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Commit(store, d, r, out);
      });
}

grpc::ServerUnaryReactor* BrokerGrpcService::ConfirmPurchase(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  return Serve<v1::PurchaseByOrderRequest, v1::PurchaseResponse>(
      context, "ConfirmPurchase", request, response,
      [this](const v1::PurchaseByOrderRequest& r, v1::PurchaseResponse* out,
             const StoreContext& store, absl::Time d) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Confirm(store, d, r, out);
      });
}

grpc::ServerUnaryReactor* BrokerGrpcService::CancelPurchase(grpc::CallbackServerContext* context,
                                                            const grpc::ByteBuffer* request,
                                                            grpc::ByteBuffer* response) {
  return Serve<v1::PurchaseByOrderRequest, v1::PurchaseResponse>(
      context, "CancelPurchase", request, response,
      [this](const v1::PurchaseByOrderRequest& r, v1::PurchaseResponse* out,
             const StoreContext& store, absl::Time d) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Cancel(store, d, r, out);
      });
}

grpc::ServerUnaryReactor* BrokerGrpcService::RestorePurchase(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  return Serve<v1::PurchaseByOrderRequest, v1::PurchaseResponse>(
      context, "RestorePurchase", request, response,
      [this](const v1::PurchaseByOrderRequest& r, v1::PurchaseResponse* out,
             const StoreContext& store, absl::Time d) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Restore(store, d, r, out);
      });
}

grpc::ServerUnaryReactor* BrokerGrpcService::ReassignPurchase(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return Serve<v1::ReassignPurchaseRequest, v1::PurchaseResponse>(
      context, "ReassignPurchase", request, response,
      [this](const v1::ReassignPurchaseRequest& r, v1::PurchaseResponse* out,
             const StoreContext& store, absl::Time d) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Reassign(store, d, r, out);
      });
}

grpc::ServerUnaryReactor* BrokerGrpcService::GetPurchase(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  return Serve<v1::PurchaseByOrderRequest, v1::PurchaseResponse>(
      context, "GetPurchase", request, response,
      [this](const v1::PurchaseByOrderRequest& r, v1::PurchaseResponse* out,
             const StoreContext& store, absl::Time) {
        if (auto s = Validate(r); !s.ok()) return s;
        return checkout_.Get(store, r, out);
      });
}

}  // namespace loyalty::broker
