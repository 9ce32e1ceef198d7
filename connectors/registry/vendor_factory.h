#pragma once

// What a vendor folder gives the broker: its name, the parser of a program's
// settings and credentials, and its connector. Adding a vendor is a folder
// with a factory, one line in connectors/builtin/builtin_vendors.cc and a
// value of the proto's Vendor enum (connectors/README.md).

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "connectors/core/connector.h"
#include "connectors/core/program.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors {

class VendorFactory {
 public:
  virtual ~VendorFactory() = default;

  // The name programs give as their `vendor`, e.g. "loyalclient".
  virtual std::string_view vendor() const = 0;
  // The program's settings and credentials, checked: INVALID_ARGUMENT naming
  // the setting that is missing, unknown or malformed (never a credential's
  // value).
  virtual absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseSettings(
      const ProgramConfig& program) const = 0;
  // The vendor's connector; one serves every program of the vendor.
  virtual std::shared_ptr<Connector> CreateConnector(HttpClient& http) const = 0;
};

}  // namespace loyalty::connectors
