#pragma once

// The vendors this build knows.

#include <set>
#include <string>

#include "connectors/core/connector_registry.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors {

// The vendor names RegisterBuiltinConnectors registers.
const std::set<std::string>& BuiltinVendors();

// Registers every connector this build knows, sharing one HTTP client.
void RegisterBuiltinConnectors(ConnectorRegistry& registry, HttpClient& http);

}  // namespace loyalty::connectors
