#pragma once

// Reconciliation's rows: which purchases to compare next, the mismatches
// found, and in-doubt bookings settled by a vendor's answer.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/records.h"

namespace loyalty::broker {

// One disagreement between the broker's record and a vendor's.
struct Mismatch {
  int64_t program_id = 0;
  std::string kind;  // see the table's CHECK constraint (migration 0006)
  std::string broker_value;
  std::string vendor_value;
};

class ReconciliationRepository {
 public:
  virtual ~ReconciliationRepository() = default;

  struct Due {
    std::string store_id, order_number;
  };
  // Claims up to `limit` purchases updated within `window` (and any with a
  // booking in doubt) not compared for `every`; marks them compared now.
  virtual absl::StatusOr<std::vector<Due>> ClaimDue(absl::Duration window, absl::Duration every,
                                                    int limit) = 0;
  // The comparison of one program of a purchase: records what it found and
  // resolves what it no longer finds, atomically.
  virtual absl::Status RecordComparison(int64_t purchase_id, int64_t program_id,
                                        const std::vector<Mismatch>& found) = 0;
  // An in-doubt booking the vendor's answer settled: the program's new state
  // and the purchase's points, with a resolved `in_doubt_settled` row.
  virtual absl::Status Settle(int64_t purchase_id, const PurchaseProgramRecord& program,
                              const std::string& was, const std::string& vendor_says) = 0;
};

}  // namespace loyalty::broker
