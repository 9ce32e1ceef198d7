#pragma once

// One loyalty program as a store uses it: which vendor, where, with which
// settings and credentials. Loaded from the broker's database.

#include <cstdint>
#include <map>
#include <string>

namespace loyalty::connectors {

struct ProgramConfig {
  int64_t id = 0;
  // The store's name for the program, e.g. "lc-main"; stable, shown to stores.
  std::string code;
  // Registered connector name: "loyalclient", "sailplay", "artix".
  std::string vendor;
  std::string base_url;
  // Vendor-specific, non-secret settings (point id, department id, shop code).
  std::map<std::string, std::string> settings;
  // Vendor credentials. Never logged, never put in an error message.
  std::map<std::string, std::string> secrets;
  // Set when an operator switched the program off: the broker sends it no
  // calls (quotes skip it; bookings fail or wait in the outbox).
  bool switched_off = false;

  const std::string& Setting(const std::string& name) const;
  const std::string& Secret(const std::string& name) const;
};

}  // namespace loyalty::connectors
