// Vendor answers are untrusted input: what a hostile or broken vendor sends
// neither crashes the broker nor carries credentials, control characters or
// megabytes of text into logs, the database or a till's error.

#include <gtest/gtest.h>

#include <string>

#include "connectors/artix/wire.h"
#include "connectors/core/json_reader.h"
#include "connectors/core/vendor_text.h"
#include "connectors/loyalclient/wire.h"
#include "connectors/sailplay/wire.h"

namespace loyalty::connectors {
namespace {

std::string Nested(int depth, const std::string& inner = "1") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

ProgramConfig ProgramWithSecrets() {
  ProgramConfig program;
  program.code = "lc-main";
  program.secrets = {{"apikey", "lc-demo-apikey-0001"}, {"pin_code", "104443"}};
  return program;
}

TEST(HostileVendor, DeepNestingIsRefusedBeforeParsing) {
  EXPECT_FALSE(json_reader::ParseVendorJson(Nested(64)).is_discarded());
  EXPECT_TRUE(json_reader::ParseVendorJson(Nested(65)).is_discarded());
  EXPECT_TRUE(json_reader::ParseVendorJson(Nested(100000)).is_discarded());
  // Brackets inside strings are text, not nesting.
  EXPECT_FALSE(
      json_reader::ParseVendorJson(R"({"a": ")" + std::string(1000, '[') + R"("})").is_discarded());
}

TEST(HostileVendor, ALoyalClient422NestedDeepIsARefusalNotACrash) {
  const std::string body = R"({"spend": )" + Nested(100000, R"({"x": 1})") + "}";
  auto outcome = loyalclient::ParseRetail(422, body);
  ASSERT_FALSE(outcome.approved());
  if (outcome.declined()) {
    EXPECT_LT(outcome.declined_reason().message.size(), 200u);
  }
  // A 422 whose reason is not text is refused without printing it back.
  auto nested = loyalclient::ParseRetail(422, R"({"spend": {"a": [1, 2, 3]}})");
  ASSERT_TRUE(nested.declined());
  EXPECT_EQ(nested.declined_reason().field, "spend");
  EXPECT_EQ(nested.declined_reason().message.find('['), std::string::npos);
}

TEST(HostileVendor, EveryParserSurvivesDeepAnswers) {
  const std::string deep = R"({"status": "ok", "cart": )" + Nested(100000) + "}";
  EXPECT_FALSE(sailplay::ParseCalc(200, deep).approved());
  EXPECT_FALSE(sailplay::ParsePurchase(200, deep).approved());
  EXPECT_FALSE(loyalclient::ParseClient(200, deep).approved());
  EXPECT_FALSE(sailplay::IsTokenRefusal(deep));
}

TEST(HostileVendor, EchoedCredentialsAreMaskedAndTextIsBounded) {
  const ProgramConfig program = ProgramWithSecrets();
  const std::string safe = SafeVendorText(
      "bad apikey lc-demo-apikey-0001 for pin 104443\r\nlevel=error forged=line", program);
  EXPECT_EQ(safe.find("lc-demo-apikey-0001"), std::string::npos) << safe;
  EXPECT_EQ(safe.find("104443"), std::string::npos) << safe;
  EXPECT_EQ(safe.find('\n'), std::string::npos);
  EXPECT_EQ(safe.find('\r'), std::string::npos);
  EXPECT_NE(safe.find("***"), std::string::npos);

  // Many echoes: masking happens before the cut, so no half of a secret
  // survives at the cut.
  std::string echoes;
  for (int i = 0; i < 200; ++i) echoes += "lc-demo-apikey-0001 ";
  EXPECT_EQ(SafeVendorText(echoes, program).find("lc-demo"), std::string::npos);

  std::string huge;
  for (int i = 0; i < 8000; ++i) huge += "ё";  // 2 bytes each: 16 KB
  const std::string cut = SafeVendorText(huge, program);
  EXPECT_LE(cut.size(), kMaxVendorTextBytes + 3);
  // Cut on a character boundary: the text before "..." is whole UTF-8.
  const std::string body = cut.substr(0, cut.size() - 3);
  EXPECT_EQ(body.size() % 2, 0u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
}

TEST(HostileVendor, OutcomesCarryOnlySafeText) {
  const ProgramConfig program = ProgramWithSecrets();
  Outcome<int> declined = Declined{DeclineKind::kRefused, "apikey lc-demo-apikey-0001",
                                   "Invalid apikey lc-demo-apikey-0001"};
  auto safe = WithSafeVendorText(std::move(declined), program);
  ASSERT_TRUE(safe.declined());
  EXPECT_EQ(safe.declined_reason().field, "apikey ***");
  EXPECT_EQ(safe.declined_reason().message, "Invalid apikey ***");
  Outcome<int> failed = Failed{true, false, std::string(100000, 'x') + "104443", HeldBack::kNo};
  auto bounded = WithSafeVendorText(std::move(failed), program);
  ASSERT_TRUE(bounded.failed());
  EXPECT_LE(bounded.failure().message.size(), kMaxVendorTextBytes + 3);
  EXPECT_TRUE(bounded.failure().retryable);
  auto approved = WithSafeVendorText(Outcome<int>(7), program);
  ASSERT_TRUE(approved.approved());
  EXPECT_EQ(approved.value(), 7);
}

}  // namespace
}  // namespace loyalty::connectors
