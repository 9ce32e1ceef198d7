#include "bench/loadgen/load_runner.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "loyalty/broker/v1/broker.grpc.pb.h"

namespace loyalty::bench {

namespace v1 = ::loyalty::broker::v1;
using Done = std::function<void(const grpc::Status&, absl::Duration)>;

std::vector<std::pair<std::string, int>> ParseMix(const std::string& text) {
  std::vector<std::pair<std::string, int>> mix;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::vector<std::string> kv = absl::StrSplit(part, '=');
    int weight = 0;
    if (kv.size() != 2 || !absl::SimpleAtoi(kv[1], &weight) || weight <= 0) return {};
    if (kv[0] != "identify" && kv[0] != "quote" && kv[0] != "commit") return {};
    mix.emplace_back(kv[0], weight);
  }
  return mix;
}

class LoadRunner::Impl {
 public:
  explicit Impl(LoadOptions options) : options_(std::move(options)) {
    for (int i = 0; i < options_.connections; ++i) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one TCP connection per channel
      args.SetInt("loyalty.bench.channel", i);
      stubs_.push_back(v1::LoyaltyBroker::NewStub(
          grpc::CreateCustomChannel(options_.target, grpc::InsecureChannelCredentials(), args)));
    }
    for (const auto& [op, weight] : options_.mix) total_weight_ += weight;
  }

  absl::Duration Run(LatencyRecorder& recorder) {
    recorder_ = &recorder;
    started_ = absl::Now();
    stop_at_ = started_ + options_.duration;
    if (options_.rate > 0) {
      RunOpenLoop();
    } else {
      // A token held while the slots start keeps the count above zero.
      {
        std::lock_guard lock(mutex_);
        ++in_flight_;
        done_issuing_ = true;  // after the start, only the slots issue
      }
      for (int i = 0; i < options_.concurrency; ++i) StartNext();
      Finish();
    }
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return in_flight_ == 0 && done_issuing_; });
    return absl::Now() - started_;
  }

 private:
  // Claims the next call, or false when the run is over.
  bool Claim() {
    if (absl::Now() >= stop_at_ && options_.count == 0) return false;
    if (options_.count > 0 && issued_.fetch_add(1) >= options_.count) return false;
    return true;
  }

  void StartNext() {
    {
      std::lock_guard lock(mutex_);
      ++in_flight_;
    }
    if (!Claim()) {
      Finish();
      return;
    }
    const std::string op = PickOperation();
    Issue(op, [this, op](const grpc::Status& status, absl::Duration latency) {
      recorder_->Record(op, latency, status.ok() ? "" : CodeName(status.error_code()));
      if (options_.rate <= 0) StartNext();  // closed loop: the slot goes on
      Finish();
    });
  }

  void Finish() {
    std::lock_guard lock(mutex_);
    --in_flight_;
    idle_.notify_all();
  }

  void RunOpenLoop() {
    const absl::Duration interval = absl::Seconds(1.0 / options_.rate);
    absl::Time next = started_;
    while (true) {
      absl::SleepFor(next - absl::Now());
      next += interval;
      if (absl::Now() >= stop_at_ && options_.count == 0) break;
      if (options_.count > 0 && issued_.load() >= options_.count) break;
      int in_flight = 0;
      {
        std::lock_guard lock(mutex_);
        in_flight = in_flight_;
      }
      if (in_flight >= options_.concurrency) {
        // The target cannot keep up: counted, never queued behind.
        recorder_->Record(PickOperation(), absl::ZeroDuration(), "CLIENT_OVERLOADED");
        if (options_.count > 0) issued_.fetch_add(1);
        continue;
      }
      StartNext();
    }
    std::lock_guard lock(mutex_);
    done_issuing_ = true;
    idle_.notify_all();
  }

  std::string PickOperation() {
    static thread_local std::mt19937 random{std::random_device{}()};
    int pick = std::uniform_int_distribution<int>(1, total_weight_)(random);
    for (const auto& [op, weight] : options_.mix) {
      pick -= weight;
      if (pick <= 0) return op;
    }
    return options_.mix.front().first;
  }

  v1::LoyaltyBroker::Stub& Stub() { return *stubs_[next_stub_.fetch_add(1) % stubs_.size()]; }

  template <typename Request, typename Response>
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
    absl::Time started;
  };

  // `start(async, context, request, response, callback)` makes the call.
  template <typename Request, typename Response, typename Start>
  void Send(Start start, Request request,
            std::function<void(const grpc::Status&, const Response&, absl::Duration)> done) {
    auto* call = new Call<Request, Response>();
    call->request = std::move(request);
    call->context.AddMetadata("x-api-key", options_.api_key);
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
    call->started = absl::Now();
    start(Stub().async(), &call->context, &call->request, &call->response,
          [call, done = std::move(done)](grpc::Status status) {
            // The call's context goes before `done` counts the call as
            // finished. It holds a reference to its channel: deleted after,
            // on gRPC's thread, it could drop a channel's last reference
            // there once Run had returned and the stubs were gone, and gRPC
            // then tore itself down on its own thread while the process
            // exited (the load generator once aborted on a corrupted heap in
            // the saturation curve).
            const absl::Duration latency = absl::Now() - call->started;
            const Response response = std::move(call->response);
            delete call;
            done(status, response, latency);
          });
  }

  void SetCustomer(v1::CustomerIdentifier* customer) const {
    if (!options_.card.empty()) {
      customer->set_card(options_.card);
    } else {
      customer->set_phone(options_.phone);
    }
  }

  v1::QuoteCartRequest QuoteRequest() const {
    v1::QuoteCartRequest request;
    SetCustomer(request.mutable_customer());
    auto* milk = request.add_lines();
    milk->set_line_no(1);
    milk->set_sku("MILK-1L");
    milk->set_barcode("4601234567890");
    milk->set_quantity_milli(2000);
    milk->set_unit_price_minor(8990);
    auto* cheese = request.add_lines();
    cheese->set_line_no(2);
    cheese->set_sku("CHEESE-KG");
    cheese->set_barcode("2000000012345");
    cheese->set_quantity_milli(350);
    cheese->set_unit_price_minor(129900);
    cheese->set_min_unit_price_minor(99900);
    for (int n = 3; n <= options_.lines; ++n) {
      auto* item = request.add_lines();
      item->set_line_no(n);
      item->set_sku("ITEM-" + std::to_string(n));
      item->set_quantity_milli(1000);
      item->set_unit_price_minor(100);
    }
    return request;
  }

  void Issue(const std::string& op, Done done) {
    auto identify = [](auto* async, auto* c, auto* req, auto* resp, auto cb) {
      async->IdentifyCustomer(c, req, resp, std::move(cb));
    };
    auto quote = [](auto* async, auto* c, auto* req, auto* resp, auto cb) {
      async->QuoteCart(c, req, resp, std::move(cb));
    };
    auto commit_call = [](auto* async, auto* c, auto* req, auto* resp, auto cb) {
      async->CommitPurchase(c, req, resp, std::move(cb));
    };
    if (op == "identify") {
      v1::IdentifyCustomerRequest request;
      SetCustomer(request.mutable_customer());
      Send<v1::IdentifyCustomerRequest, v1::IdentifyCustomerResponse>(
          identify, std::move(request),
          [done](const grpc::Status& s, const auto&, absl::Duration d) { done(s, d); });
      return;
    }
    if (op == "quote") {
      Send<v1::QuoteCartRequest, v1::QuoteCartResponse>(
          quote, QuoteRequest(),
          [done](const grpc::Status& s, const auto&, absl::Duration d) { done(s, d); });
      return;
    }
    // commit: a fresh quote first, then the measured commit.
    Send<v1::QuoteCartRequest, v1::QuoteCartResponse>(
        quote, QuoteRequest(),
        [this, done, commit_call](const grpc::Status& s, const v1::QuoteCartResponse& quoted,
                                  absl::Duration d) {
          if (!s.ok()) {
            done(s, d);
            return;
          }
          v1::CommitPurchaseRequest commit;
          const std::string order = absl::StrCat("BENCH-", run_tag_, "-", orders_.fetch_add(1));
          commit.set_idempotency_key("key-" + order);
          commit.set_order_number(order);
          commit.set_quote_id(quoted.quote_id());
          if (!options_.spend_program.empty() && options_.spend_centipoints > 0) {
            auto* spend = commit.add_spend();
            spend->set_program(options_.spend_program);
            spend->set_amount_centipoints(options_.spend_centipoints);
          }
          Send<v1::CommitPurchaseRequest, v1::PurchaseResponse>(
              commit_call, std::move(commit),
              [done](const grpc::Status& s2, const auto&, absl::Duration d2) { done(s2, d2); });
        });
  }

  static std::string CodeName(grpc::StatusCode code) {
    static const char* kNames[] = {"OK",
                                   "CANCELLED",
                                   "UNKNOWN",
                                   "INVALID_ARGUMENT",
                                   "DEADLINE_EXCEEDED",
                                   "NOT_FOUND",
                                   "ALREADY_EXISTS",
                                   "PERMISSION_DENIED",
                                   "RESOURCE_EXHAUSTED",
                                   "FAILED_PRECONDITION",
                                   "ABORTED",
                                   "OUT_OF_RANGE",
                                   "UNIMPLEMENTED",
                                   "INTERNAL",
                                   "UNAVAILABLE",
                                   "DATA_LOSS",
                                   "UNAUTHENTICATED"};
    const int index = static_cast<int>(code);
    return index >= 0 && index < 17 ? kNames[index] : "UNKNOWN";
  }

  LoadOptions options_;
  std::vector<std::unique_ptr<v1::LoyaltyBroker::Stub>> stubs_;
  std::atomic<size_t> next_stub_{0};
  std::atomic<int64_t> issued_{0};
  std::atomic<int64_t> orders_{0};
  const std::string run_tag_ = absl::StrCat(std::random_device{}() % 100000000);
  int total_weight_ = 0;
  LatencyRecorder* recorder_ = nullptr;
  absl::Time started_, stop_at_;
  std::mutex mutex_;
  std::condition_variable idle_;
  int in_flight_ = 0;
  bool done_issuing_ = false;
};

LoadRunner::LoadRunner(LoadOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
LoadRunner::~LoadRunner() = default;
absl::Duration LoadRunner::Run(LatencyRecorder& recorder) { return impl_->Run(recorder); }

}  // namespace loyalty::bench
