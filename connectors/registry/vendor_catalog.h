#pragma once

// The vendors a build knows, by name: checks programs against their
// vendor's settings and registers their connectors.

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "connectors/registry/connector_registry.h"
#include "connectors/registry/vendor_factory.h"

namespace loyalty::connectors {

class VendorCatalog {
 public:
  void Add(std::unique_ptr<VendorFactory> factory);

  std::set<std::string> Vendors() const;
  // INVALID_ARGUMENT for an unknown vendor or settings its factory refuses.
  absl::Status Check(const ProgramConfig& program) const;
  // Fills program.typed_settings, or settings_problem when Check fails.
  void Prepare(ProgramConfig& program) const;
  // One connector per vendor, sharing `http`.
  void RegisterConnectors(ConnectorRegistry& registry, HttpClient& http) const;

 private:
  absl::StatusOr<std::shared_ptr<const VendorSettings>> Parse(const ProgramConfig& program) const;

  std::map<std::string, std::unique_ptr<VendorFactory>, std::less<>> factories_;
};

}  // namespace loyalty::connectors
