// kill -9 of the broker in the middle of commits under load, then restart:
// no purchase applied twice at the simulators, no acknowledged commit
// missing from PostgreSQL, no hold left behind once recovery has run.
//
// The broker runs as its own process (build/broker/loyalty-broker serve);
// the simulators and the load run here. LOYALTY_CRASH_ROUNDS sets how many
// times it is killed (3 by default; tests/crash/run_rounds.sh runs 100).

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/crash/child_process.h"
#include "tests/crash/commit_load.h"

namespace loyalty::broker {
namespace {

using testing::CommitLoad;
using testing::CrashStores;
using testing::QueryInt;

class CrashRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stores_ = std::make_unique<CrashStores>("crash");
    load_ = std::make_unique<CommitLoad>(*stores_);
    port_ = testing::FreePort();
    const std::string run = stores_->run();
    config_path_ = absl::StrCat(::testing::TempDir(), "crash-broker-", run, ".yaml");
    log_path_ = absl::StrCat(::testing::TempDir(), "crash-broker-", run, ".log");
    std::ofstream(config_path_) << "grpc: {listen: \"127.0.0.1:" << port_ << "\"}\n"
                                << "metrics: {listen: \"\"}\n"
                                << "database: {pool_size: 8}\n"
                                << "broker: {maintenance_interval_seconds: 1, "
                                   "recovery_after_seconds: 2, outbox_retry_seconds: 1}\n"
                                << "logging: {level: warning}\n";
  }

  // Starts the broker process and waits until it serves.
  std::unique_ptr<testing::ChildProcess> StartBroker() {
    auto broker = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{LOYALTY_BROKER_BINARY, "--config", config_path_, "serve"},
        log_path_);
    EXPECT_TRUE(broker->started());
    auto channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials());
    EXPECT_TRUE(
        channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(15)))
        << "the broker did not start; see " << log_path_;
    load_->set_channel(channel);
    return broker;
  }

  // Commits from several threads until the broker is killed.
  void RunRound(std::mt19937& random) {
    auto broker = StartBroker();
    load_->Start(testing::kLoadThreads);
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + random() % 600));
    broker->Kill();
    load_->Stop();
  }

  std::string config_path_, log_path_;
  int port_ = 0;
  std::unique_ptr<CrashStores> stores_;
  std::unique_ptr<CommitLoad> load_;
};

TEST_F(CrashRecoveryTest, KilledMidCommitNothingLostNothingDoubledNoHoldLeft) {
  const char* rounds_env = std::getenv("LOYALTY_CRASH_ROUNDS");
  const int rounds = rounds_env != nullptr ? std::atoi(rounds_env) : 3;
  std::mt19937 random(std::random_device{}());
  for (int round = 0; round < rounds; ++round) RunRound(random);

  // Restart for good: recovery settles what the kills interrupted.
  auto broker = StartBroker();
  const std::string pending =
      "SELECT count(*) FROM purchases WHERE status = 'pending' AND " + stores_->StoresFilter();
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (QueryInt(pending) > 0 && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(QueryInt(pending), 0);

  // The till retries what it never heard back about, with the same key.
  const int acknowledged_first = load_->acknowledged();
  const CommitLoad::Retried retried = load_->RetryUnacknowledged();
  std::this_thread::sleep_for(std::chrono::seconds(4));  // ledger holds run out; the worker runs

  const int lc_applied = testing::ExpectNothingLostNothingDoubled(*stores_, load_->attempts());
  std::cout << "rounds=" << rounds << " attempts=" << load_->attempts().size()
            << " acknowledged=" << acknowledged_first << " retried_ok=" << retried.ok
            << " in_doubt=" << retried.in_doubt << " loyalclient_retail=" << lc_applied << "\n";
  EXPECT_GT(acknowledged_first, 0) << "the load never got a commit through";
}

}  // namespace
}  // namespace loyalty::broker
