#pragma once

// Connectors registered by vendor name, so that adding a vendor is one
// registration and the broker core never names a vendor.

#include <map>
#include <memory>
#include <set>
#include <string>

#include "connectors/core/connector.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors {

class ConnectorRegistry {
 public:
  void Register(std::string vendor, std::shared_ptr<Connector> connector);
  // nullptr when no connector has that name.
  Connector* Find(const std::string& vendor) const;

 private:
  std::map<std::string, std::shared_ptr<Connector>> connectors_;
};

// The vendor names RegisterBuiltinConnectors registers.
const std::set<std::string>& BuiltinVendors();

// Registers every connector this build knows, sharing one HTTP client.
void RegisterBuiltinConnectors(ConnectorRegistry& registry, HttpClient& http);

}  // namespace loyalty::connectors
