#include "connectors/core/program.h"

namespace loyalty::connectors {
namespace {
const std::string kEmpty;

const std::string& Lookup(const std::map<std::string, std::string>& values,
                          const std::string& name) {
  auto it = values.find(name);
  return it == values.end() ? kEmpty : it->second;
}
}  // namespace

const std::string& ProgramConfig::Setting(const std::string& name) const {
  return Lookup(settings, name);
}

const std::string& ProgramConfig::Secret(const std::string& name) const {
  return Lookup(secrets, name);
}

}  // namespace loyalty::connectors
