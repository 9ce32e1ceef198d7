#pragma once

// An operator's settlement of a purchase in doubt, with its audit row:
// the one path for the admin service and `loyalty-broker settle`.

#include <string>

#include "absl/status/statusor.h"
#include "broker/admin/admin_repository.h"
#include "broker/core/purchase_settlement.h"

namespace loyalty::broker {

absl::StatusOr<PurchaseRecord> SettleAndAudit(PurchaseSettler& settler, AdminRepository& audit,
                                              const Settlement& settlement,
                                              const std::string& actor);

}  // namespace loyalty::broker
