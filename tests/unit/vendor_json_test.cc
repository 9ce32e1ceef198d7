// Vendor answers are read with simdjson and built into the nlohmann tree the
// connectors walk (json_reader.h). The tree must be the one nlohmann's own
// parser builds from the same text, and what it refuses must be refused:
// compared on every recorded vendor answer and on seeded random documents,
// valid and broken.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "connectors/core/json_reader.h"

namespace loyalty::connectors {
namespace {

// What reading `text` gave before simdjson: nlohmann's parser alone.
nlohmann::json NlohmannTree(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

void ExpectSameTree(const std::string& text) {
  const nlohmann::json expected = NlohmannTree(text);
  const nlohmann::json read = json_reader::ParseVendorJson(text);
  ASSERT_EQ(read.is_discarded(), expected.is_discarded()) << text;
  if (expected.is_discarded()) return;
  EXPECT_EQ(read, expected) << text;
  EXPECT_EQ(read.dump(), expected.dump()) << text;  // floats printed the same, too
}

TEST(VendorJson, EveryRecordedVendorAnswerReadsAsNlohmannReadsIt) {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(LOYALTY_FIXTURES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    SCOPED_TRACE(entry.path().string());
    ExpectSameTree(text.str());
    ++files;
  }
  EXPECT_GT(files, 10);
}

TEST(VendorJson, EdgesOfNumbersAndTextReadAsNlohmannReadsThem) {
  for (const char* text : {"-0",
                           "[-0, -0.0, 0.0, 1.0, 1e2, 1E-2, 12.34, 1.5e-400]",
                           "9223372036854775807",
                           "9223372036854775808",
                           "18446744073709551615",
                           "18446744073709551616",
                           "-9223372036854775808",
                           "-9223372036854775809",
                           "1E400",
                           "01",
                           "[1,]",
                           "[1] x",
                           " 5 ",
                           "\xEF\xBB\xBF{\"a\": 1}",
                           R"({"a": 1, "a": 2})",
                           R"("\ud83d\ude00 \u0000 \/")",
                           R"("\ud800")",
                           "\"\xff\"",
                           "\"\x01\"",
                           "",
                           "   ",
                           "nul",
                           "[true, false, null]",
                           R"({"amount": 199.99, "bonus": "12.50"})"}) {
    ExpectSameTree(text);
  }
}

// Random documents, printed with random spacing, then some of them broken
// by a byte changed, dropped or added.
TEST(VendorJson, RandomDocumentsValidAndBrokenReadAsNlohmannReadsThem) {
  std::mt19937_64 random(20261206);
  auto pick = [&](size_t n) { return static_cast<size_t>(random() % n); };
  const std::vector<std::string> texts = {"",
                                          "a",
                                          "Ё",
                                          "€",
                                          "\\\"",
                                          "\\n",
                                          "\\u0041",
                                          "\\u00e9",
                                          "\\ud83d\\ude00",
                                          "\xF0\x9F\x98\x80",
                                          "status",
                                          " "};
  const std::vector<std::string> numbers = {"0",
                                            "-0",
                                            "7",
                                            "-12",
                                            "12.34",
                                            "-0.5",
                                            "1e3",
                                            "2.5E-3",
                                            "1e-7",
                                            "100.10",
                                            "4294967296",
                                            "9223372036854775807",
                                            "-9223372036854775808",
                                            "18446744073709551615",
                                            "0.1",
                                            "123456789.123456789"};
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    const size_t kind = depth > 3 ? pick(4) : pick(6);
    auto space = [&] { return std::string(pick(3), pick(2) == 0 ? ' ' : '\n'); };
    switch (kind) {
      case 0: {
        std::string s = "\"";
        for (size_t i = pick(5); i > 0; --i) s += texts[pick(texts.size())];
        return s + "\"";
      }
      case 1:
        return numbers[pick(numbers.size())];
      case 2:
        return pick(2) == 0 ? "true" : "false";
      case 3:
        return "null";
      case 4: {
        std::string s = "[" + space();
        for (size_t i = pick(4); i > 0; --i) s += value(depth + 1) + (i > 1 ? "," + space() : "");
        return s + "]";
      }
      default: {
        std::string s = "{" + space();
        for (size_t i = pick(4); i > 0; --i) {
          s += "\"k" + std::to_string(pick(3)) + "\"" + space() + ":" + space() + value(depth + 1) +
               (i > 1 ? "," + space() : "");
        }
        return s + "}";
      }
    }
  };
  for (int round = 0; round < 5000; ++round) {
    std::string text = value(0);
    if (round % 3 == 0 && !text.empty()) {
      const size_t at = pick(text.size());
      switch (pick(3)) {
        case 0:
          text[at] = static_cast<char>(random());
          break;
        case 1:
          text.erase(at, 1);
          break;
        default:
          text.insert(at, 1, "{}[],:\"0-e.\\"[pick(12)]);
      }
    }
    ExpectSameTree(text);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace loyalty::connectors
