#include "connectors/core/json_writer.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "connectors/core/decimal.h"

namespace loyalty::connectors {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// How many bytes the UTF-8 sequence starting at text[i] takes, 0 if it is
// not one. Only the second byte's range differs by lead byte: it rules out
// overlong forms, surrogates and code points past U+10FFFF. `valid_prefix`
// is how many of its bytes were valid before the one that was not.
size_t Utf8Length(std::string_view text, size_t i, size_t& valid_prefix) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    valid_prefix = 0;
    return 0;
  }
  for (size_t k = 1; k < length; ++k) {
    const bool in_range =
        i + k < text.size() && (k == 1 ? byte(i + k) >= low && byte(i + k) <= high
                                       : byte(i + k) >= 0x80 && byte(i + k) <= 0xBF);
    if (!in_range) {
      valid_prefix = k;
      return 0;
    }
  }
  return length;
}

// Bytes copied as they are: printable ASCII but the quote and the
// backslash. One table lookup per byte, where four comparisons took about
// 13 instructions a byte (bench/instructions.sh: 1.6 % of a quote's).
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

// `text`, known to be plain, with its quotes (and the comma before, the
// colon after, when asked) in one step, where reserving and appending piece
// by piece cost about 230 instructions a key (bench/instructions.sh).
[[gnu::always_inline]] inline void AppendQuoted(std::string& out, bool comma, std::string_view text,
                                                bool colon) {
  const size_t start = out.size();
  out.resize(start + (comma ? 1 : 0) + text.size() + 2 + (colon ? 1 : 0));
  char* at = out.data() + start;
  if (comma) *at++ = ',';
  *at++ = '"';
  at = std::copy(text.begin(), text.end(), at);
  *at++ = '"';
  if (colon) *at = ':';
}

// The common case, most values and the keys made at run time: a string of
// plain bytes only, written as AppendQuoted writes it. False, writing
// nothing, when `text` needs escaping.
[[gnu::always_inline]] inline bool AppendPlainQuoted(std::string& out, bool comma,
                                                     std::string_view text, bool colon) {
  const auto plain = [](char c) { return kPlain[static_cast<unsigned char>(c)]; };
  if (!std::all_of(text.begin(), text.end(), plain)) return false;
  AppendQuoted(out, comma, text, colon);
  return true;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  if (AppendPlainQuoted(out, /*comma=*/false, text, /*colon=*/false)) return;
  out.reserve(out.size() + text.size() + 2);
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (kPlain[c]) {
      // The common case: a run of plain ASCII, copied at once.
      size_t end = i + 1;
      while (end < text.size() && kPlain[static_cast<unsigned char>(text[end])]) ++end;
      out.append(text.substr(i, end - i));
      i = end;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        }
      }
      ++i;
      continue;
    }
    size_t valid_prefix = 0;
    const size_t length = Utf8Length(text, i, valid_prefix);
    if (length > 0) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      // One replacement for the bad lead byte, or for the valid start of a
      // sequence cut short; the byte that cut it is read again on its own.
      out += kReplacement;
      i += valid_prefix > 0 ? valid_prefix : 1;
    }
  }
  out.push_back('"');
}

void JsonWriter::Separate() {
  if (need_comma_) out_.push_back(',');
  need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Key(JsonKey key) {
  AppendQuoted(out_, need_comma_, key.name(), /*colon=*/true);  // checked when compiled
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::KeyText(std::string_view key) {
  if (!AppendPlainQuoted(out_, need_comma_, key, /*colon=*/true)) {
    Separate();
    AppendJsonString(out_, key);
    out_.push_back(':');
  }
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  Separate();
  AppendJsonString(out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  Separate();
  absl::StrAppend(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Decimal(int64_t units, int scale) {
  Separate();
  out_ += FormatDecimal(units, scale);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::StringOrNull(std::string_view value) {
  return value.empty() ? Null() : String(value);
}

JsonWriter& JsonWriter::IntOrNull(const std::optional<int64_t>& value) {
  return value ? Int(*value) : Null();
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_ += json;
  return *this;
}

}  // namespace loyalty::connectors
