// loyalty-vendor-probe: the vendor baseline. Runs the LoyalClient
// connector's quote (client + recalc over HTTP, the same client and keep-alive
// the broker uses) straight against the simulator in a closed loop, so the
// broker's quote can be compared with the vendor work it wraps.

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <future>
#include <iostream>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/loadgen/latency_recorder.h"
#include "connectors/builtin/builtin_vendors.h"
#include "connectors/http/curl_multi_client.h"
#include "connectors/http/routing_http_client.h"
#include "connectors/http/socket_http_client.h"
#include "connectors/loyalclient/connector.h"

namespace lc = loyalty::connectors;

int main(int argc, char** argv) {
  CLI::App app{"LoyalClient quote straight against the vendor (benchmark baseline)"};
  std::string base_url = "http://127.0.0.1:18081";
  std::string apikey = "lc-demo-apikey-0001";
  std::string point = "62a1f0c0e4b0a1b2c3d4e5f4";
  std::string phone = "79201234567";
  int concurrency = 16;
  double duration_seconds = 10;
  bool json = false;
  app.add_option("--base-url", base_url, "the simulator");
  app.add_option("--concurrency", concurrency, "calls in flight")->check(CLI::PositiveNumber);
  app.add_option("--duration", duration_seconds, "seconds to run");
  app.add_option("--phone", phone, "customer phone");
  bool book = false;
  app.add_flag("--book", book,
               "book purchases (retail, one per call) instead of quoting: the vendor's own "
               "booking rate");
  app.add_flag("--json", json, "print JSON");
  CLI11_PARSE(app, argc, argv);

  auto program = std::make_shared<lc::ProgramConfig>();
  program->id = 1;
  program->code = "probe";
  program->vendor = "loyalclient";
  program->base_url = base_url;
  program->settings["point"] = point;
  program->secrets["apikey"] = apikey;
  lc::BuiltinVendors().Prepare(*program);
  // Chosen as the broker chooses (broker_app.cc): its own client for plain
  // http:// to an address, libcurl for the rest.
  lc::CurlMultiHttpClient curl;
  lc::SocketHttpClient socket;
  lc::RoutingHttpClient http(socket, &lc::SocketHttpClient::Takes, curl);
  lc::loyalclient::LoyalClientConnector connector(http);

  lc::QuoteRequest request;
  request.customer = lc::CustomerRef{lc::CustomerRef::Kind::kPhone, phone};
  lc::Line line;
  line.line_no = 1;
  line.sku = "MILK-1L";
  line.quantity_milli = 2000;
  line.unit_price_minor = 8990;
  line.total_before_minor = 17980;
  request.lines = {line};

  // A booking is for the customer's account, which one quote finds.
  lc::BookRequest booking;
  if (book) {
    std::promise<lc::Outcome<lc::QuoteResult>> found;
    connector.Quote(lc::CallContext{program, absl::Now() + absl::Seconds(5), {}}, request,
                    [&](lc::Outcome<lc::QuoteResult> outcome) { found.set_value(outcome); });
    auto outcome = found.get_future().get();
    if (!outcome.approved() || !outcome.value().account) {
      std::cerr << "the probe's customer has no account at " << base_url << "\n";
      return 1;
    }
    booking.vendor_customer_id = outcome.value().account->vendor_customer_id;
    booking.customer = request.customer;
    booking.lines = request.lines;
    booking.amount_minor = line.total_before_minor;
  }
  std::atomic<int64_t> orders{0};

  loyalty::bench::LatencyRecorder recorder;
  const absl::Time started = absl::Now();
  const absl::Time stop_at = started + absl::Seconds(duration_seconds);
  std::mutex mutex;
  std::condition_variable idle;
  int in_flight = 0;
  std::function<void()> next = [&] {
    if (absl::Now() >= stop_at) {
      std::lock_guard lock(mutex);
      if (--in_flight == 0) idle.notify_all();
      return;
    }
    const absl::Time call_started = absl::Now();
    if (book) {
      lc::BookRequest ask = booking;
      ask.order_number = absl::StrCat("probe-", absl::ToUnixMicros(started), "-", orders++);
      connector.Book(lc::CallContext{program, absl::Now() + absl::Seconds(5), {}}, ask,
                     [&, call_started](lc::Outcome<lc::BookResult> outcome) {
                       recorder.Record("vendor-book", absl::Now() - call_started,
                                       outcome.approved() ? "" : lc::OutcomeLabel(outcome));
                       next();
                     });
      return;
    }
    connector.Quote(lc::CallContext{program, absl::Now() + absl::Seconds(5), {}}, request,
                    [&, call_started](lc::Outcome<lc::QuoteResult> outcome) {
                      recorder.Record("vendor-quote", absl::Now() - call_started,
                                      outcome.approved() ? "" : lc::OutcomeLabel(outcome));
                      next();
                    });
  };
  {
    std::lock_guard lock(mutex);
    in_flight = concurrency;
  }
  for (int i = 0; i < concurrency; ++i) next();
  std::unique_lock lock(mutex);
  idle.wait(lock, [&] { return in_flight == 0; });
  const absl::Duration elapsed = absl::Now() - started;
  for (const auto& r : recorder.Report(elapsed)) {
    int64_t errors = 0;
    for (const auto& [code, n] : r.errors) errors += n;
    auto ms = [](absl::Duration d) { return absl::ToDoubleMilliseconds(d); };
    if (json) {
      std::cout
          << absl::StrFormat(
                 R"({"operation":"%s","count":%d,"errors":%d,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f})",
                 r.operation, r.count, errors, r.throughput_per_second, ms(r.p50), ms(r.p90),
                 ms(r.p99), ms(r.max))
          << "\n";
    } else {
      std::cout << absl::StrFormat(
          "%s count %d errors %d  %.1f/s  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n",
          r.operation, r.count, errors, r.throughput_per_second, ms(r.p50), ms(r.p90), ms(r.p99),
          ms(r.max));
    }
  }
  return recorder.total() > 0 ? 0 : 1;
}
