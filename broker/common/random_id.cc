#include "broker/common/random_id.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace loyalty::broker {
namespace {

// Random bytes from OpenSSL's generator, taken 4 KiB at a time per thread:
// each RAND_bytes call costs about 7k instructions whatever its size (its
// locks and generator set-up), which was 2 % of a quote. The bytes are the
// same kind; they only wait in the thread's buffer until used, once.
void FillRandom(uint8_t* out, size_t size) {
  thread_local std::array<uint8_t, 4096> buffer;
  thread_local size_t used = buffer.size();
  if (size > buffer.size() - used) {
    if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
      throw std::runtime_error("no random bytes from the system");
    }
    used = 0;
  }
  std::memcpy(out, buffer.data() + used, size);
  // Bytes handed out are not kept.
  std::memset(buffer.data() + used, 0, size);
  used += size;
}

}  // namespace

std::string RandomUuid() {
  std::array<uint8_t, 16> bytes;
  FillRandom(bytes.data(), bytes.size());
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0x0f];
  }
  return text;
}

}  // namespace loyalty::broker
