#pragma once

// A vendor's words (a refusal's reason, a failure's detail) made safe to
// log, store and show a till: the program's credentials masked, control
// characters replaced, and cut to a bounded length on a UTF-8 boundary.
// Vendor answers are untrusted input: a vendor echoing the API key in its
// refusal, or answering 16 KiB of reason, must change neither.

#include <cstddef>
#include <string>
#include <string_view>

#include "connectors/core/outcome.h"
#include "connectors/core/program.h"

namespace loyalty::connectors {

inline constexpr size_t kMaxVendorTextBytes = 512;

std::string SafeVendorText(std::string_view text, const ProgramConfig& program);

template <typename T>
Outcome<T> WithSafeVendorText(Outcome<T> outcome, const ProgramConfig& program) {
  if (outcome.declined()) {
    Declined declined = outcome.declined_reason();
    declined.field = SafeVendorText(declined.field, program);
    declined.message = SafeVendorText(declined.message, program);
    return declined;
  }
  if (outcome.failed()) {
    Failed failed = outcome.failure();
    failed.message = SafeVendorText(failed.message, program);
    return failed;
  }
  return outcome;
}

}  // namespace loyalty::connectors
