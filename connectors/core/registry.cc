#include "connectors/core/registry.h"

#include "connectors/artix/connector.h"
#include "connectors/loyalclient/connector.h"
#include "connectors/sailplay/connector.h"

namespace loyalty::connectors {

void ConnectorRegistry::Register(std::string vendor, std::shared_ptr<Connector> connector) {
  connectors_[std::move(vendor)] = std::move(connector);
}

Connector* ConnectorRegistry::Find(const std::string& vendor) const {
  auto it = connectors_.find(vendor);
  return it == connectors_.end() ? nullptr : it->second.get();
}

const std::set<std::string>& BuiltinVendors() {
  static const std::set<std::string> kVendors = {"artix", "loyalclient", "sailplay"};
  return kVendors;
}

void RegisterBuiltinConnectors(ConnectorRegistry& registry, HttpClient& http) {
  registry.Register("loyalclient", std::make_shared<loyalclient::LoyalClientConnector>(http));
  registry.Register("sailplay", std::make_shared<sailplay::SailPlayConnector>(http));
  registry.Register("artix", std::make_shared<artix::ArtixConnector>(http));
}

}  // namespace loyalty::connectors
