// The broker's configuration and the stores file, as an operator may get
// them wrong: a refusal with a message, never a crash or an exception.

#include <cstddef>
#include <cstdint>
#include <string>

#include "broker/config/config.h"
#include "broker/storage/registration.h"
#include "connectors/builtin/builtin_vendors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const loyalty::broker::Environment env = {{"LC_KEY", "lc-demo-apikey-0001"},
                                            {"LOYALTY_GRPC__LISTEN", "127.0.0.1:0"}};
  (void)loyalty::broker::ParseConfig(text, env);
  (void)loyalty::broker::ReadStoresFile(text, loyalty::connectors::BuiltinVendors(), env);
  return 0;
}
