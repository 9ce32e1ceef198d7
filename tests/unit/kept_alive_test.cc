// Which requests a kept-alive connection may carry (kept_alive.h).

#include "connectors/http/kept_alive.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loyalty::connectors {
namespace {

HttpRequest Request(bool safe_to_repeat) {
  HttpRequest request;
  request.safe_to_repeat = safe_to_repeat;
  return request;
}

TEST(KeptAliveTest, ARequestSentOnceTakesOnlyAConnectionIdleForLessThanASecond) {
  EXPECT_EQ(LongestIdleToCarry(Request(true), absl::Seconds(30)), absl::Seconds(30));
  EXPECT_EQ(LongestIdleToCarry(Request(false), absl::Seconds(30)), absl::Seconds(1));
  // Never longer than the client keeps connections at all.
  EXPECT_EQ(LongestIdleToCarry(Request(false), absl::Milliseconds(300)), absl::Milliseconds(300));
}

TEST(KeptAliveTest, ARequestGoesAgainIfRepeatableOrIfNoneOfItWentOut) {
  EXPECT_TRUE(MayGoAgain(Request(true), 120));
  EXPECT_TRUE(MayGoAgain(Request(false), 0));
  EXPECT_FALSE(MayGoAgain(Request(false), 1));
}

TEST(KeptAliveTest, AConnectionShowsItsPeersCloseAndBytesNobodyAskedFor) {
  int quiet[2], talking[2], closed[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, quiet), 0);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, talking), 0);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, closed), 0);
  ASSERT_EQ(write(talking[1], "x", 1), 1);
  close(closed[1]);
  EXPECT_TRUE(ShowsNoClose(quiet[0]));
  EXPECT_FALSE(ShowsNoClose(talking[0]));
  EXPECT_FALSE(ShowsNoClose(closed[0]));
  for (int fd : {quiet[0], quiet[1], talking[0], talking[1], closed[0]}) close(fd);
}

}  // namespace
}  // namespace loyalty::connectors
