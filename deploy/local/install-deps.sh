#!/usr/bin/env bash
# Installs the Debian packages the broker builds and runs with.
set -euo pipefail
PACKAGES=(cmake ninja-build ccache g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpqxx-dev prometheus-cpp-dev libcurl4-openssl-dev nlohmann-json3-dev libyaml-cpp-dev
  libcpp-httplib-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libabsl-dev libssl-dev
  libgoogle-perftools-dev  # tcmalloc, the broker's allocator
  libsimdjson-dev  # reads back the JSON the broker stored
  postgresql postgresql-common curl
  iproute2     # ss: a test reads the simulators' listen backlog
  python3      # the benchmark suite formats its table with it
  prometheus   # for promtool: the tests check the alert rules with it
  golang-github-gogo-googleapis-dev  # google/rpc/*.proto: the errors' details
  grpc-proto   # grpc/reflection/v1/reflection.proto: server reflection v1
  python3-grpcio python3-protobuf  # the tests' till written apart from the C++ code
  clang-14 libclang-rt-14-dev  # tests/sanitized.sh: ASan, UBSan and libFuzzer
  etcd-server patroni haproxy)  # deploy/ha: the high-availability stack and its failover test
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=(); [[ "$(id -u)" != "0" ]] && SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
