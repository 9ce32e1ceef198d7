#include "broker/admin/admin_service.h"

#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "broker/admin/settle_and_audit.h"
#include "broker/api/grpc_status.h"
#include "broker/common/call_deadline.h"
#include "broker/common/error_reasons.h"
#include "broker/common/hashing.h"
#include "broker/common/logging.h"

namespace loyalty::broker {
namespace {

constexpr size_t kMaxText = 512;

absl::Status Invalid(const std::string& field, const std::string& why) {
  return InvalidFields({{field, why}});
}

absl::Status NeedText(const std::string& field, const std::string& value) {
  if (value.empty()) return Invalid(field, "is required");
  if (value.size() > kMaxText) return Invalid(field, absl::StrCat("is longer than ", kMaxText));
  return absl::OkStatus();
}

std::string BearerToken(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return "";
  std::string value(it->second.data(), it->second.size());
  if (!absl::StartsWithIgnoreCase(value, "bearer ")) return "";
  return std::string(absl::StripAsciiWhitespace(value.substr(7)));
}

int Limit(int asked, int fallback) { return asked <= 0 ? fallback : std::min(asked, 1000); }

// A new till key: 32 random bytes, hex, with a prefix that says what it is.
absl::StatusOr<std::string> NewApiKey() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::InternalError("no random bytes for a new key");
  }
  std::string key = "lk_";
  for (unsigned char b : bytes) absl::StrAppendFormat(&key, "%02x", b);
  return key;
}

}  // namespace

template <typename Work>
grpc::Status AdminService::Handle(grpc::ServerContext* context, const char* method, Work work) {
  const absl::Time started = absl::Now();
  absl::Time deadline = absl::FromChrono(context->deadline());
  if (deadline - started > absl::Hours(24)) deadline = started + default_deadline_;
  CallDeadlineScope scope(deadline);
  const std::optional<std::string> actor = tokens_.OperatorOf(BearerToken(*context));
  absl::Status status =
      actor
          ? work(*actor)
          : ReasonedError(absl::StatusCode::kUnauthenticated, ErrorReason::kOperatorUnauthenticated,
                          "send an operator token as \"authorization: Bearer <token>\"");
  status = Explained(std::move(status));
  Log(status.ok() ? LogLevel::kInfo : LogLevel::kWarning, "admin_call",
      {{"method", method},
       {"operator", actor.value_or("-")},
       {"code", absl::StatusCodeToString(status.code())},
       {"latency_ms", absl::StrCat(absl::ToDoubleMilliseconds(absl::Now() - started))},
       {"error", std::string(status.message())}});
  return ToGrpc(status);
}

grpc::Status AdminService::ListPurchasesNeedingAttention(
    grpc::ServerContext* context, const admin::v1::ListPurchasesNeedingAttentionRequest* request,
    admin::v1::ListPurchasesNeedingAttentionResponse* response) {
  return Handle(context, "ListPurchasesNeedingAttention", [&](const std::string&) {
    auto found =
        repository_.PurchasesNeedingAttention(request->store_id(), Limit(request->limit(), 100));
    if (!found.ok()) return found.status();
    *response = std::move(*found);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::SettlePurchase(grpc::ServerContext* context,
                                          const admin::v1::SettlePurchaseRequest* request,
                                          admin::v1::PurchaseSummary* response) {
  return Handle(context, "SettlePurchase", [&](const std::string& actor) -> absl::Status {
    if (auto s = NeedText("store_id", request->store_id()); !s.ok()) return s;
    if (auto s = NeedText("order_number", request->order_number()); !s.ok()) return s;
    if (auto s = NeedText("reason", request->reason()); !s.ok()) return s;
    if (request->earned_centipoints() < 0) return Invalid("earned_centipoints", "is negative");
    Settlement settlement{request->store_id(), request->order_number(), request->applied(),
                          request->reason(), request->earned_centipoints()};
    auto settled = SettleAndAudit(settler_, repository_, settlement, actor);
    if (!settled.ok()) return settled.status();
    response->set_store_id(settled->store_id);
    response->set_order_number(settled->order_number);
    response->set_status(std::string(PurchaseStateName(settled->state)));
    response->set_reason(settled->failure_reason);
    response->set_created_at_unix(settled->created_at_unix);
    response->set_updated_at_unix(settled->updated_at_unix);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::ListApiKeys(grpc::ServerContext* context,
                                       const admin::v1::StoreRequest* request,
                                       admin::v1::ListApiKeysResponse* response) {
  return Handle(context, "ListApiKeys", [&](const std::string&) -> absl::Status {
    if (auto s = NeedText("store_id", request->store_id()); !s.ok()) return s;
    auto keys = repository_.ApiKeys(request->store_id());
    if (!keys.ok()) return keys.status();
    *response = std::move(*keys);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::RevokeApiKey(grpc::ServerContext* context,
                                        const admin::v1::RevokeApiKeyRequest* request,
                                        admin::v1::ApiKey* response) {
  return Handle(context, "RevokeApiKey", [&](const std::string& actor) -> absl::Status {
    if (auto s = NeedText("store_id", request->store_id()); !s.ok()) return s;
    if (auto s = NeedText("reason", request->reason()); !s.ok()) return s;
    const std::string& fingerprint = request->fingerprint();
    if (fingerprint.size() < 8 || fingerprint.size() > 64 ||
        !std::all_of(fingerprint.begin(), fingerprint.end(),
                     [](char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); })) {
      return Invalid("fingerprint", "must be 8 to 64 hex digits of the key's fingerprint");
    }
    auto revoked = repository_.RevokeApiKey(
        request->store_id(), fingerprint,
        AuditRecord{actor, "revoke_api_key", request->store_id(), "", request->reason()});
    if (!revoked.ok()) return revoked.status();
    *response = std::move(*revoked);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::RotateApiKey(grpc::ServerContext* context,
                                        const admin::v1::RotateApiKeyRequest* request,
                                        admin::v1::RotateApiKeyResponse* response) {
  return Handle(context, "RotateApiKey", [&](const std::string& actor) -> absl::Status {
    if (auto s = NeedText("store_id", request->store_id()); !s.ok()) return s;
    if (auto s = NeedText("label", request->label()); !s.ok()) return s;
    if (auto s = NeedText("reason", request->reason()); !s.ok()) return s;
    if (request->overlap_seconds() < 0 || request->overlap_seconds() > 30 * 86400) {
      return Invalid("overlap_seconds", "must be 0 to 30 days");
    }
    auto key = NewApiKey();
    if (!key.ok()) return key.status();
    auto rotated = repository_.AddRotatedKey(
        request->store_id(), request->label(), Sha256Hex(*key),
        request->overlap_seconds() == 0 ? 86400 : request->overlap_seconds(),
        AuditRecord{actor, "rotate_api_key", request->store_id(), "", request->reason()});
    if (!rotated.ok()) return rotated.status();
    *response = std::move(*rotated);
    response->set_api_key(*key);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::SetProgramSwitchedOff(
    grpc::ServerContext* context, const admin::v1::SetProgramSwitchedOffRequest* request,
    admin::v1::Program* response) {
  return Handle(context, "SetProgramSwitchedOff", [&](const std::string& actor) -> absl::Status {
    if (auto s = NeedText("store_id", request->store_id()); !s.ok()) return s;
    if (auto s = NeedText("program", request->program()); !s.ok()) return s;
    if (auto s = NeedText("reason", request->reason()); !s.ok()) return s;
    auto program = repository_.SwitchProgram(
        request->store_id(), request->program(), request->switched_off(),
        AuditRecord{actor, request->switched_off() ? "switch_program_off" : "switch_program_on",
                    request->store_id(), "", request->reason()});
    if (!program.ok()) return program.status();
    *response = std::move(*program);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::ShowStore(grpc::ServerContext* context,
                                     const admin::v1::StoreRequest* request,
                                     admin::v1::StoreView* response) {
  return Handle(context, "ShowStore", [&](const std::string&) -> absl::Status {
    if (auto s = NeedText("store_id", request->store_id()); !s.ok()) return s;
    auto store = repository_.Store(request->store_id());
    if (!store.ok()) return store.status();
    *response = std::move(*store);
    return absl::OkStatus();
  });
}

grpc::Status AdminService::ListAudit(grpc::ServerContext* context,
                                     const admin::v1::ListAuditRequest* request,
                                     admin::v1::ListAuditResponse* response) {
  return Handle(context, "ListAudit", [&](const std::string&) -> absl::Status {
    auto trail = repository_.AuditTrail(request->store_id(), Limit(request->limit(), 50));
    if (!trail.ok()) return trail.status();
    *response = std::move(*trail);
    return absl::OkStatus();
  });
}

}  // namespace loyalty::broker
