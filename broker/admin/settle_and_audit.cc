#include "broker/admin/settle_and_audit.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "broker/common/logging.h"

namespace loyalty::broker {

absl::StatusOr<PurchaseRecord> SettleAndAudit(PurchaseSettler& settler, AdminRepository& audit,
                                              const Settlement& settlement,
                                              const std::string& actor) {
  Settlement signed_settlement = settlement;
  signed_settlement.reason = absl::StrCat(settlement.reason, " (", actor, ")");
  auto settled = settler.Settle(signed_settlement);
  if (!settled.ok()) return settled;
  // The settlement is written; a lost audit row is logged, not undone.
  absl::Status audited = audit.Audit(AuditRecord{
      actor, "settle_purchase", settlement.store_id, settlement.order_number, settlement.reason,
      nlohmann::json{{"applied", settlement.applied},
                     {"earned_centipoints", settlement.earned_centipoints},
                     {"status", std::string(PurchaseStateName(settled->state))}}
          .dump()});
  if (!audited.ok()) {
    Log(LogLevel::kError, "admin_audit_failed",
        {{"action", "settle_purchase"},
         {"store", settlement.store_id},
         {"order", settlement.order_number},
         {"error", std::string(audited.message())}});
  }
  return settled;
}

}  // namespace loyalty::broker
