#pragma once

// Drives the broker's gRPC API with asynchronous calls, in the spirit of
// ghz: closed loop (a fixed number of calls in flight) or open loop (a fixed
// rate, whatever the answers), for a duration or a count, with a weighted
// mix of operations. A commit first takes a fresh quote (not measured), then
// commits it with a fresh idempotency key and order number.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "bench/loadgen/latency_recorder.h"

namespace loyalty::bench {

struct LoadOptions {
  std::string target = "127.0.0.1:50051";
  std::string api_key;
  int connections = 4;
  int concurrency = 16;  // closed loop: calls in flight; open loop: the most in flight
  double rate = 0;       // calls per second; 0 runs a closed loop
  absl::Duration duration = absl::Seconds(10);
  int64_t count = 0;  // stop after this many calls; 0: by duration
  std::vector<std::pair<std::string, int>> mix = {{"quote", 1}};  // identify, quote, commit
  std::string phone = "79201234567";
  std::string card;
  int lines = 2;              // a cart's lines: milk, cheese, then one-rouble items
  std::string spend_program;  // commit spends here when set
  int64_t spend_centipoints = 0;
  absl::Duration deadline = absl::Seconds(5);
};

class LoadRunner {
 public:
  explicit LoadRunner(LoadOptions options);
  ~LoadRunner();

  // Runs the load; returns the elapsed time. Stops by itself.
  absl::Duration Run(LatencyRecorder& recorder);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// "identify=1,quote=8,commit=1" -> weights; empty on a malformed mix.
std::vector<std::pair<std::string, int>> ParseMix(const std::string& text);

}  // namespace loyalty::bench
