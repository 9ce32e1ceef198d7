#include "broker/metrics/series_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace loyalty::broker {
namespace {

TEST(SeriesKey, TellsApartValuesThatJoinToTheSameText) {
  EXPECT_NE(SeriesKey({"ab", "c"}), SeriesKey({"a", "bc"}));
  EXPECT_NE(SeriesKey({"a:1", ""}), SeriesKey({"a", "1:"}));
  EXPECT_EQ(SeriesKey({"lc-main", "loyalclient"}), SeriesKey({"lc-main", "loyalclient"}));
}

TEST(SeriesCache, MakesEachSeriesOnceAndKeepsItWhereItIs) {
  SeriesCache<int> cache;
  int made = 0;
  const int& first = cache.Get("a", [&] { return ++made; });
  for (int i = 0; i < 1000; ++i) cache.Get(std::to_string(i), [&] { return ++made; });
  EXPECT_EQ(&cache.Get("a", [&] { return ++made; }), &first);  // not moved as the map grew
  EXPECT_EQ(first, 1);
  EXPECT_EQ(made, 1001);
}

TEST(SeriesCache, ThreadsAskingAtOnceGetTheSameSeries) {
  SeriesCache<int> cache;
  std::atomic<int> made{0};
  std::vector<const int*> seen(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        seen[t] = &cache.Get(std::to_string(i % 10), [&] { return made.fetch_add(1); });
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int* series : seen) EXPECT_EQ(series, seen[0]);
}

}  // namespace
}  // namespace loyalty::broker
