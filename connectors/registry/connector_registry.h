#pragma once

// Connectors by vendor name: the broker looks a program's connector up here
// and never names a vendor itself.

#include <map>
#include <memory>
#include <string>

#include "connectors/core/connector.h"

namespace loyalty::connectors {

class ConnectorRegistry {
 public:
  void Register(std::string vendor, std::shared_ptr<Connector> connector);
  // nullptr when no connector has that name.
  Connector* Find(const std::string& vendor) const;

 private:
  std::map<std::string, std::shared_ptr<Connector>> connectors_;
};

}  // namespace loyalty::connectors
