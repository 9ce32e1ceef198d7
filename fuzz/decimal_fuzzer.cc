// The decimal reader every vendor amount goes through: never a crash or an
// overflow, and what it reads it writes back the same (text -> units ->
// text -> units is stable).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "connectors/core/decimal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int scale = data[0] % 5;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto units = loyalty::connectors::ParseDecimal(text, scale);
  if (!units.ok()) return 0;
  auto again =
      loyalty::connectors::ParseDecimal(loyalty::connectors::FormatDecimal(*units, scale), scale);
  if (!again.ok() || *again != *units) std::abort();
  return 0;
}
