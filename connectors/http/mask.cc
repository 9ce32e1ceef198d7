#include "absl/strings/str_replace.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors {

std::string MaskSecrets(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    absl::StrReplaceAll({{secret, "***"}}, &text);
  }
  return text;
}

}  // namespace loyalty::connectors
