#include "connectors/artix/factory.h"

#include "connectors/artix/connector.h"
#include "connectors/artix/settings.h"

namespace loyalty::connectors::artix {
namespace {

class ArtixFactory final : public VendorFactory {
 public:
  std::string_view vendor() const override { return "artix"; }
  absl::StatusOr<std::shared_ptr<const VendorSettings>> ParseSettings(
      const ProgramConfig& program) const override {
    return ParseArtixSettings(program);
  }
  std::shared_ptr<Connector> CreateConnector(HttpClient& http) const override {
    return std::make_shared<ArtixConnector>(http);
  }
};

}  // namespace

std::unique_ptr<VendorFactory> MakeArtixFactory() { return std::make_unique<ArtixFactory>(); }

}  // namespace loyalty::connectors::artix
