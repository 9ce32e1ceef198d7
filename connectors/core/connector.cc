#include "connectors/core/connector.h"

#include "absl/strings/str_cat.h"

namespace loyalty::connectors {

Declined Unsupported(std::string_view vendor, std::string_view what) {
  return Declined{DeclineKind::kUnsupported, "",
                  absl::StrCat(std::string(vendor), " cannot ", std::string(what))};
}

Declined SettingsRefused(const ProgramConfig& program) {
  return Declined{DeclineKind::kMisconfigured, "settings",
                  absl::StrCat("program ", program.code, ": ",
                               program.settings_problem.empty() ? "settings were not checked"
                                                                : program.settings_problem)};
}

}  // namespace loyalty::connectors
