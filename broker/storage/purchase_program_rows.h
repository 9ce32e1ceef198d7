#pragma once

// One program of a purchase as a purchase_programs row: read by column name,
// written by every repository that moves a program's booking on (the
// outcome, the outbox, reconciliation) through the same statement.

#include <pqxx/pqxx>

#include "broker/core/records.h"

namespace loyalty::broker {

// A row of q::kPurchasePrograms. INTERNAL-worthy rows (a state this build
// does not know) throw, as pqxx does for a bad column: the CHECK constraint
// keeps them out.
PurchaseProgramRecord PurchaseProgramFromRow(const pqxx::row& row);

// q::kUpdatePurchaseProgram for `program` of `purchase_id`.
void UpdatePurchaseProgram(pqxx::work& tx, int64_t purchase_id,
                           const PurchaseProgramRecord& program);

}  // namespace loyalty::broker
