#include "broker/common/random_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace loyalty::broker {
namespace {

// Ids come from a per-thread buffer of the generator's bytes: across
// refills and threads, none repeats and each is a well-formed version 4 UUID.
TEST(RandomUuid, WellFormedAndNeverRepeatedAcrossRefillsAndThreads) {
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (auto& ids : made) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 3000; ++i) ids.push_back(RandomUuid());  // 12 buffers of 4 KiB
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> seen;
  for (const auto& ids : made) {
    for (const std::string& id : ids) {
      ASSERT_EQ(id.size(), 36u) << id;
      for (size_t i = 0; i < id.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
          ASSERT_EQ(id[i], '-') << id;
        } else {
          ASSERT_NE(std::string("0123456789abcdef").find(id[i]), std::string::npos) << id;
        }
      }
      EXPECT_EQ(id[14], '4') << id;                                          // version 4
      EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC 4122
      EXPECT_TRUE(seen.insert(id).second) << "repeated: " << id;
    }
  }
  EXPECT_EQ(seen.size(), 12000u);
}

}  // namespace
}  // namespace loyalty::broker
