// The broker's own HTTP answer reader on arbitrary bytes, as a vendor's
// server may send them: it must not crash, hang or read out of bounds, must
// keep its bounds, and must read the same answer whatever pieces the bytes
// arrive in.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "connectors/http/response_reader.h"

namespace {

using loyalty::connectors::HttpResponseReader;

void Require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first byte: the piece size and whether the request was a HEAD; the
  // second: the body's bound.
  const size_t piece = (data[0] & 0x3F) + 1;
  const bool head = (data[0] & 0x40) != 0;
  const size_t max_body = static_cast<size_t>(data[1]) * 16;
  const std::string bytes(reinterpret_cast<const char*>(data + 2), size - 2);

  HttpResponseReader whole(max_body, head);
  whole.Feed(bytes);
  whole.Close();
  HttpResponseReader pieces(max_body, head);
  for (size_t at = 0; at < bytes.size(); at += piece) {
    pieces.Feed(absl::string_view(bytes).substr(at, piece));
  }
  pieces.Close();

  Require(whole.state() == pieces.state());
  Require(whole.state() != HttpResponseReader::State::kReading);
  if (whole.state() == HttpResponseReader::State::kComplete) {
    Require(whole.status() >= 200 && whole.status() <= 599);
    Require(whole.body().size() <= max_body);
    Require(whole.status() == pieces.status());
    Require(whole.body() == pieces.body());
    Require(whole.reusable() == pieces.reusable());
  } else {
    Require(!whole.error().empty());
    Require(whole.too_large() == pieces.too_large());
  }
  return 0;
}
