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

}  // namespace loyalty::broker
