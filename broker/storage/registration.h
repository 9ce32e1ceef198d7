#pragma once

// Registers stores, their programs (with vendor settings and credentials) and
// API keys from a YAML file; see deploy/local/stores.yaml. Re-running it
// updates what it names and leaves the rest. Values written "${NAME}" are
// read from the environment; a missing one stops the registration. Each
// program's settings and credentials are checked by its vendor's factory: a
// program its vendor would refuse is not registered.

#include <string>

#include "absl/status/statusor.h"
#include "broker/config/config.h"
#include "broker/storage/pool.h"
#include "connectors/registry/vendor_catalog.h"

namespace loyalty::broker {

struct RegistrationSummary {
  int stores = 0;
  int programs = 0;
  int api_keys = 0;
  // Keys the file names that were revoked before: they stay revoked.
  int api_keys_kept_revoked = 0;
  // Keys of the file's stores that the file no longer names: now revoked.
  int api_keys_revoked = 0;
};

// Checks a stores file and counts what it names, writing nothing.
absl::StatusOr<RegistrationSummary> ReadStoresFile(const std::string& yaml_text,
                                                   const connectors::VendorCatalog& vendors,
                                                   const Environment& env);

absl::StatusOr<RegistrationSummary> RegisterStores(ConnectionPool& pool,
                                                   const std::string& yaml_text,
                                                   const connectors::VendorCatalog& vendors,
                                                   const Environment& env);

}  // namespace loyalty::broker
