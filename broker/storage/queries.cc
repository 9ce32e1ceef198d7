#include "broker/storage/queries.h"

namespace loyalty::broker {

const std::vector<NamedQuery>& AllQueries() {
  static const std::vector<NamedQuery> kQueries = [] {
    std::vector<NamedQuery> all;
    for (const auto* part :
         {&StoreDirectoryQueries(), &RegistrationQueries(), &QuoteQueries(), &HoldQueries(),
          &PurchaseQueries(), &PurchaseIntentQueries(), &PurchaseOutcomeQueries(),
          &ReconciliationQueries(), &CheckoutStateQueries(), &PurchaseProgramQueries(),
          &OutboxQueries(), &JournalQueries(), &IdempotencyQueries(), &CommitReadQueries()}) {
      all.insert(all.end(), part->begin(), part->end());
    }
    return all;
  }();
  return kQueries;
}

}  // namespace loyalty::broker
