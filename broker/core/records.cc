#include "broker/core/records.h"

namespace loyalty::broker {

const StoreProgram* StoreContext::FindProgram(const std::string& code) const {
  for (const auto& p : programs) {
    if (p.config->code == code) return &p;
  }
  return nullptr;
}

const StoreProgram* StoreContext::FindProgram(int64_t program_id) const {
  for (const auto& p : programs) {
    if (p.config->id == program_id) return &p;
  }
  return nullptr;
}

const QuoteProgramRecord* QuoteRecord::FindProgram(int64_t program_id) const {
  for (const auto& p : programs) {
    if (p.program_id == program_id) return &p;
  }
  return nullptr;
}

void PurchaseProgramRecord::Become(BookingState to, std::string why, BookingOperation operation) {
  state = to;
  reason = std::move(why);
  last_operation = operation;
}

std::string PurchaseProgramRecord::Describe() const {
  std::string text(StateName(state));
  if (!reason.empty()) text += ": " + reason;
  return text;
}

bool PurchaseProgramRecord::Stands() const {
  return state == BookingState::kApproved || state == BookingState::kQueued;
}

bool PurchaseProgramRecord::Skipped() const { return state == BookingState::kSkipped; }

bool PurchaseRecord::Complete() const {
  if (state != PurchaseState::kBooked && state != PurchaseState::kConfirmed &&
      state != PurchaseState::kCancelled) {
    return false;
  }
  for (const auto& p : programs) {
    if (!p.Stands()) return false;
  }
  return true;
}

void PurchaseRecord::TotalFromPrograms() {
  spent_centipoints = 0;
  earned_centipoints = 0;
  for (const auto& p : programs) {
    spent_centipoints += p.spent_centipoints;
    earned_centipoints += p.earned_centipoints;
  }
  paid_minor = total_minor - spent_centipoints;  // a point is one unit of money
}

void PurchaseRecord::TotalNothingSpent() {
  spent_centipoints = 0;
  earned_centipoints = 0;
  paid_minor = total_minor;
}

}  // namespace loyalty::broker
