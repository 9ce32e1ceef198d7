#pragma once

// One program of a purchase: read as a purchase_programs row by column name,
// written as an element of its purchase's `programs` array (migration 0024)
// by every repository that moves a program's booking on (the intent, the
// outcome, the outbox, reconciliation).

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "broker/core/records.h"

namespace loyalty::broker {

// A row of q::kPurchasePrograms. INTERNAL-worthy rows (a state this build
// does not know) throw, as pqxx does for a bad column: the array's type
// (migration 0024) keeps them out.
PurchaseProgramRecord PurchaseProgramFromRow(const pqxx::row& row);

// The purchase's programs as its outcome writes them back: each an element
// of purchases.programs, with every column of the purchase_programs view but
// purchase_id (empty text as NULL).
std::string ProgramsJson(const std::vector<PurchaseProgramRecord>& programs);

// The purchase's programs as its intent writes them: asked for, nothing
// booked yet (pending, for every program, whatever the outcome will say).
std::string IntentProgramsJson(const std::vector<PurchaseProgramRecord>& programs);

// q::kUpdatePurchaseProgram for `program` of `purchase_id`.
void UpdatePurchaseProgram(pqxx::work& tx, int64_t purchase_id,
                           const PurchaseProgramRecord& program);

}  // namespace loyalty::broker
