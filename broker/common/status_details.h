#pragma once

// Machine-readable details on an absl::Status. Core code attaches the
// standard google.rpc details (ErrorInfo, BadRequest, RetryInfo,
// LocalizedMessage) as payloads keyed by their type URL; the gRPC boundary
// sends them as a google.rpc.Status in grpc-status-details-bin, and the
// idempotency store keeps them so a replayed error is byte-identical.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "google/rpc/status.pb.h"

namespace loyalty::broker {

// Adds (or replaces) the detail of `detail`'s type. No-op on an OK status.
void AttachDetail(absl::Status& status, const google::protobuf::Message& detail);

template <typename Detail>
std::optional<Detail> DetailOf(const absl::Status& status) {
  Detail detail;
  auto payload =
      status.GetPayload(absl::StrCat("type.googleapis.com/", Detail::descriptor()->full_name()));
  if (!payload.has_value() || !detail.ParseFromString(std::string(*payload))) return std::nullopt;
  return detail;
}

// The same code and details with another message (e.g. a field prefix added).
absl::Status Reworded(const absl::Status& status, std::string message);

google::rpc::Status ToRpcStatus(const absl::Status& status);
absl::Status FromRpcStatus(const google::rpc::Status& rpc);

// The details alone, as stored beside a code and message; empty when none.
std::string SerializedDetails(const absl::Status& status);
absl::Status WithSerializedDetails(absl::Status status, const std::string& details);

}  // namespace loyalty::broker
