#include "broker/config/config.h"

#include <gtest/gtest.h>

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
}

}  // namespace
}  // namespace loyalty::broker
