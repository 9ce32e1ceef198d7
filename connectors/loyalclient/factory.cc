#include "connectors/loyalclient/factory.h"

#include "connectors/loyalclient/connector.h"
#include "connectors/loyalclient/settings.h"

namespace loyalty::connectors::loyalclient {
namespace {

class LoyalClientFactory final : public VendorFactory {
 public:
  std::string_view vendor() const override { return "loyalclient"; }
  absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseSettings(
      const ProgramConfig& program) const override {
    return ParseLoyalClientSettings(program);
  }
  std::shared_ptr<Connector> CreateConnector(HttpClient& http) const override {
    return std::make_shared<LoyalClientConnector>(http);
  }
};

}  // namespace

std::unique_ptr<VendorFactory> MakeLoyalClientFactory() {
  return std::make_unique<LoyalClientFactory>();
}

}  // namespace loyalty::connectors::loyalclient
