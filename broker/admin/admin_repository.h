#pragma once

// What the admin service reads and changes in PostgreSQL, with each change
// and its audit row in one transaction. The SQL sits beside each method in
// admin_repository.cc; calls are rare, so statements are not prepared.

#include <string>

#include "absl/status/statusor.h"
#include "broker/storage/pool.h"
#include "loyalty/broker/admin/v1/admin.pb.h"

namespace loyalty::broker {

// Who did what, and why; written to admin_audit.
struct AuditRecord {
  std::string actor;
  std::string action;
  std::string store_id;
  std::string target;
  std::string reason;
  std::string details_json = "{}";
};

class AdminRepository {
 public:
  explicit AdminRepository(ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<admin::v1::ListPurchasesNeedingAttentionResponse> PurchasesNeedingAttention(
      const std::string& store_id, int limit);

  absl::StatusOr<admin::v1::ListApiKeysResponse> ApiKeys(const std::string& store_id);
  // NOT_FOUND unless `fingerprint` names exactly one unrevoked key.
  absl::StatusOr<admin::v1::ApiKey> RevokeApiKey(const std::string& store_id,
                                                 const std::string& fingerprint,
                                                 const AuditRecord& audit);
  // Stores `key_hash` as a new key of the store; the store's other valid
  // keys with `label` expire `overlap_seconds` from now.
  absl::StatusOr<admin::v1::RotateApiKeyResponse> AddRotatedKey(const std::string& store_id,
                                                                const std::string& label,
                                                                const std::string& key_hash,
                                                                int overlap_seconds,
                                                                const AuditRecord& audit);

  absl::StatusOr<admin::v1::Program> SwitchProgram(const std::string& store_id,
                                                   const std::string& program, bool switched_off,
                                                   const AuditRecord& audit);

  absl::StatusOr<admin::v1::StoreView> Store(const std::string& store_id);

  // For changes made elsewhere (a settlement): the audit row on its own.
  absl::Status Audit(const AuditRecord& audit);
  absl::StatusOr<admin::v1::ListAuditResponse> AuditTrail(const std::string& store_id, int limit);

 private:
  ConnectionPool& pool_;
};

}  // namespace loyalty::broker
