// One vendor's trouble costs only its own requests: with store A's vendor
// hanging under a flood of calls, store B's calls keep their latency and
// every call to A is answered within its deadline; an open-loop overload
// past the broker's capacity is shed with RESOURCE_EXHAUSTED, and the broker
// recovers by itself. Bounded in time; figures are printed.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "simulators/kit/seed.h"
#include "simulators/loyalclient/server.h"
#include "tests/integration/broker_stack.h"

namespace loyalty::broker {
namespace {

using simulator::loyalclient::LoyalClientSimulator;
using Clock = std::chrono::steady_clock;

constexpr char kPoint[] = "62a1f0c0e4b0a1b2c3d4e5f4";
constexpr char kPhone[] = "79201234567";

struct Sample {
  std::vector<double> latencies_ms;
  std::map<grpc::StatusCode, int> codes;
  double worst_overrun_ms = -1e9;  // latency less the deadline, at worst

  void Add(double latency_ms, grpc::StatusCode code, double deadline_ms) {
    latencies_ms.push_back(latency_ms);
    ++codes[code];
    worst_overrun_ms = std::max(worst_overrun_ms, latency_ms - deadline_ms);
  }
  void Merge(const Sample& other) {
    latencies_ms.insert(latencies_ms.end(), other.latencies_ms.begin(), other.latencies_ms.end());
    for (const auto& [code, n] : other.codes) codes[code] += n;
    worst_overrun_ms = std::max(worst_overrun_ms, other.worst_overrun_ms);
  }
  double Percentile(double p) {
    if (latencies_ms.empty()) return 0;
    std::sort(latencies_ms.begin(), latencies_ms.end());
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<size_t>(p * latencies_ms.size()))];
  }
  int Count(grpc::StatusCode code) const {
    auto it = codes.find(code);
    return it == codes.end() ? 0 : it->second;
  }
  int Total() const { return static_cast<int>(latencies_ms.size()); }
};

std::string Program(const std::string& code, int port) {
  return absl::StrCat("      - code: ", code, "\n        vendor: loyalclient\n",
                      "        base_url: http://127.0.0.1:", port, "\n",
                      "        settings: {point: ", kPoint, "}\n",
                      "        credentials: {apikey: \"${LC_KEY}\"}\n");
}

std::string Store(const std::string& id, const std::string& key, const std::string& program) {
  return absl::StrCat("  - id: ", id, "\n    api_keys: [{label: till, key: ", key,
                      "}]\n    programs:\n", program);
}

// Identify calls from `threads` threads in a closed loop for `duration`,
// each with `deadline_ms`, pausing `pause_ms` between calls.
Sample Identify(const testing::BrokerStack& stack, const std::string& key, int threads,
                std::chrono::milliseconds duration, int deadline_ms, int pause_ms = 0) {
  Sample total;
  std::mutex mutex;
  std::vector<std::thread> workers;
  const auto end = Clock::now() + duration;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto stub = v1::LoyaltyBroker::NewStub(stack.channel());
      Sample mine;
      v1::IdentifyCustomerRequest request;
      request.mutable_customer()->set_phone(kPhone);
      while (Clock::now() < end) {
        grpc::ClientContext context;
        context.AddMetadata("x-api-key", key);
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::milliseconds(deadline_ms));
        v1::IdentifyCustomerResponse response;
        const auto started = Clock::now();
        const grpc::Status status = stub->IdentifyCustomer(&context, request, &response);
        mine.Add(std::chrono::duration<double, std::milli>(Clock::now() - started).count(),
                 status.error_code(), deadline_ms);
        if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
      }
      std::lock_guard lock(mutex);
      total.Merge(mine);
    });
  }
  for (auto& w : workers) w.join();
  return total;
}

// This process's resident memory (the broker, the simulators, the callers).
int64_t ResidentKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

nlohmann::json Seed() {
  return simulator::LoadSeed(std::string(LOYALTY_SOURCE_DIR) +
                             "/simulators/loyalclient/data/loyalclient-seed.json");
}

// Starts the broker for `stores_yaml` with `configure`d settings; returns
// what went wrong, or an empty string.
std::string StartBroker(const std::string& stores_yaml,
                        const std::function<void(BrokerConfig&)>& configure,
                        testing::BrokerStack*& stack) {
  auto started =
      testing::BrokerStack::Start(stores_yaml, {{"LC_KEY", "lc-demo-apikey-0001"}}, configure);
  if (!started.ok()) return started.status().ToString();
  stack = started->release();
  return "";
}

class IsolationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const nlohmann::json seed = Seed();
    sim_a_ = new LoyalClientSimulator(seed);
    sim_b_ = new LoyalClientSimulator(seed);
    sim_c_ = new LoyalClientSimulator(seed);
    const int port_a = sim_a_->Start("127.0.0.1", 0);
    const int port_b = sim_b_->Start("127.0.0.1", 0);
    const int port_c = sim_c_->Start("127.0.0.1", 0);
    const std::string& run = testing::RunId();
    key_a_ = absl::StrCat("iso-a-key-", run, "-0123456789");
    key_b_ = absl::StrCat("iso-b-key-", run, "-0123456789");
    key_c_ = absl::StrCat("iso-c-key-", run, "-0123456789");
    setup_error_ = StartBroker(
        absl::StrCat("stores:\n", Store("iso-a-" + run, key_a_, Program("iso-lc-a", port_a)),
                     Store("iso-b-" + run, key_b_, Program("iso-lc-b", port_b)),
                     Store("iso-c-" + run, key_c_, Program("iso-lc-c", port_c))),
        [](BrokerConfig& config) {
          config.broker.worker_threads = 16;
          config.broker.program_max_in_flight = 4;
          config.broker.circuit_first_ejection_ms = 2000;
        },
        stack_);
  }
  static void TearDownTestSuite() {
    delete stack_;
    delete sim_a_;
    delete sim_b_;
    delete sim_c_;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "the test stack did not start"; }

  static inline LoyalClientSimulator* sim_a_ = nullptr;
  static inline LoyalClientSimulator* sim_b_ = nullptr;
  static inline LoyalClientSimulator* sim_c_ = nullptr;
  static inline testing::BrokerStack* stack_ = nullptr;
  static inline std::string key_a_, key_b_, key_c_, setup_error_;
};

TEST_F(IsolationTest, AHangingVendorCostsOnlyItsOwnStoresCalls) {
  Identify(*stack_, key_b_, 4, std::chrono::milliseconds(300), 1000);  // warm up
  Sample before = Identify(*stack_, key_b_, 4, std::chrono::milliseconds(1500), 1000);
  ASSERT_EQ(before.Count(grpc::StatusCode::OK), before.Total());

  const int64_t rss_before = ResidentKib();
  ASSERT_EQ(sim_a_->faults().Configure({{"hang_ms", 3000}, {"hang_count", 1000000}}), "");
  constexpr int kDeadlineA = 500;
  Sample to_a;
  std::thread flood([&] {
    to_a = Identify(*stack_, key_a_, 64, std::chrono::milliseconds(2500), kDeadlineA, 100);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Sample during = Identify(*stack_, key_b_, 4, std::chrono::milliseconds(2000), 1000);
  flood.join();
  const int64_t rss_after = ResidentKib();
  ASSERT_EQ(sim_a_->faults().Configure(nlohmann::json::object()), "");

  const double p99_before = before.Percentile(0.99), p99_during = during.Percentile(0.99);
  std::printf(
      "store B identify p50/p99: %.2f/%.2f ms before, %.2f/%.2f ms with A hanging (%d calls)\n"
      "calls to A: %d, UNAVAILABLE %d, worst answer %.1f ms past its %d ms deadline\n"
      "resident memory of the test process: %lld KiB before, %lld KiB after\n",
      before.Percentile(0.5), p99_before, during.Percentile(0.5), p99_during, during.Total(),
      to_a.Total(), to_a.Count(grpc::StatusCode::UNAVAILABLE), to_a.worst_overrun_ms, kDeadlineA,
      static_cast<long long>(rss_before), static_cast<long long>(rss_after));
  EXPECT_EQ(during.Count(grpc::StatusCode::OK), during.Total());
  // Measured within 2x here (printed above). Asserted with room for a busy
  // machine: without the guards B's calls queue behind workers blocked on A
  // and wait hundreds of milliseconds.
  EXPECT_LE(p99_during, std::max(2 * p99_before + 10, 50.0));
  // Every call to A was answered by the broker (not cut by the client's
  // own deadline), and none waited past its deadline + 20 ms.
  EXPECT_GT(to_a.Total(), 64);
  EXPECT_EQ(to_a.Count(grpc::StatusCode::UNAVAILABLE), to_a.Total());
  EXPECT_LE(to_a.worst_overrun_ms, 20);
  // Calls held back hold nothing: memory does not grow with the flood.
  EXPECT_LT(rss_after - rss_before, 64 * 1024);

  const std::string scrape = testing::ScrapeMetrics(stack_->metrics_port());
  EXPECT_GT(testing::MetricValue(scrape,
                                 "loyalty_program_calls_held_back_total{program=\"iso-lc-a\","
                                 "reason=\"circuit_open\",vendor=\"loyalclient\"}"),
            0);
  EXPECT_EQ(testing::MetricValue(scrape,
                                 "loyalty_program_circuit_state{program=\"iso-lc-b\","
                                 "vendor=\"loyalclient\"}"),
            0);
}

TEST_F(IsolationTest, AProgramComesBackByItselfOnceItsVendorAnswersAgain) {
  ASSERT_EQ(sim_c_->faults().Configure({{"fail_count", 10}, {"fail_status", 503}}), "");
  Identify(*stack_, key_c_, 1, std::chrono::milliseconds(300), 1000);  // opens the circuit
  ASSERT_EQ(sim_c_->faults().Configure(nlohmann::json::object()), "");
  // Resting: the vendor is not called; then a trial call closes the circuit.
  const int before = sim_c_->faults().RequestCounts().value("/integration/general/client", 0);
  Sample resting = Identify(*stack_, key_c_, 1, std::chrono::milliseconds(300), 1000, 20);
  EXPECT_EQ(resting.Count(grpc::StatusCode::UNAVAILABLE), resting.Total());
  EXPECT_EQ(sim_c_->faults().RequestCounts().value("/integration/general/client", 0), before);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past the longest rest
  Sample back = Identify(*stack_, key_c_, 1, std::chrono::milliseconds(300), 1000);
  EXPECT_GT(back.Count(grpc::StatusCode::OK), 0);
  EXPECT_EQ(back.Count(grpc::StatusCode::OK), back.Total());
}

// Past capacity the broker sheds what it cannot serve in time, at once and
// with RetryInfo, instead of queueing without end; once the load is gone it
// serves again by itself.
class OverloadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim_ = new LoyalClientSimulator(Seed());
    const int port = sim_->Start("127.0.0.1", 0);
    key_ = absl::StrCat("overload-key-", testing::RunId(), "-0123456789");
    setup_error_ = StartBroker(
        absl::StrCat("stores:\n",
                     Store("overload-" + testing::RunId(), key_, Program("overload-lc", port))),
        [](BrokerConfig& config) {
          // 4 workers x 20 ms per call: about 200 calls/s.
          config.broker.worker_threads = 4;
          config.broker.max_queued_calls = 8;
          config.broker.max_queue_wait_ms = 200;
          config.broker.program_max_in_flight = 100;
        },
        stack_);
  }
  static void TearDownTestSuite() {
    delete stack_;
    delete sim_;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "the test stack did not start"; }

  static inline LoyalClientSimulator* sim_ = nullptr;
  static inline testing::BrokerStack* stack_ = nullptr;
  static inline std::string key_, setup_error_;
};

// One call of an open loop: started on time whether or not earlier ones ended.
struct OpenLoopCall {
  grpc::ClientContext context;
  v1::IdentifyCustomerRequest request;
  v1::IdentifyCustomerResponse response;
  Clock::time_point started;
};

TEST_F(OverloadTest, ShedsPastCapacityWithResourceExhaustedAndRecoversByItself) {
  ASSERT_EQ(sim_->faults().Configure({{"latency_ms", 20}}), "");
  auto stub = v1::LoyaltyBroker::NewStub(stack_->channel());
  constexpr int kRate = 400, kCalls = 800, kDeadlineMs = 1000;
  Sample sample;
  std::mutex mutex;
  std::atomic<int> done{0};
  int retry_info = 0;
  const auto start = Clock::now();
  for (int i = 0; i < kCalls; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(i * 1000000 / kRate));
    auto* call = new OpenLoopCall;
    call->context.AddMetadata("x-api-key", key_);
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::milliseconds(kDeadlineMs));
    call->request.mutable_customer()->set_phone(kPhone);
    call->started = Clock::now();
    stub->async()->IdentifyCustomer(
        &call->context, &call->request, &call->response, [&, call](grpc::Status status) {
          const double ms =
              std::chrono::duration<double, std::milli>(Clock::now() - call->started).count();
          {
            std::lock_guard lock(mutex);
            sample.Add(ms, status.error_code(), kDeadlineMs);
            if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
                !status.error_details().empty()) {
              ++retry_info;
            }
          }
          delete call;
          ++done;
        });
  }
  while (done.load() < kCalls) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(sim_->faults().Configure(nlohmann::json::object()), "");
  std::printf(
      "open loop %d/s x %d calls: OK %d, RESOURCE_EXHAUSTED %d, other %d; p50 %.1f ms, "
      "p99 %.1f ms, worst %.1f ms past the deadline\n",
      kRate, kCalls, sample.Count(grpc::StatusCode::OK),
      sample.Count(grpc::StatusCode::RESOURCE_EXHAUSTED),
      kCalls - sample.Count(grpc::StatusCode::OK) -
          sample.Count(grpc::StatusCode::RESOURCE_EXHAUSTED),
      sample.Percentile(0.5), sample.Percentile(0.99), sample.worst_overrun_ms);
  EXPECT_GT(sample.Count(grpc::StatusCode::OK), 0);
  EXPECT_GT(sample.Count(grpc::StatusCode::RESOURCE_EXHAUSTED), 0);
  EXPECT_EQ(retry_info, sample.Count(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(sample.Count(grpc::StatusCode::OK) + sample.Count(grpc::StatusCode::RESOURCE_EXHAUSTED),
            kCalls);
  // Shed calls do not wait: nothing near the deadline.
  EXPECT_LT(sample.Percentile(0.99), 500);

  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Sample after = Identify(*stack_, key_, 2, std::chrono::milliseconds(500), 1000);
  EXPECT_EQ(after.Count(grpc::StatusCode::OK), after.Total());
}

}  // namespace
}  // namespace loyalty::broker
