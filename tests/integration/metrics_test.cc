// Observability of the running broker: a checkout over real gRPC moves the
// counters on the Prometheus endpoint, series exist before first use, no
// store id leaks into labels, and every metric the alert rules and Grafana
// dashboards in deploy/ name is one the broker exports.

#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "simulators/loyalclient/server.h"
#include "tests/integration/simulator_stack_test.h"

namespace loyalty::broker {
namespace {

using Stub = v1::LoyaltyBroker::Stub;

std::string ReadFile(const std::string& relative) {
  std::ifstream in(std::string(LOYALTY_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

using testing::MetricValue;

class MetricsTest
    : public testing::SimulatorStackTest<MetricsTest,
                                         simulator::loyalclient::LoyalClientSimulator> {
 protected:
  static void SetUpTestSuite() {
    store_ = absl::StrCat("m-", testing::RunId());
    key_ = StoreKey("m");
    StartStack("loyalclient/data/loyalclient-seed.json",
               [](int port) {
                 return absl::StrCat(
                     "stores:\n  - id: ", store_, "\n    api_keys: [{label: till, key: ", key_,
                     "}]\n    programs:\n      - code: lc-metrics\n        vendor: loyalclient\n",
                     "        base_url: http://127.0.0.1:", port, "\n",
                     "        settings: {point: 62a1f0c0e4b0a1b2c3d4e5f4}\n",
                     "        credentials: {apikey: lc-demo-apikey-0001}\n");
               },
               {});
  }

  static std::string Scrape() { return testing::ScrapeMetrics(stack_->metrics_port()); }

  // Identify, quote, commit with points at the LoyalClient simulator.
  void Checkout() {
    v1::QuoteCartRequest quote_request;
    quote_request.mutable_customer()->set_phone("79990000003");
    auto* line = quote_request.add_lines();
    line->set_line_no(1);
    line->set_sku("MILK");
    line->set_quantity_milli(1000);
    line->set_unit_price_minor(100000);
    v1::QuoteCartResponse quote;
    ASSERT_TRUE(stack_->Call(key_, &Stub::QuoteCart, quote_request, &quote).ok());
    const auto commit = testing::CommitRequest(quote.quote_id(), "M", "lc-metrics", 1000);
    v1::PurchaseResponse purchase;
    grpc::Status status = stack_->Call(key_, &Stub::CommitPurchase, commit, &purchase);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  static inline std::string store_, key_;
};

// "name{k="v",...}" with the labels in the exposition's (sorted) order.
std::string Series(const std::string& name, const std::map<std::string, std::string>& labels) {
  std::string out = name;
  if (labels.empty()) return out;
  out += "{";
  bool first = true;
  for (const auto& [key, value] : labels) {
    absl::StrAppend(&out, first ? "" : ",", key, "=\"", value, "\"");
    first = false;
  }
  return out + "}";
}

std::map<std::string, std::string> Grpc(const std::string& method, const std::string& code = "") {
  std::map<std::string, std::string> labels = {{"grpc_type", "unary"},
                                               {"grpc_service", "loyalty.broker.v1.LoyaltyBroker"},
                                               {"grpc_method", method}};
  if (!code.empty()) labels["grpc_code"] = code;
  return labels;
}

const std::map<std::string, std::string> kProgram = {{"program", "lc-metrics"},
                                                     {"vendor", "loyalclient"}};

TEST_F(MetricsTest, ACheckoutMovesTheCounters) {
  const std::string before = Scrape();
  ASSERT_FALSE(before.empty()) << "no answer from the metrics endpoint";
  const std::string handled_ok = Series("grpc_server_handled_total", Grpc("CommitPurchase", "OK"));
  auto book_labels = kProgram;
  book_labels["operation"] = "book";
  book_labels["outcome"] = "approved";
  const std::string book = Series("loyalty_vendor_requests_total", book_labels);
  const std::string spent = Series("loyalty_points_spent_centipoints_total", kProgram);
  const std::string confirmed = Series("loyalty_purchases_total", {{"status", "confirmed"}});
  const double handled_before = MetricValue(before, handled_ok);
  const double book_before = MetricValue(before, book);
  const double spent_before = MetricValue(before, spent);
  ASSERT_GE(book_before, 0) << "program series missing before first use:\n" << book;
  ASSERT_GE(spent_before, 0);
  const double confirmed_before = MetricValue(before, confirmed);
  ASSERT_GE(handled_before, 0) << "series missing before first use:\n" << handled_ok;
  ASSERT_GE(confirmed_before, 0);

  Checkout();
  const std::string after = Scrape();
  EXPECT_EQ(MetricValue(after, handled_ok), handled_before + 1);
  EXPECT_EQ(MetricValue(after, book), book_before + 1);
  EXPECT_EQ(MetricValue(after, spent), spent_before + 1000);
  EXPECT_EQ(MetricValue(after, confirmed), confirmed_before + 1);
  EXPECT_EQ(MetricValue(after, Series("loyalty_program_up", kProgram)), 1);
  EXPECT_GT(MetricValue(after, "loyalty_db_pool_size"), 0);
  // Histograms count the calls too.
  EXPECT_GE(MetricValue(after, Series("grpc_server_handling_seconds_count", Grpc("QuoteCart"))), 1);
}

TEST_F(MetricsTest, SeriesExistBeforeUseAndLabelsNeverCarryStoresOrOrders) {
  const std::string scrape = Scrape();
  // A method and code no test calls.
  EXPECT_EQ(
      MetricValue(scrape, Series("grpc_server_handled_total", Grpc("RestorePurchase", "DataLoss"))),
      0);
  EXPECT_EQ(MetricValue(scrape, R"(loyalty_purchases_total{status="in_doubt"})"), 0);
  // The rows written behind requests, with nothing given up.
  for (const char* table : {"quotes", "vendor_operations"}) {
    EXPECT_GE(
        MetricValue(scrape, absl::StrCat(R"(loyalty_write_behind_queued{table=")", table, R"("})")),
        0)
        << table;
    EXPECT_EQ(MetricValue(scrape, absl::StrCat(R"(loyalty_write_behind_dropped_total{table=")",
                                               table, R"("})")),
              0)
        << table;
  }
  EXPECT_EQ(scrape.find(store_), std::string::npos) << "a store id is in a label";
  EXPECT_EQ(scrape.find(absl::StrCat("M-", testing::RunId())), std::string::npos)
      << "an order number is in a label";
}

TEST_F(MetricsTest, StateFromPostgresIsExported) {
  // The collector reads every second in tests.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::string scrape = Scrape();
  EXPECT_GE(MetricValue(scrape, Series("loyalty_holds_active", kProgram)), 0);
  EXPECT_GE(MetricValue(scrape, "loyalty_purchases_in_doubt"), 0);
  EXPECT_GE(MetricValue(scrape, "loyalty_purchases_pending_oldest_age_seconds"), 0);
}

TEST_F(MetricsTest, ProcessBuildAndErrorReasonsAreDescribed) {
  v1::QuoteCartRequest empty;  // no lines: INVALID_REQUEST
  v1::QuoteCartResponse quote;
  ASSERT_EQ(stack_->Call(key_, &Stub::QuoteCart, empty, &quote).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  const std::string scrape = Scrape();
  EXPECT_GT(MetricValue(scrape, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(MetricValue(scrape, "process_cpu_seconds_total"), 0);
  EXPECT_GT(MetricValue(scrape, "process_open_fds"), 3);
  EXPECT_GT(MetricValue(scrape, "process_start_time_seconds"), 1.7e9);
  EXPECT_NE(scrape.find("loyalty_build_info{version=\""), std::string::npos);
  EXPECT_EQ(
      MetricValue(scrape, Series("loyalty_rpc_errors_total",
                                 {{"grpc_method", "QuoteCart"}, {"reason", "INVALID_REQUEST"}})),
      1);
  // The broker's own reasons exist before any such error, so rates do.
  EXPECT_EQ(
      MetricValue(scrape, Series("loyalty_rpc_errors_total",
                                 {{"grpc_method", "CommitPurchase"}, {"reason", "INTERNAL"}})),
      0);
}

TEST_F(MetricsTest, EveryMetricInAlertsAndDashboardsIsExported) {
  Checkout();  // vendor latency histograms appear with their first call
  const std::string scrape = Scrape();
  std::set<std::string> families;  // from "# TYPE <name> <type>"
  std::set<std::string> histograms;
  std::istringstream lines(scrape);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex(R"(# TYPE (\S+) (\S+))"))) {
      families.insert(m[1]);
      if (m[2] == "histogram") histograms.insert(m[1]);
    }
  }
  ASSERT_FALSE(families.empty());

  const std::regex metric(R"(\b((?:grpc_server|loyalty)_[a-z_]+)\b)");
  int checked = 0;
  for (const char* file : {"deploy/prometheus/alerts.yml", "deploy/grafana/overview.json",
                           "deploy/grafana/vendors.json", "deploy/grafana/database.json"}) {
    const std::string text = ReadFile(file);
    ASSERT_FALSE(text.empty()) << file;
    for (std::sregex_iterator it(text.begin(), text.end(), metric), end; it != end; ++it) {
      std::string name = (*it)[1];
      if (name.rfind("loyalty_broker", 0) == 0) continue;  // the service's package, not a metric
      bool exported = families.count(name) > 0;
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s(suffix);
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
          exported = exported || histograms.count(name.substr(0, name.size() - s.size())) > 0;
        }
      }
      EXPECT_TRUE(exported) << file << " names " << name << ", which the broker does not export";
      ++checked;
    }
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace loyalty::broker
