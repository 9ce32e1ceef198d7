#pragma once

// One vendor as the connector contract suite sees it: how to start its
// simulator, the program that points at it, its connector, and customers the
// simulator's seed knows and does not know. Adding a vendor to the suite is
// one more VendorUnderTest in connector_contract_test.cc.

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "connectors/core/connector.h"
#include "connectors/http/http_client.h"
#include "simulators/kit/server.h"

namespace loyalty::contract {

struct VendorUnderTest {
  std::string name;
  std::function<std::unique_ptr<simulator::SimulatorServer>()> make_simulator;
  // The program for a simulator on `port`; `valid_credentials` false gives
  // credentials the vendor refuses (ignored by vendors without any).
  std::function<connectors::ProgramConfig(int port, bool valid_credentials)> program;
  std::function<std::shared_ptr<connectors::Connector>(connectors::HttpClient&)> make_connector;
  connectors::CustomerRef known_customer;
  connectors::CustomerRef unknown_customer;
  // An identifier of a kind the vendor cannot look up.
  connectors::CustomerRef unsupported_customer;
  std::vector<connectors::Line> cart;
};

// Test names and failure messages show the vendor, not the struct's bytes.
inline void PrintTo(const VendorUnderTest& vendor, std::ostream* out) { *out << vendor.name; }

}  // namespace loyalty::contract
