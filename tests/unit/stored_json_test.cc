#include "broker/storage/stored_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

namespace loyalty::broker::stored_json {
namespace {

TEST(StoredJson, ReadsAnArrayAsPostgreSqlPrintsJsonb) {
  const std::string text =
      R"([{"sku": "MILK-1L", "used": true, "line_no": 1, "coupon": null, )"
      R"("campaign": "Сыр \"Российский\"\n", "amount_minor": -9223372036854775808}, {"line_no": 2}])";
  std::vector<int64_t> line_nos;
  ForEachObject(text, [&](const simdjson::dom::object& o) {
    line_nos.push_back(Int(o, "line_no"));
    if (line_nos.size() > 1) {
      EXPECT_EQ(TextOrEmpty(o, "coupon"), "");  // absent
      EXPECT_EQ(IntOrNull(o, "amount_minor"), std::nullopt);
      EXPECT_THROW(Text(o, "sku"), std::runtime_error);
      return;
    }
    EXPECT_EQ(Text(o, "sku"), "MILK-1L");
    EXPECT_TRUE(Bool(o, "used"));
    EXPECT_EQ(TextOrEmpty(o, "coupon"), "");  // null
    EXPECT_EQ(Text(o, "campaign"), "Сыр \"Российский\"\n");
    EXPECT_EQ(IntOrNull(o, "amount_minor"), std::numeric_limits<int64_t>::min());
    EXPECT_THROW(Int(o, "sku"), std::runtime_error);  // a string, not a number
    EXPECT_THROW(Bool(o, "line_no"), std::runtime_error);
  });
  EXPECT_EQ(line_nos, (std::vector<int64_t>{1, 2}));
}

TEST(StoredJson, RefusesWhatIsNotAnArrayOfObjects) {
  auto nothing = [](const simdjson::dom::object&) {};
  EXPECT_THROW(ForEachObject(R"({"line_no": 1})", nothing), std::runtime_error);
  EXPECT_THROW(ForEachObject(R"([{"line_no": 1}, 2])", nothing), std::runtime_error);
  EXPECT_THROW(ForEachObject(R"([{"line_no": 1})", nothing), std::runtime_error);
  EXPECT_THROW(ForEachObject("[\"\xff\"]", nothing), std::runtime_error);  // not UTF-8
  EXPECT_EQ(Strings(R"(["A1", 7, null, "B2"])"), (std::vector<std::string>{"A1", "B2"}));
  EXPECT_TRUE(Strings("[]").empty());
}

// Any text and any integer nlohmann's writer can print read back the same:
// random strings (escapes, control characters, Cyrillic, 4-byte UTF-8),
// integers across int64, booleans and nulls.
TEST(StoredJson, ReadsBackWhatWasWrittenWhateverItHolds) {
  std::mt19937_64 random(20261206);
  const std::vector<std::string> pieces = {"a",    "Z", "0",  " ",  "\"",
                                           "\\",   "/", "\n", "\t", std::string(1, '\x01'),
                                           "\x7f", "й", "Ё",  "€",  "\xF0\x9F\x98\x80",
                                           "{",    "]", ":",  ","};
  auto random_text = [&] {
    std::string text;
    const int length = static_cast<int>(random() % 12);
    for (int i = 0; i < length; ++i) text += pieces[random() % pieces.size()];
    return text;
  };
  for (int round = 0; round < 2000; ++round) {
    nlohmann::json array = nlohmann::json::array();
    const int objects = static_cast<int>(random() % 4);
    for (int i = 0; i < objects; ++i) {
      array.push_back(
          {{"text", random_text()},
           {"number", static_cast<int64_t>(random())},
           {"flag", random() % 2 == 0},
           {"maybe", random() % 2 == 0 ? nlohmann::json() : nlohmann::json(random_text())}});
    }
    // Compact, and spaced as PostgreSQL prints jsonb.
    for (const std::string& text : {array.dump(), array.dump(-1, ' ', false)}) {
      size_t i = 0;
      ForEachObject(text, [&](const simdjson::dom::object& o) {
        const nlohmann::json& expected = array.at(i++);
        EXPECT_EQ(Text(o, "text"), expected["text"].get<std::string>()) << text;
        EXPECT_EQ(Int(o, "number"), expected["number"].get<int64_t>()) << text;
        EXPECT_EQ(Bool(o, "flag"), expected["flag"].get<bool>()) << text;
        EXPECT_EQ(TextOrEmpty(o, "maybe"),
                  expected["maybe"].is_null() ? "" : expected["maybe"].get<std::string>());
      });
      EXPECT_EQ(i, array.size());
    }
  }
}

}  // namespace
}  // namespace loyalty::broker::stored_json
