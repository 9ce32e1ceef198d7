#include "connectors/builtin/builtin_connectors.h"

#include "connectors/artix/connector.h"
#include "connectors/loyalclient/connector.h"
#include "connectors/sailplay/connector.h"

namespace loyalty::connectors {

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
