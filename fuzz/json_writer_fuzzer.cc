// The JSON writer every stored row and vendor request goes through, against
// nlohmann::json: any bytes (vendor text is untrusted) come out as the same
// string literal nlohmann's dump with error_handler_t::replace writes, and
// that literal reads back.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "connectors/core/json_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string written;
  loyalty::connectors::AppendJsonString(written, text);
  const std::string reference =
      nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (written != reference) std::abort();
  if (!nlohmann::json::accept(written)) std::abort();
  return 0;
}
