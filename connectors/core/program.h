#pragma once

// One loyalty program as a store uses it: which vendor, where, with which
// settings and credentials. Loaded from the broker's database.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace loyalty::connectors {

// A program's settings and credentials as its vendor reads them: parsed and
// checked once (VendorFactory::ParseSettings), then read on every call.
class VendorSettings {
 public:
  virtual ~VendorSettings() = default;
};

struct ProgramConfig {
  int64_t id = 0;
  // The store's name for the program, e.g. "lc-main"; stable, shown to stores.
  std::string code;
  // Registered connector name: "loyalclient", "sailplay", "artix".
  std::string vendor;
  std::string base_url;
  // Vendor-specific, non-secret settings (point id, department id, shop code),
  // as stored.
  std::map<std::string, std::string> settings;
  // Vendor credentials, as stored. Never logged, never put in an error message.
  std::map<std::string, std::string> secrets;
  // `settings` and `secrets` parsed by the vendor's factory
  // (VendorCatalog::Prepare); null, with `settings_problem` saying why, when
  // they did not parse. A connector refuses a program without them.
  std::shared_ptr<const VendorSettings> typed_settings;
  std::string settings_problem;
  // Set when an operator switched the program off: the broker sends it no
  // calls (quotes skip it; bookings fail or wait in the outbox).
  bool switched_off = false;

  // The typed settings, if they are of type T.
  template <typename T>
  const T* TypedSettings() const {
    return dynamic_cast<const T*>(typed_settings.get());
  }
};

}  // namespace loyalty::connectors
