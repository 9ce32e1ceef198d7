// loyalty-loadgen: load for the broker's gRPC API; prints count, errors by
// code, throughput and p50/p90/p99/max per operation (and JSON with --json).

#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_format.h"
#include "bench/loadgen/load_runner.h"

namespace {

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

}  // namespace

int main(int argc, char** argv) {
  using loyalty::bench::LoadOptions;
  CLI::App app{"gRPC load generator for the loyalty broker"};
  LoadOptions options;
  double duration_seconds = 10;
  std::string mix = "quote=1";
  bool json = false;
  app.add_option("--target", options.target, "host:port of the broker (or echo server)");
  app.add_option("--api-key", options.api_key, "the store's API key");
  app.add_option("--connections", options.connections, "gRPC connections")
      ->check(CLI::PositiveNumber);
  app.add_option("--concurrency", options.concurrency, "calls in flight (open loop: at most)")
      ->check(CLI::PositiveNumber);
  app.add_option("--rate", options.rate, "calls per second: open loop; 0 = closed loop");
  app.add_option("--duration", duration_seconds, "seconds to run");
  app.add_option("--count", options.count, "stop after this many calls instead");
  app.add_option("--mix", mix, "weighted operations, e.g. identify=1,quote=8,commit=1");
  app.add_option("--phone", options.phone, "customer phone");
  app.add_option("--card", options.card, "customer card (instead of the phone)");
  app.add_option("--lines", options.lines, "lines in each cart (2: milk and cheese)")
      ->check(CLI::Range(2, 500));
  app.add_option("--spend-program", options.spend_program, "commit spends points here");
  app.add_option("--spend", options.spend_centipoints, "centipoints each commit spends");
  app.add_flag("--json", json, "print one JSON object per operation");
  CLI11_PARSE(app, argc, argv);
  options.duration = absl::Seconds(duration_seconds);
  options.mix = loyalty::bench::ParseMix(mix);
  if (options.mix.empty()) {
    std::cerr << "--mix: expected name=weight pairs of identify, quote, commit\n";
    return 2;
  }

  loyalty::bench::LatencyRecorder recorder;
  loyalty::bench::LoadRunner runner(options);
  const absl::Duration elapsed = runner.Run(recorder);
  int failures = 0;
  for (const auto& r : recorder.Report(elapsed)) {
    std::string errors;
    int64_t error_count = 0;
    for (const auto& [code, n] : r.errors) {
      errors += absl::StrFormat("%s%s:%d", errors.empty() ? "" : ",", code, n);
      error_count += n;
    }
    failures += error_count > 0;
    if (json) {
      std::cout
          << absl::StrFormat(
                 R"({"operation":"%s","count":%d,"errors":%d,"error_codes":"%s","rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"seconds":%.2f})",
                 r.operation, r.count, error_count, errors, r.throughput_per_second, Ms(r.p50),
                 Ms(r.p90), Ms(r.p99), Ms(r.max), absl::ToDoubleSeconds(elapsed))
          << "\n";
    } else {
      std::cout << absl::StrFormat(
          "%-9s count %7d  errors %5d %-24s  %9.1f/s  p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  "
          "max %8.3f ms\n",
          r.operation, r.count, error_count, errors.empty() ? "" : "(" + errors + ")",
          r.throughput_per_second, Ms(r.p50), Ms(r.p90), Ms(r.p99), Ms(r.max));
    }
  }
  return recorder.total() > 0 ? 0 : 1;
}
