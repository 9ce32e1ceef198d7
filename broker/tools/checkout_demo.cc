// loyalty-checkout-demo: plays a till's checkout against a running broker
// (identify, quote, hold, commit, get) and prints each answer for a person.

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <random>

#include "absl/strings/str_format.h"
#include "loyalty/broker/v1/broker.grpc.pb.h"

namespace v1 = loyalty::broker::v1;

namespace {

std::string Money(int64_t minor) {
  return absl::StrFormat("%d.%02d RUB", minor / 100, minor % 100);
}
std::string Points(int64_t centipoints) {
  return absl::StrFormat("%d.%02d pts", centipoints / 100, centipoints % 100);
}

class Till {
 public:
  Till(std::shared_ptr<grpc::Channel> channel, std::string api_key)
      : stub_(v1::LoyaltyBroker::NewStub(channel)), api_key_(std::move(api_key)) {}

  template <typename Request, typename Response, typename Method>
  bool Call(const char* name, Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.AddMetadata("x-api-key", api_key_);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Status status = ((*stub_).*method)(&context, request, response);
    if (!status.ok()) {
      std::cout << "  " << name << " failed: code " << status.error_code() << ": "
                << status.error_message() << "\n";
      return false;
    }
    return true;
  }

  v1::LoyaltyBroker::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<v1::LoyaltyBroker::Stub> stub_;
  std::string api_key_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Sample checkout against the loyalty broker"};
  std::string target = "127.0.0.1:50051";
  std::string api_key;
  std::string phone = "79201234567";
  cli.add_option("--target", target, "broker address");
  cli.add_option("--api-key", api_key, "the store's API key")->required();
  cli.add_option("--phone", phone, "customer's phone");
  CLI11_PARSE(cli, argc, argv);

  Till till(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()), api_key);
  using Stub = v1::LoyaltyBroker::Stub;

  std::cout << "1. Identify customer by phone " << phone << "\n";
  v1::IdentifyCustomerRequest identify;
  identify.mutable_customer()->set_phone(phone);
  v1::IdentifyCustomerResponse customer;
  if (!till.Call("IdentifyCustomer", &Stub::IdentifyCustomer, identify, &customer)) return 1;
  for (const auto& a : customer.accounts()) {
    const std::string level =
        a.level().title().empty() ? "" : " level \"" + a.level().title() + "\",";
    std::cout << "   " << a.name() << " in " << a.program() << ":" << level << " balance "
              << Points(a.balance_centipoints()) << ", available "
              << Points(a.available_centipoints()) << "\n";
  }

  std::cout << "2. Quote a cart of two lines\n";
  v1::QuoteCartRequest quote_request;
  *quote_request.mutable_customer() = identify.customer();
  auto* milk = quote_request.add_lines();
  milk->set_line_no(1);
  milk->set_sku("MILK-1L");
  milk->set_barcode("4601234567890");
  milk->set_quantity_milli(2000);
  milk->set_unit_price_minor(8990);
  auto* cheese = quote_request.add_lines();
  cheese->set_line_no(2);
  cheese->set_sku("CHEESE-KG");
  cheese->set_barcode("2000000012345");
  cheese->set_quantity_milli(350);
  cheese->set_unit_price_minor(129900);
  cheese->set_min_unit_price_minor(99900);
  v1::QuoteCartResponse quote;
  if (!till.Call("QuoteCart", &Stub::QuoteCart, quote_request, &quote)) return 1;
  std::cout << "   quote " << quote.quote_id() << ": total " << Money(quote.total_before_minor())
            << ", discount " << Money(quote.discount_minor()) << ", to pay "
            << Money(quote.total_minor()) << "\n   may spend up to "
            << Points(quote.spendable_centipoints()) << ", would earn "
            << Points(quote.earn_centipoints()) << "\n";
  for (const auto& p : quote.programs()) {
    std::cout << "   " << p.program() << ": " << p.explanation() << "\n";
    if (!p.customer_message().empty()) {
      std::cout << "     for the customer: " << p.customer_message() << "\n";
    }
    for (const auto& text : p.receipt_texts()) std::cout << "     on the receipt: " << text << "\n";
  }
  for (const auto& s : quote.skipped())
    std::cout << "   skipped " << s.program() << ": " << s.reason() << "\n";
  if (quote.programs().empty()) return 1;
  // Points go to the first program that lets this check spend any.
  std::string program;
  int64_t spend = 0;
  for (const auto& p : quote.programs()) {
    if (p.spendable_centipoints() <= 0) continue;
    program = p.program();
    spend = std::min<int64_t>(p.spendable_centipoints(), 10000);
    break;
  }

  std::string hold_id;
  if (spend > 0) {
    std::cout << "3. Hold " << Points(spend) << " in " << program << "\n";
    v1::HoldPointsRequest hold_request;
    hold_request.set_quote_id(quote.quote_id());
    hold_request.set_program(program);
    hold_request.set_amount_centipoints(spend);
    v1::HoldPointsResponse hold;
    if (!till.Call("HoldPoints", &Stub::HoldPoints, hold_request, &hold)) return 1;
    hold_id = hold.hold_id();
    std::cout << "   hold " << hold_id << " active until unix time " << hold.expires_at().seconds()
              << "\n";
  }

  const std::string order = "DEMO-" + std::to_string(std::random_device{}() % 1000000);
  std::cout << "4. Commit purchase " << order << (spend > 0 ? " spending the held points" : "")
            << "\n";
  v1::CommitPurchaseRequest commit;
  commit.set_idempotency_key("demo-" + order);
  commit.set_order_number(order);
  commit.set_quote_id(quote.quote_id());
  if (spend > 0) {
    auto* s = commit.add_spend();
    s->set_program(program);
    s->set_amount_centipoints(spend);
    commit.add_hold_ids(hold_id);
  }
  v1::PurchaseResponse purchase;
  if (!till.Call("CommitPurchase", &Stub::CommitPurchase, commit, &purchase)) return 1;
  std::cout << "   status " << v1::PurchaseStatus_Name(purchase.status()) << ", paid "
            << Money(purchase.paid_minor()) << ", spent " << Points(purchase.spent_centipoints())
            << ", earned " << Points(purchase.earned_centipoints()) << "\n";
  v1::PurchaseResponse replay;
  if (!till.Call("CommitPurchase (retry)", &Stub::CommitPurchase, commit, &replay)) return 1;
  std::cout << "   retry with the same idempotency key: "
            << (replay.SerializeAsString() == purchase.SerializeAsString()
                    ? "same answer, nothing applied twice"
                    : "DIFFERENT ANSWER")
            << "\n";

  if (purchase.status() == v1::PURCHASE_STATUS_BOOKED) {
    std::cout << "   the vendor books first and confirms later: confirm " << order << "\n";
    v1::PurchaseByOrderRequest confirm;
    confirm.set_order_number(order);
    v1::PurchaseResponse confirmed;
    if (!till.Call("ConfirmPurchase", &Stub::ConfirmPurchase, confirm, &confirmed)) return 1;
    std::cout << "   status " << v1::PurchaseStatus_Name(confirmed.status()) << "\n";
  }

  std::cout << "5. Get purchase " << order << " from the broker's journal\n";
  v1::PurchaseByOrderRequest get;
  get.set_order_number(order);
  v1::PurchaseResponse stored;
  if (!till.Call("GetPurchase", &Stub::GetPurchase, get, &stored)) return 1;
  std::cout << "   " << v1::PurchaseStatus_Name(stored.status()) << ", " << stored.lines_size()
            << " lines, total " << Money(stored.total_before_minor()) << ", paid "
            << Money(stored.paid_minor()) << "\n";
  for (const auto& p : stored.programs()) {
    std::cout << "   " << p.program() << ": spent " << Points(p.spent_centipoints()) << ", earned "
              << Points(p.earned_centipoints()) << " ("
              << v1::ProgramPurchaseStatus_Name(p.status()) << ")";
    if (p.has_balance_after_centipoints()) {
      std::cout << ", balance now " << Points(p.balance_after_centipoints());
    }
    std::cout << "\n";
  }
  std::cout << "Checkout complete.\n";
  return 0;
}
