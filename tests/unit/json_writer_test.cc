// The JSON writer against nlohmann::json, the reader every stored row and
// vendor body goes through: same text for the same values, and untrusted
// bytes replaced exactly as nlohmann's dump with error_handler_t::replace
// replaces them.

#include "connectors/core/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace loyalty::connectors {
namespace {

std::string Reference(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Written(const std::string& text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

TEST(JsonWriter, EscapesAsNlohmannDoes) {
  for (const std::string& text :
       {std::string(""), std::string("plain"), std::string("quote \" and \\ back"),
        std::string("\b\f\n\r\t"), std::string("\x01\x1f\x7f", 3), std::string("\0x", 2),
        std::string("Молоко 1 л"), std::string("€ 𝄞")}) {
    EXPECT_EQ(Written(text), Reference(text)) << text;
  }
}

TEST(JsonWriter, ReplacesBytesThatAreNotUtf8AsNlohmannDoes) {
  for (const std::string& text :
       {std::string("\xff"), std::string("a\x80z"), std::string("\xc0\xaf"),  // overlong
        std::string("\xed\xa0\x80"),                                          // a surrogate
        std::string("\xf4\x90\x80\x80"),                                      // past U+10FFFF
        std::string("\xe2\x82"),                                              // cut at the end
        std::string("\xe2\x82z"), std::string("\xf0\x9d\x84"), std::string("\xc3")}) {
    EXPECT_EQ(Written(text), Reference(text))
        << nlohmann::json(text).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  }
}

// Seeded random strings of the bytes that matter: plain text, escapes, every
// lead and continuation byte, valid sequences and pieces of them.
TEST(JsonWriter, RandomBytesComeOutAsNlohmannWritesThem) {
  std::mt19937 random(20261203);
  const std::vector<std::string> pieces = {
      "a",        "Z",    " ",        "\"",       "\\",   "\n",       "\t",   std::string(1, '\0'),
      "\x1f",     "\x7f", "é",        "€",        "𝄞",    "\x80",     "\xbf", "\xc0",
      "\xc2",     "\xdf", "\xe0",     "\xe0\xa0", "\xed", "\xed\x9f", "\xef", "\xf0",
      "\xf0\x90", "\xf4", "\xf4\x8f", "\xf5",     "\xff"};
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int n = std::uniform_int_distribution<int>(0, 12)(random);
    for (int i = 0; i < n; ++i) {
      text += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(random)];
    }
    ASSERT_EQ(Written(text), Reference(text)) << "round " << round;
    // And what it wrote is JSON that reads back.
    EXPECT_TRUE(nlohmann::json::accept(Written(text)));
  }
}

TEST(JsonWriter, WritesNestedValuesThatReadBack) {
  JsonWriter inner;
  inner.BeginArray().Int(1).Null().EndArray();
  JsonWriter writer;
  writer.BeginObject()
      .Key("id")
      .Int(-42)
      .Key("name")
      .String("x\"y")
      .Key("ok")
      .Bool(true)
      .Key("none")
      .Null()
      .Key("inner")
      .Raw(inner.str())
      .Key("amount")
      .Decimal(12345, 2)
      .EndObject();
  const auto parsed = nlohmann::json::parse(writer.str());
  EXPECT_EQ(parsed.at("id"), -42);
  EXPECT_EQ(parsed.at("name"), "x\"y");
  EXPECT_EQ(parsed.at("ok"), true);
  EXPECT_TRUE(parsed.at("none").is_null());
  EXPECT_EQ(parsed.at("inner"), nlohmann::json::parse("[1,null]"));
  EXPECT_NE(writer.str().find("\"amount\":123.45"), std::string::npos);
}

// A key made at run time takes a shorter path when every byte is plain, one
// the code spells is checked when it is compiled; either way an object reads
// back with the same keys and values as nlohmann writes it.
TEST(JsonWriter, KeysPlainOrEscapedComeOutAsNlohmannWritesThem) {
  const std::vector<std::string> keys = {"id",        "",       "total_minor", "quote \" and \\",
                                         "tab\there", "Молоко", "\xff",        "a\x01"};
  JsonWriter writer;
  nlohmann::json expected = nlohmann::json::object();
  writer.BeginObject();
  for (size_t i = 0; i < keys.size(); ++i) {
    writer.KeyText(keys[i]).Int(static_cast<int64_t>(i));
    expected[keys[i]] = i;
  }
  writer.Key("nested").BeginObject().Key("x").Int(1).EndObject();
  expected["nested"] = {{"x", 1}};
  writer.Int("total", 7).StringOrNull("none", "").BeginArray("list").Int(1).EndArray();
  expected["total"] = 7;
  expected["none"] = nullptr;
  expected["list"] = {1};
  writer.EndObject();
  EXPECT_EQ(nlohmann::json::parse(writer.str(), nullptr, true, false)
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            expected.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      << writer.str();
  EXPECT_EQ(writer.str().substr(0, 10), "{\"id\":0,\"\"");
}

}  // namespace
}  // namespace loyalty::connectors
