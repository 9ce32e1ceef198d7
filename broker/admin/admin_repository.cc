#include "broker/admin/admin_repository.h"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"

namespace loyalty::broker {
namespace {

constexpr size_t kFingerprintDigits = 12;

constexpr char kAttentionSql[] =
    "SELECT p.purchase_id, p.store_id, p.order_number, p.status, "
    "coalesce(p.failure_reason, ''), extract(epoch FROM p.created_at)::bigint, "
    "extract(epoch FROM p.updated_at)::bigint, "
    "CASE WHEN p.status = 'in_doubt' THEN 'in_doubt' "
    "WHEN EXISTS (SELECT 1 FROM purchase_programs pp WHERE pp.purchase_id = p.purchase_id "
    "AND pp.status = 'in_doubt') THEN 'program_in_doubt' "
    "WHEN EXISTS (SELECT 1 FROM purchase_programs pp WHERE pp.purchase_id = p.purchase_id "
    "AND pp.status = 'undo_refused') THEN 'undo_refused' ELSE 'stuck_pending' END "
    "FROM purchases p WHERE ($1 = '' OR p.store_id = $1) AND (p.status = 'in_doubt' "
    "OR (p.status = 'pending' AND p.updated_at < now() - interval '10 minutes') "
    "OR EXISTS (SELECT 1 FROM purchase_programs pp WHERE pp.purchase_id = p.purchase_id "
    "AND pp.status IN ('in_doubt', 'undo_refused'))) "
    "ORDER BY p.created_at LIMIT $2";
constexpr char kStandingsSql[] =
    "SELECT pr.code, pr.vendor, pp.status || coalesce(': ' || pp.reason, '') "
    "FROM purchase_programs pp "
    "JOIN programs pr USING (program_id) WHERE pp.purchase_id = $1 ORDER BY pr.position";

constexpr char kKeyColumns[] =
    "key_hash, label, source, extract(epoch FROM created_at)::bigint, "
    "coalesce(extract(epoch FROM expires_at)::bigint, 0), "
    "coalesce(extract(epoch FROM revoked_at)::bigint, 0), coalesce(revoked_reason, '')";

constexpr char kInsertAuditSql[] =
    "INSERT INTO admin_audit (actor, action, store_id, target, reason, details) "
    "VALUES ($1, $2, nullif($3, ''), nullif($4, ''), $5, $6::jsonb)";

absl::Status NotFound(std::string what) {
  return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kAdminTargetNotFound,
                       std::move(what));
}

admin::v1::ApiKey KeyFrom(const pqxx::row& row) {
  admin::v1::ApiKey key;
  key.set_fingerprint(row[0].as<std::string>().substr(0, kFingerprintDigits));
  key.set_label(row[1].as<std::string>());
  key.set_source(row[2].as<std::string>());
  key.set_created_at_unix(row[3].as<int64_t>());
  key.set_expires_at_unix(row[4].as<int64_t>());
  key.set_revoked_at_unix(row[5].as<int64_t>());
  key.set_revoked_reason(row[6].as<std::string>());
  return key;
}

void WriteAudit(pqxx::work& tx, const AuditRecord& audit) {
  tx.exec_params0(kInsertAuditSql, audit.actor, audit.action, audit.store_id, audit.target,
                  audit.reason, audit.details_json);
}

// Every key of the store, oldest first.
void AddStoreKeys(pqxx::transaction_base& tx, const std::string& store_id,
                  google::protobuf::RepeatedPtrField<admin::v1::ApiKey>& keys) {
  for (const auto& row : tx.exec_params(
           absl::StrCat("SELECT ", kKeyColumns,
                        " FROM api_keys WHERE store_id = $1 ORDER BY created_at, key_hash"),
           store_id)) {
    *keys.Add() = KeyFrom(row);
  }
}

bool StoreExists(pqxx::transaction_base& tx, const std::string& store_id) {
  return !tx.exec_params("SELECT 1 FROM stores WHERE store_id = $1", store_id).empty();
}

}  // namespace

absl::StatusOr<admin::v1::ListPurchasesNeedingAttentionResponse>
AdminRepository::PurchasesNeedingAttention(const std::string& store_id, int limit) {
  admin::v1::ListPurchasesNeedingAttentionResponse response;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(kAttentionSql, store_id, limit)) {
      admin::v1::PurchaseSummary* p = response.add_purchases();
      p->set_store_id(row[1].as<std::string>());
      p->set_order_number(row[2].as<std::string>());
      p->set_status(row[3].as<std::string>());
      p->set_reason(row[4].as<std::string>());
      p->set_created_at_unix(row[5].as<int64_t>());
      p->set_updated_at_unix(row[6].as<int64_t>());
      p->set_attention(row[7].as<std::string>());
      for (const auto& s : tx.exec_params(kStandingsSql, row[0].as<int64_t>())) {
        admin::v1::ProgramStanding* standing = p->add_programs();
        standing->set_program(s[0].as<std::string>());
        standing->set_vendor(s[1].as<std::string>());
        standing->set_status(s[2].as<std::string>());
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<admin::v1::ListApiKeysResponse> AdminRepository::ApiKeys(
    const std::string& store_id) {
  admin::v1::ListApiKeysResponse response;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    if (!StoreExists(tx, store_id)) return NotFound(absl::StrCat("no store ", store_id));
    AddStoreKeys(tx, store_id, *response.mutable_keys());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<admin::v1::ApiKey> AdminRepository::RevokeApiKey(const std::string& store_id,
                                                                const std::string& fingerprint,
                                                                const AuditRecord& audit) {
  const std::string prefix = absl::AsciiStrToLower(fingerprint);
  admin::v1::ApiKey revoked;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    pqxx::result matching = tx.exec_params(
        "SELECT key_hash FROM api_keys WHERE store_id = $1 AND revoked_at IS NULL "
        "AND starts_with(key_hash, $2) FOR UPDATE",
        store_id, prefix);
    if (matching.size() != 1) {
      return matching.empty()
                 ? NotFound(absl::StrCat("store ", store_id, " has no valid key ", fingerprint))
                 : ReasonedError(absl::StatusCode::kInvalidArgument, ErrorReason::kInvalidRequest,
                                 absl::StrCat(fingerprint, " names ", matching.size(),
                                              " keys: give more digits"));
    }
    revoked = KeyFrom(
        tx.exec_params1(absl::StrCat("UPDATE api_keys SET revoked_at = now(), revoked_reason = $2 "
                                     "WHERE key_hash = $1 RETURNING ",
                                     kKeyColumns),
                        matching[0][0].as<std::string>(), audit.reason));
    AuditRecord record = audit;
    record.target = revoked.fingerprint();
    record.details_json = nlohmann::json{{"label", revoked.label()}}.dump();
    WriteAudit(tx, record);
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return revoked;
}

absl::StatusOr<admin::v1::RotateApiKeyResponse> AdminRepository::AddRotatedKey(
    const std::string& store_id, const std::string& label, const std::string& key_hash,
    int overlap_seconds, const AuditRecord& audit) {
  admin::v1::RotateApiKeyResponse response;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (!StoreExists(tx, store_id)) return NotFound(absl::StrCat("no store ", store_id));
    for (const auto& row :
         tx.exec_params(absl::StrCat("UPDATE api_keys SET expires_at = least(coalesce(expires_at, "
                                     "'infinity'), now() + $3 * interval '1 second') "
                                     "WHERE store_id = $1 AND label = $2 AND revoked_at IS NULL "
                                     "AND (expires_at IS NULL OR expires_at > now()) RETURNING ",
                                     kKeyColumns),
                        store_id, label, overlap_seconds)) {
      *response.add_expiring() = KeyFrom(row);
    }
    *response.mutable_key() = KeyFrom(
        tx.exec_params1(absl::StrCat("INSERT INTO api_keys (key_hash, store_id, label, source) "
                                     "VALUES ($1, $2, $3, 'admin') RETURNING ",
                                     kKeyColumns),
                        key_hash, store_id, label));
    AuditRecord record = audit;
    record.target = response.key().fingerprint();
    nlohmann::json expiring = nlohmann::json::array();
    for (const auto& k : response.expiring()) expiring.push_back(k.fingerprint());
    record.details_json = nlohmann::json{
        {"label", label},
        {"overlap_seconds", overlap_seconds},
        {"expiring",
         expiring}}.dump();
    WriteAudit(tx, record);
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<admin::v1::Program> AdminRepository::SwitchProgram(const std::string& store_id,
                                                                  const std::string& program,
                                                                  bool switched_off,
                                                                  const AuditRecord& audit) {
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    pqxx::result changed = tx.exec_params(
        "UPDATE programs SET switched_off_at = CASE WHEN $3 THEN coalesce(switched_off_at, "
        "now()) END, switched_off_reason = CASE WHEN $3 THEN $4 END "
        "WHERE store_id = $1 AND code = $2 AND enabled RETURNING program_id",
        store_id, program, switched_off, audit.reason);
    if (changed.empty()) {
      return NotFound(absl::StrCat("store ", store_id, " has no program ", program));
    }
    AuditRecord record = audit;
    record.target = program;
    record.details_json = nlohmann::json{{"switched_off", switched_off}}.dump();
    WriteAudit(tx, record);
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  auto store = Store(store_id);
  if (!store.ok()) return store.status();
  for (const auto& p : store->programs()) {
    if (p.code() == program) return p;
  }
  return NotFound(absl::StrCat("store ", store_id, " has no program ", program));
}

absl::StatusOr<admin::v1::StoreView> AdminRepository::Store(const std::string& store_id) {
  admin::v1::StoreView view;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::result store = tx.exec_params("SELECT name FROM stores WHERE store_id = $1", store_id);
    if (store.empty()) return NotFound(absl::StrCat("no store ", store_id));
    view.set_store_id(store_id);
    view.set_name(store[0][0].as<std::string>());
    for (const auto& row : tx.exec_params(
             "SELECT code, vendor, base_url, required, settings::text, "
             "(SELECT coalesce(json_agg(k ORDER BY k), '[]') FROM program_credentials c, "
             "jsonb_object_keys(c.credentials) k WHERE c.program_id = p.program_id)::text, "
             "array_to_json(uses)::text, switched_off_at IS NOT NULL, "
             "coalesce(switched_off_reason, '') FROM programs p WHERE store_id = $1 AND enabled "
             "ORDER BY position, program_id",
             store_id)) {
      admin::v1::Program* p = view.add_programs();
      p->set_code(row[0].as<std::string>());
      p->set_vendor(row[1].as<std::string>());
      p->set_base_url(row[2].as<std::string>());
      p->set_required(row[3].as<bool>());
      const auto settings = nlohmann::json::parse(row[4].as<std::string>(), nullptr, false);
      for (const auto& [name, value] : settings.items()) {
        (*p->mutable_settings())[name] =
            value.is_string() ? value.get<std::string>() : value.dump();
      }
      for (const auto& name : nlohmann::json::parse(row[5].as<std::string>(), nullptr, false)) {
        p->add_credential_names(name.get<std::string>());
      }
      for (const auto& use : nlohmann::json::parse(row[6].as<std::string>(), nullptr, false)) {
        p->add_uses(use.get<std::string>());
      }
      p->set_switched_off(row[7].as<bool>());
      p->set_switched_off_reason(row[8].as<std::string>());
    }
    AddStoreKeys(tx, store_id, *view.mutable_api_keys());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return view;
}

absl::Status AdminRepository::Audit(const AuditRecord& audit) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    WriteAudit(tx, audit);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<admin::v1::ListAuditResponse> AdminRepository::AuditTrail(
    const std::string& store_id, int limit) {
  admin::v1::ListAuditResponse response;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT extract(epoch FROM at)::bigint, actor, action, coalesce(store_id, ''), "
             "coalesce(target, ''), reason, details::text FROM admin_audit "
             "WHERE ($1 = '' OR store_id = $1) ORDER BY audit_id DESC LIMIT $2",
             store_id, limit)) {
      admin::v1::AuditEntry* e = response.add_entries();
      e->set_at_unix(row[0].as<int64_t>());
      e->set_actor(row[1].as<std::string>());
      e->set_action(row[2].as<std::string>());
      e->set_store_id(row[3].as<std::string>());
      e->set_target(row[4].as<std::string>());
      e->set_reason(row[5].as<std::string>());
      e->set_details_json(row[6].as<std::string>());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

}  // namespace loyalty::broker
