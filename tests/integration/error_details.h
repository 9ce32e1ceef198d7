#pragma once

// Reads an error's google.rpc.Status details from grpc-status-details-bin,
// as a till's gRPC library does.

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace loyalty::broker::testing {

struct ErrorDetails {
  bool decoded = false;  // the trailer was there and parsed
  int code = 0;
  google::rpc::ErrorInfo info;
  std::optional<google::rpc::BadRequest> bad_request;
  std::optional<google::rpc::RetryInfo> retry;
  std::optional<google::rpc::LocalizedMessage> localized;
};

inline ErrorDetails DecodeErrorDetails(const grpc::Status& status) {
  ErrorDetails out;
  google::rpc::Status rpc;
  if (status.error_details().empty() || !rpc.ParseFromString(status.error_details())) return out;
  out.decoded = true;
  out.code = rpc.code();
  for (const auto& any : rpc.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) any.UnpackTo(&out.info);
    if (any.Is<google::rpc::BadRequest>()) any.UnpackTo(&out.bad_request.emplace());
    if (any.Is<google::rpc::RetryInfo>()) any.UnpackTo(&out.retry.emplace());
    if (any.Is<google::rpc::LocalizedMessage>()) any.UnpackTo(&out.localized.emplace());
  }
  return out;
}

}  // namespace loyalty::broker::testing
