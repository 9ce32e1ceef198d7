#include "connectors/sailplay/factory.h"

#include "connectors/sailplay/connector.h"
#include "connectors/sailplay/settings.h"

namespace loyalty::connectors::sailplay {
namespace {

class SailPlayFactory final : public VendorFactory {
 public:
  std::string_view vendor() const override { return "sailplay"; }
  absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseSettings(
      const ProgramConfig& program) const override {
    return ParseSailPlaySettings(program);
  }
  std::shared_ptr<Connector> CreateConnector(HttpClient& http) const override {
    return std::make_shared<SailPlayConnector>(http);
  }
};

}  // namespace

std::unique_ptr<VendorFactory> MakeSailPlayFactory() { return std::make_unique<SailPlayFactory>(); }

}  // namespace loyalty::connectors::sailplay
