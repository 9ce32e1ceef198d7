#pragma once

// A store with two programs ("alpha", "beta") whose vendors are scripted
// connectors, and the checkout, recovery and outbox over in-memory
// repositories: the core as the broker runs it, without PostgreSQL, gRPC or
// HTTP.

#include <memory>
#include <string>

#include "broker/core/checkout_observer.h"
#include "broker/core/checkout_recovery.h"
#include "broker/core/checkout_service.h"
#include "connectors/registry/connector_registry.h"
#include "tests/core/fakes/in_memory_repositories.h"
#include "tests/core/fakes/scripted_connector.h"

namespace loyalty::broker::testing {

class SilentObserver final : public CheckoutObserver {
 public:
  void OnVendorCall(const VendorOperation&) override {}
  void OnCommitted(const PurchaseRecord&, const StoreContext&) override { ++committed; }
  void OnDelivered(const PurchaseProgramRecord&, const StoreProgram&) override { ++delivered; }
  int committed = 0, delivered = 0;
};

// A vendor that books, cancels and can be asked about a purchase.
inline connectors::Capabilities BookingVendor() {
  connectors::Capabilities c;
  c.identify = c.quote = c.book = c.idempotent_book = c.cancel = c.restore = c.get = true;
  return c;
}

class CoreWorld {
 public:
  static constexpr char kStore[] = "store-1";

  CoreWorld(connectors::Capabilities alpha = BookingVendor(),
            connectors::Capabilities beta = BookingVendor())
      : alpha_(std::make_shared<ScriptedConnector>(alpha, 10)),
        beta_(std::make_shared<ScriptedConnector>(beta, 5)) {
    auto store = std::make_shared<StoreContext>();
    store->store_id = kStore;
    store->programs.push_back(Program(1, "alpha"));
    store->programs.push_back(Program(2, "beta"));
    store_ = store;
    registry_.Register("alpha", alpha_);
    registry_.Register("beta", beta_);
    directory_ = std::make_unique<FixedStoreDirectory>(store_);
    checkout_ = std::make_unique<CheckoutService>(
        CheckoutDependencies{registry_, db_.quotes, db_.holds, db_.purchases, db_.idempotency,
                             db_.commit_reads, db_.journal, observer_, BrokerConfig::Broker{}});
    recovery_ = std::make_unique<CheckoutRecovery>(
        RecoveryDependencies{registry_, *directory_, db_.quotes, db_.purchases, db_.idempotency,
                             db_.outbox, db_.journal, observer_},
        RecoverySettings{absl::Seconds(60), absl::Seconds(5), absl::Seconds(1)});
  }

  // Quotes `amount_minor` on one line for the customer with phone `phone`.
  v1::QuoteCartResponse QuoteFor(const std::string& phone, int64_t amount_minor) {
    v1::QuoteCartRequest request;
    request.mutable_customer()->set_phone(phone);
    auto* line = request.add_lines();
    line->set_line_no(1);
    line->set_sku("sku-1");
    line->set_quantity_milli(1000);
    line->set_unit_price_minor(amount_minor);
    v1::QuoteCartResponse response;
    last_status_ = checkout_->Quote(*store_, Deadline(), request, &response);
    return response;
  }

  v1::CommitPurchaseRequest CommitRequest(const v1::QuoteCartResponse& quote,
                                          const std::string& order, int64_t spend_at_alpha = 0,
                                          int64_t spend_at_beta = 0) {
    v1::CommitPurchaseRequest request;
    request.set_idempotency_key("key-" + order);
    request.set_order_number(order);
    request.set_quote_id(quote.quote_id());
    if (spend_at_alpha > 0) {
      auto* spend = request.add_spend();
      spend->set_program("alpha");
      spend->set_amount_centipoints(spend_at_alpha);
    }
    if (spend_at_beta > 0) {
      auto* spend = request.add_spend();
      spend->set_program("beta");
      spend->set_amount_centipoints(spend_at_beta);
    }
    return request;
  }

  absl::Status Commit(const v1::CommitPurchaseRequest& request, v1::PurchaseResponse* response) {
    return checkout_->Commit(*store_, Deadline(), request, response);
  }

  static absl::Time Deadline() { return absl::Now() + absl::Seconds(5); }

  const StoreContext& store() const { return *store_; }
  ScriptedConnector& alpha() { return *alpha_; }
  ScriptedConnector& beta() { return *beta_; }
  InMemoryRepositories& db() { return db_; }
  CheckoutService& checkout() { return *checkout_; }
  CheckoutRecovery& recovery() { return *recovery_; }
  SilentObserver& observer() { return observer_; }
  const absl::Status& last_status() const { return last_status_; }

 private:
  static StoreProgram Program(int64_t id, const std::string& vendor) {
    auto config = std::make_shared<connectors::ProgramConfig>();
    config->id = id;
    config->code = vendor;
    config->vendor = vendor;
    config->base_url = "http://127.0.0.1:1";
    return StoreProgram{config, false, {}};
  }

  InMemoryRepositories db_;
  SilentObserver observer_;
  std::shared_ptr<ScriptedConnector> alpha_, beta_;
  connectors::ConnectorRegistry registry_;
  std::shared_ptr<const StoreContext> store_;
  std::unique_ptr<FixedStoreDirectory> directory_;
  std::unique_ptr<CheckoutService> checkout_;
  std::unique_ptr<CheckoutRecovery> recovery_;
  absl::Status last_status_;
};

}  // namespace loyalty::broker::testing
