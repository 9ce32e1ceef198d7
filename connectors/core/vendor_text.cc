#include "connectors/core/vendor_text.h"

#include "absl/strings/str_replace.h"

namespace loyalty::connectors {
namespace {

constexpr char kMask[] = "***";
constexpr char kCut[] = "...";

bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::string SafeVendorText(std::string_view text, const ProgramConfig& program) {
  // Masked whole before it is cut: a cut first could split a secret and
  // leave its first half. The text is at most one bounded vendor answer.
  std::string safe(text);
  for (const auto& [name, secret] : program.secrets) {
    if (!secret.empty()) absl::StrReplaceAll({{secret, kMask}}, &safe);
  }
  for (char& c : safe) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = ' ';
  }
  if (safe.size() > kMaxVendorTextBytes) {
    size_t end = kMaxVendorTextBytes;
    while (end > 0 && IsContinuationByte(static_cast<unsigned char>(safe[end]))) --end;
    safe.resize(end);
    safe += kCut;
  }
  return safe;
}

}  // namespace loyalty::connectors
