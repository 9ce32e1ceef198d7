#include "broker/config/config.h"

#include <gtest/gtest.h>

#include "broker/storage/registration.h"
#include "connectors/builtin/builtin_vendors.h"

namespace loyalty::broker {
namespace {

TEST(Config, ReadsYamlAndAppliesEnvironmentOverrides) {
  auto config = ParseConfig("grpc:\n  listen: 0.0.0.0:6000\ndatabase:\n  pool_size: 3\n",
                            {{"LOYALTY_DATABASE__URL", "host=db"}, {"HOME", "/root"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc.listen, "0.0.0.0:6000");
  EXPECT_EQ(config->database.pool_size, 3);
  EXPECT_EQ(config->database.url, "host=db");
}

TEST(Config, UnknownKeysStopTheStartNamingTheKey) {
  auto config = ParseConfig("grpc:\n  listn: x\n", {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("grpc.listn"), std::string::npos);

  auto from_env = ParseConfig("", {{"LOYALTY_GRPC__NOPE", "1"}});
  ASSERT_FALSE(from_env.ok());
  EXPECT_NE(from_env.status().message().find("LOYALTY_GRPC__NOPE"), std::string::npos);
}

TEST(Config, BadValuesAndMissingSecretsAreNamed) {
  auto bad = ParseConfig("database:\n  pool_size: -1\n", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("database.pool_size"), std::string::npos);

  auto no_key = ParseConfig("grpc:\n  tls:\n    cert_file: /etc/cert.pem\n", {});
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("grpc.tls.key_file"), std::string::npos);

  auto client = ParseConfig("broker:\n  vendor_http_client: curl\n", {});
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("expected one of auto, libcurl"), std::string::npos);
}

TEST(Config, TheCommitBatchWaitIsBoundedAndCanBeTurnedOff) {
  auto config = ParseConfig("", {});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->database.commit_batch_gather_us, 1000);
  config = ParseConfig("database:\n  commit_batch_gather_us: 0\n", {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->database.commit_batch_gather_us, 0);
  auto too_long = ParseConfig("database:\n  commit_batch_gather_us: 100001\n", {});
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("database.commit_batch_gather_us"), std::string::npos);
}

TEST(Config, VendorHttpClientIsChosenByName) {
  auto config = ParseConfig("", {});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->broker.vendor_http_client, "auto");
  config = ParseConfig("", {{"LOYALTY_BROKER__VENDOR_HTTP_CLIENT", "libcurl"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->broker.vendor_http_client, "libcurl");
}

}  // namespace
}  // namespace loyalty::broker

namespace loyalty::broker {
namespace {

constexpr char kOneStore[] =
    "stores:\n  - id: s1\n    api_keys: [{label: till, key: 0123456789abcdef}]\n"
    "    programs:\n      - code: lc\n        vendor: loyalclient\n"
    "        base_url: http://127.0.0.1:1\n        credentials: {apikey: k1}\n"
    "        settings: {point: ";

TEST(StoresFile, IsReadWithoutADatabase) {
  auto summary = ReadStoresFile(std::string(kOneStore) + "p1}\n", connectors::BuiltinVendors(), {});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->stores, 1);
  EXPECT_EQ(summary->programs, 1);
  EXPECT_EQ(summary->api_keys, 1);
}

// Found by fuzz/config_files_fuzzer (input kept in fuzz/regressions/):
// `register` ended in std::terminate.
TEST(StoresFile, ASettingThatIsNotUtf8IsRefusedNamingIt) {
  const std::string raw_byte(1, static_cast<char>(0xFF));  // not UTF-8
  auto summary = ReadStoresFile(std::string(kOneStore) + "p" + raw_byte + "1}\n",
                                connectors::BuiltinVendors(), {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(summary.status().message().find("stores[0].programs[0].settings"), std::string::npos)
      << summary.status();
}

// The vendor's factory checks each program once, at registration: a
// SailPlay program without its PIN, or with a misspelt setting, is refused
// there rather than when the vendor is first called.
TEST(StoresFile, AProgramItsVendorWouldRefuseIsNotRegistered) {
  const std::string sailplay =
      "stores:\n  - id: s1\n    api_keys: [{label: till, key: 0123456789abcdef}]\n"
      "    programs:\n      - code: sp\n        vendor: sailplay\n"
      "        base_url: http://127.0.0.1:1\n";
  auto no_pin = ReadStoresFile(sailplay +
                                   "        settings: {store_department_id: \"219\"}\n"
                                   "        credentials: {store_department_key: secret-key}\n",
                               connectors::BuiltinVendors(), {});
  ASSERT_FALSE(no_pin.ok());
  EXPECT_EQ(no_pin.status().message(), "stores[0].programs[0].credentials.pin_code is required");
  auto misspelt = ReadStoresFile(
      sailplay +
          "        settings: {store_department_id: \"219\", store_departmen_key: x}\n"
          "        credentials: {store_department_key: secret-key, pin_code: \"1234\"}\n",
      connectors::BuiltinVendors(), {});
  ASSERT_FALSE(misspelt.ok());
  EXPECT_NE(misspelt.status().message().find("settings.store_departmen_key: unknown setting"),
            std::string::npos)
      << misspelt.status();
  EXPECT_EQ(misspelt.status().message().find("secret-key"), std::string::npos);
  auto good = ReadStoresFile(
      sailplay +
          "        settings: {store_department_id: \"219\"}\n"
          "        credentials: {store_department_key: secret-key, pin_code: \"1234\"}\n",
      connectors::BuiltinVendors(), {});
  EXPECT_TRUE(good.ok()) << good.status();
}

TEST(StoresFile, AValueOfTheWrongShapeIsRefusedNotThrown) {
  auto summary = ReadStoresFile("stores:\n  - id: s1\n    name: [not, a, name]\n    api_keys: []\n",
                                connectors::BuiltinVendors(), {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace loyalty::broker
