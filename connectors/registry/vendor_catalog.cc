#include "connectors/registry/vendor_catalog.h"

#include "absl/strings/str_cat.h"

namespace loyalty::connectors {

void VendorCatalog::Add(std::unique_ptr<VendorFactory> factory) {
  std::string name(factory->vendor());
  factories_[name] = std::move(factory);
}

std::set<std::string> VendorCatalog::Vendors() const {
  std::set<std::string> names;
  for (const auto& [name, factory] : factories_) names.insert(name);
  return names;
}

absl::StatusOr<std::shared_ptr<const VendorSettings>> VendorCatalog::Parse(
    const ProgramConfig& program) const {
  auto it = factories_.find(program.vendor);
  if (it == factories_.end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown vendor \"", program.vendor, "\""));
  }
  return it->second->ParseSettings(program);
}

absl::Status VendorCatalog::Check(const ProgramConfig& program) const {
  return Parse(program).status();
}

void VendorCatalog::Prepare(ProgramConfig& program) const {
  auto parsed = Parse(program);
  if (parsed.ok()) {
    program.typed_settings = *std::move(parsed);
    program.settings_problem.clear();
  } else {
    program.typed_settings.reset();
    program.settings_problem = std::string(parsed.status().message());
  }
}

void VendorCatalog::RegisterConnectors(ConnectorRegistry& registry, HttpClient& http) const {
  for (const auto& [name, factory] : factories_)
    registry.Register(name, factory->CreateConnector(http));
}

}  // namespace loyalty::connectors
