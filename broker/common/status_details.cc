#include "broker/common/status_details.h"

#include <map>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace loyalty::broker {
namespace {

std::string TypeUrl(const google::protobuf::Message& message) {
  return absl::StrCat("type.googleapis.com/", message.GetDescriptor()->full_name());
}

}  // namespace

void AttachDetail(absl::Status& status, const google::protobuf::Message& detail) {
  if (status.ok()) return;
  status.SetPayload(TypeUrl(detail), absl::Cord(detail.SerializeAsString()));
}

absl::Status Reworded(const absl::Status& status, std::string message) {
  absl::Status reworded(status.code(), message);
  status.ForEachPayload(
      [&](absl::string_view url, const absl::Cord& payload) { reworded.SetPayload(url, payload); });
  return reworded;
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(std::string(status.message()));
  // By type URL: payloads come in no fixed order, and a replayed answer
  // must be byte-identical to the first.
  std::map<std::string, std::string> details;
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    details[std::string(url)] = std::string(payload);
  });
  for (auto& [url, value] : details) {
    google::protobuf::Any* any = rpc.add_details();
    any->set_type_url(url);
    any->set_value(std::move(value));
  }
  return rpc;
}

absl::Status FromRpcStatus(const google::rpc::Status& rpc) {
  absl::Status status(static_cast<absl::StatusCode>(rpc.code()), rpc.message());
  for (const auto& any : rpc.details()) status.SetPayload(any.type_url(), absl::Cord(any.value()));
  return status;
}

std::string SerializedDetails(const absl::Status& status) {
  google::rpc::Status rpc = ToRpcStatus(status);
  if (rpc.details_size() == 0) return {};
  rpc.clear_code();
  rpc.clear_message();
  return rpc.SerializeAsString();
}

absl::Status WithSerializedDetails(absl::Status status, const std::string& details) {
  google::rpc::Status rpc;
  if (status.ok() || details.empty() || !rpc.ParseFromString(details)) return status;
  for (const auto& any : rpc.details()) status.SetPayload(any.type_url(), absl::Cord(any.value()));
  return status;
}

}  // namespace loyalty::broker
