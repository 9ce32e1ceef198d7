#include "broker/core/program_guards.h"

#include <gtest/gtest.h>

#include <vector>

namespace loyalty::broker {
namespace {

using connectors::HeldBack;

class RecordingObserver final : public GuardObserver {
 public:
  void OnCircuitChanged(const connectors::ProgramConfig&, CircuitState state) override {
    states.push_back(state);
  }
  void OnHeldBack(const connectors::ProgramConfig&, HeldBack why) override {
    held_back.push_back(why);
  }
  void OnInFlight(const connectors::ProgramConfig&, int in_flight) override { last = in_flight; }

  std::vector<CircuitState> states;
  std::vector<HeldBack> held_back;
  int last = 0;
};

connectors::ProgramConfig Program(int64_t id) {
  connectors::ProgramConfig program;
  program.id = id;
  program.code = "lc";
  program.vendor = "loyalclient";
  return program;
}

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

GuardSettings Settings() {
  return GuardSettings{/*max_in_flight=*/2, /*failures_to_open=*/3, absl::Seconds(5),
                       absl::Seconds(12)};
}

void FailTimes(ProgramGuards& guards, const connectors::ProgramConfig& program, int times,
               absl::Time now) {
  for (int i = 0; i < times; ++i) {
    ASSERT_EQ(guards.Admit(program, now).held_back, HeldBack::kNo);
    guards.Finish(program, CallVerdict::kFailed, now);
  }
}

TEST(ProgramGuards, BulkheadHoldsBackCallsPastTheLimitAndFreesSlotsAsCallsEnd) {
  RecordingObserver observer;
  ProgramGuards guards(Settings(), &observer);
  const auto program = Program(1);
  EXPECT_EQ(guards.Admit(program, kStart).held_back, HeldBack::kNo);
  EXPECT_EQ(guards.Admit(program, kStart).held_back, HeldBack::kNo);
  EXPECT_EQ(guards.Admit(program, kStart).held_back, HeldBack::kBusy);
  // Another program has its own bulkhead.
  EXPECT_EQ(guards.Admit(Program(2), kStart).held_back, HeldBack::kNo);
  guards.Finish(program, CallVerdict::kAnswered, kStart);
  EXPECT_EQ(observer.last, 1);
  EXPECT_EQ(guards.Admit(program, kStart).held_back, HeldBack::kNo);
}

TEST(ProgramGuards, FailuresInARowOpenTheCircuitAndAnAnswerInBetweenDoesNot) {
  RecordingObserver observer;
  ProgramGuards guards(Settings(), &observer);
  const auto program = Program(1);
  FailTimes(guards, program, 2, kStart);
  ASSERT_EQ(guards.Admit(program, kStart).held_back, HeldBack::kNo);
  guards.Finish(program, CallVerdict::kAnswered, kStart);  // a decline counts as an answer
  FailTimes(guards, program, 2, kStart);
  EXPECT_EQ(guards.StateOf(1), CircuitState::kClosed);
  FailTimes(guards, program, 1, kStart);
  EXPECT_EQ(guards.StateOf(1), CircuitState::kOpen);
  EXPECT_EQ(guards.Admit(program, kStart + absl::Seconds(4)).held_back, HeldBack::kCircuitOpen);
  EXPECT_EQ(observer.states, std::vector<CircuitState>{CircuitState::kOpen});
}

TEST(ProgramGuards, AbandonedCallsSayNothingAboutTheVendor) {
  ProgramGuards guards(Settings(), nullptr);
  const auto program = Program(1);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(guards.Admit(program, kStart).held_back, HeldBack::kNo);
    guards.Finish(program, CallVerdict::kAbandoned, kStart);
  }
  EXPECT_EQ(guards.StateOf(1), CircuitState::kClosed);
}

TEST(ProgramGuards, HalfOpenLetsOneProbeThroughWhoseSuccessClosesTheCircuit) {
  RecordingObserver observer;
  ProgramGuards guards(Settings(), &observer);
  const auto program = Program(1);
  FailTimes(guards, program, 3, kStart);
  const absl::Time later = kStart + absl::Seconds(5);
  ASSERT_EQ(guards.Admit(program, later).held_back, HeldBack::kNo);  // the probe
  EXPECT_EQ(guards.StateOf(1), CircuitState::kHalfOpen);
  EXPECT_EQ(guards.Admit(program, later).held_back, HeldBack::kCircuitOpen);
  guards.Finish(program, CallVerdict::kAnswered, later);
  EXPECT_EQ(guards.StateOf(1), CircuitState::kClosed);
  EXPECT_EQ(guards.Admit(program, later).held_back, HeldBack::kNo);
  EXPECT_EQ(observer.states,
            (std::vector<CircuitState>{CircuitState::kOpen, CircuitState::kHalfOpen,
                                       CircuitState::kClosed}));
}

TEST(ProgramGuards, AFailedProbeOpensAgainForTwiceAsLongUpToTheMaximum) {
  ProgramGuards guards(Settings(), nullptr);
  const auto program = Program(1);
  FailTimes(guards, program, 3, kStart);  // open for 5 s
  absl::Time now = kStart + absl::Seconds(5);
  FailTimes(guards, program, 1, now);  // the probe fails: open for 10 s
  EXPECT_EQ(guards.Admit(program, now + absl::Seconds(9)).held_back, HeldBack::kCircuitOpen);
  now += absl::Seconds(10);
  FailTimes(guards, program, 1, now);  // 20 s, capped at 12 s
  EXPECT_EQ(guards.Admit(program, now + absl::Seconds(11)).held_back, HeldBack::kCircuitOpen);
  now += absl::Seconds(12);
  ASSERT_EQ(guards.Admit(program, now).held_back, HeldBack::kNo);
  guards.Finish(program, CallVerdict::kAnswered, now);
  // Closed, and the next opening starts from the first interval again.
  FailTimes(guards, program, 3, now);
  EXPECT_EQ(guards.Admit(program, now + absl::Seconds(5)).held_back, HeldBack::kNo);
}

TEST(ProgramGuards, ASwitchedOffProgramIsHeldBackWithoutCountingAsInFlight) {
  RecordingObserver observer;
  ProgramGuards guards(Settings(), &observer);
  auto program = Program(1);
  program.switched_off = true;
  EXPECT_EQ(guards.Admit(program, kStart).held_back, HeldBack::kSwitchedOff);
  EXPECT_EQ(observer.held_back, std::vector<HeldBack>{HeldBack::kSwitchedOff});
  program.switched_off = false;
  EXPECT_EQ(guards.Admit(program, kStart).held_back, HeldBack::kNo);
  EXPECT_EQ(guards.Admit(program, kStart).held_back, HeldBack::kNo);
}

TEST(ProgramGuards, ZeroFailuresToOpenTurnsTheBreakerOff) {
  GuardSettings settings = Settings();
  settings.failures_to_open = 0;
  ProgramGuards guards(settings, nullptr);
  FailTimes(guards, Program(1), 20, kStart);
  EXPECT_EQ(guards.StateOf(1), CircuitState::kClosed);
}

}  // namespace
}  // namespace loyalty::broker
