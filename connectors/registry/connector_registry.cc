#include "connectors/registry/connector_registry.h"

namespace loyalty::connectors {

void ConnectorRegistry::Register(std::string vendor, std::shared_ptr<Connector> connector) {
  connectors_[std::move(vendor)] = std::move(connector);
}

Connector* ConnectorRegistry::Find(const std::string& vendor) const {
  auto it = connectors_.find(vendor);
  return it == connectors_.end() ? nullptr : it->second.get();
}

}  // namespace loyalty::connectors
