#include "broker/api/grpc_service.h"

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
                                                    const char* method, Work work) {
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

grpc::ServerUnaryReactor* BrokerGrpcService::IdentifyCustomer(
    grpc::CallbackServerContext* context, const v1::IdentifyCustomerRequest* request,
    v1::IdentifyCustomerResponse* response) {
  return Handle(context, "IdentifyCustomer", [=, this](const StoreContext& store, absl::Time d) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Identify(store, d, *request, response,
                              [context] { return context->IsCancelled(); });
  });
}

grpc::ServerUnaryReactor* BrokerGrpcService::QuoteCart(grpc::CallbackServerContext* context,
                                                       const v1::QuoteCartRequest* request,
                                                       v1::QuoteCartResponse* response) {
  return Handle(context, "QuoteCart", [=, this](const StoreContext& store, absl::Time d) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Quote(store, d, *request, response,
                           [context] { return context->IsCancelled(); });
  });
}

grpc::ServerUnaryReactor* BrokerGrpcService::HoldPoints(grpc::CallbackServerContext* context,
                                                        const v1::HoldPointsRequest* request,
                                                        v1::HoldPointsResponse* response) {
  return Handle(context, "HoldPoints", [=, this](const StoreContext& store, absl::Time d) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Hold(store, d, *request, response);
  });
}

grpc::ServerUnaryReactor* BrokerGrpcService::ReleaseHold(grpc::CallbackServerContext* context,
                                                         const v1::ReleaseHoldRequest* request,
                                                         v1::ReleaseHoldResponse* response) {
  return Handle(context, "ReleaseHold", [=, this](const StoreContext& store, absl::Time d) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Release(store, d, *request, response);
  });
}

grpc::ServerUnaryReactor* BrokerGrpcService::CommitPurchase(
    grpc::CallbackServerContext* context, const v1::CommitPurchaseRequest* request,
    v1::PurchaseResponse* response) {
  return Handle(context, "CommitPurchase", [=, this](const StoreContext& store, absl::Time d) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Commit(store, d, *request, response);
  });
}

grpc::ServerUnaryReactor* BrokerGrpcService::ConfirmPurchase(
    grpc::CallbackServerContext* context, const v1::PurchaseByOrderRequest* request,
    v1::PurchaseResponse* response) {
  return Handle(context, "ConfirmPurchase", [=, this](const StoreContext& store, absl::Time d) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Confirm(store, d, *request, response);
  });
}

grpc::ServerUnaryReactor* BrokerGrpcService::CancelPurchase(
    grpc::CallbackServerContext* context, const v1::PurchaseByOrderRequest* request,
    v1::PurchaseResponse* response) {
  return Handle(context, "CancelPurchase", [=, this](const StoreContext& store, absl::Time d) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Cancel(store, d, *request, response);
  });
}

grpc::ServerUnaryReactor* BrokerGrpcService::RestorePurchase(
    grpc::CallbackServerContext* context, const v1::PurchaseByOrderRequest* request,
    v1::PurchaseResponse* response) {
  return Handle(context, "RestorePurchase", [=, this](const StoreContext& store, absl::Time d) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Restore(store, d, *request, response);
  });
}

grpc::ServerUnaryReactor* BrokerGrpcService::ReassignPurchase(
    grpc::CallbackServerContext* context, const v1::ReassignPurchaseRequest* request,
    v1::PurchaseResponse* response) {
  return Handle(context, "ReassignPurchase", [=, this](const StoreContext& store, absl::Time d) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Reassign(store, d, *request, response);
  });
}

grpc::ServerUnaryReactor* BrokerGrpcService::GetPurchase(grpc::CallbackServerContext* context,
                                                         const v1::PurchaseByOrderRequest* request,
                                                         v1::PurchaseResponse* response) {
  return Handle(context, "GetPurchase", [=, this](const StoreContext& store, absl::Time) {
    if (auto s = Validate(*request); !s.ok()) return s;
    return checkout_.Get(store, *request, response);
  });
}

}  // namespace loyalty::broker
