#!/usr/bin/env python3
"""A till written apart from the broker's C++: Debian's python3-grpcio over the
proto files alone, against the shipped binaries (loyalty-broker, the
LoyalClient simulator) and the PostgreSQL the PG* variables name.

It acts only on what the integrator's guide (proto/README.md) promises: error
reasons and details decoded from grpc-status-details-bin, program statuses as
enums, IN_DOUBT on every retry of a commit in doubt, health for the broker's
service name, and NOT_SERVING seen by an open Watch when the broker stops.

Paths come from the environment: LOYALTY_SOURCE_DIR, LOYALTY_BROKER_BINARY,
LOYALTY_LOYALCLIENT_SIMULATOR.
"""

import importlib.util
import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import grpc  # Debian's python3-grpcio

SOURCE = os.environ["LOYALTY_SOURCE_DIR"]
BROKER = os.environ["LOYALTY_BROKER_BINARY"]
SIMULATOR = os.environ["LOYALTY_LOYALCLIENT_SIMULATOR"]
GOOGLE_PROTOS = "/usr/share/gocode/src/github.com/gogo/googleapis"
GRPC_PROTOS = "/usr/share/grpc-proto"

POINT = "62a1f0c0e4b0a1b2c3d4e5f4"
IVAN_PHONE = "79201234567"
SERVICE = "loyalty.broker.v1.LoyaltyBroker"

WORK = tempfile.mkdtemp(prefix="till-client-")


def generate_python():
    """protoc --python_out for the API, the standard error details and health."""
    subprocess.run(
        ["protoc", f"-I{SOURCE}/proto", f"-I{GOOGLE_PROTOS}", f"-I{GRPC_PROTOS}",
         f"--python_out={WORK}", "loyalty/broker/v1/broker.proto", "google/rpc/status.proto",
         "google/rpc/error_details.proto", "grpc/health/v1/health.proto"],
        check=True)


def load(path):
    """A generated module by file: no package of ours shadows `grpc` or `google`."""
    name = os.path.basename(path)[:-3]
    spec = importlib.util.spec_from_file_location(name, os.path.join(WORK, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate_python()
pb = load("loyalty/broker/v1/broker_pb2.py")
status_pb2 = load("google/rpc/status_pb2.py")
error_details_pb2 = load("google/rpc/error_details_pb2.py")
health_pb2 = load("grpc/health/v1/health_pb2.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds=10.0):
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class Till:
    """Calls by method path, as any generic gRPC client can."""

    def __init__(self, target, api_key):
        self.channel = grpc.insecure_channel(target)
        self.metadata = [("x-api-key", api_key)]

    def call(self, method, request, response_type, timeout=5):
        rpc = self.channel.unary_unary(
            f"/{SERVICE}/{method}", request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_type.FromString)
        return rpc(request, metadata=self.metadata, timeout=timeout)


def details_of(error):
    """(ErrorInfo, {type name: detail}) from grpc-status-details-bin."""
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        found = {}
        for any_ in status.details:
            for kind in (error_details_pb2.ErrorInfo, error_details_pb2.BadRequest,
                         error_details_pb2.RetryInfo, error_details_pb2.LocalizedMessage):
                if any_.Is(kind.DESCRIPTOR):
                    detail = kind()
                    any_.Unpack(detail)
                    found[kind.DESCRIPTOR.name] = detail
        return found.get("ErrorInfo"), found
    return None, {}


class TillClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        run = f"{os.getpid()}{random.randint(0, 9999)}"
        cls.store = f"py-{run}"
        cls.key = f"py-till-key-{run}-0123456789"
        cls.sim_port = free_port()
        cls.logs = open(os.path.join(WORK, "simulator.log"), "w")
        cls.simulator = subprocess.Popen(
            [SIMULATOR, "--port", str(cls.sim_port), "--seed",
             f"{SOURCE}/simulators/loyalclient/data/loyalclient-seed.json"],
            stderr=cls.logs)
        cls.grpc_port = free_port()
        config = os.path.join(WORK, "broker.yaml")
        with open(config, "w") as f:
            f.write(f"grpc:\n  listen: 127.0.0.1:{cls.grpc_port}\n  shutdown_drain_ms: 1000\n"
                    "metrics:\n  listen: \"\"\n")
        stores = os.path.join(WORK, "stores.yaml")
        with open(stores, "w") as f:
            f.write(f"stores:\n  - id: {cls.store}\n    api_keys: [{{label: till, key: {cls.key}}}]\n"
                    "    programs:\n      - code: lc-main\n        vendor: loyalclient\n"
                    f"        base_url: http://127.0.0.1:{cls.sim_port}\n"
                    f"        settings: {{point: {POINT}}}\n"
                    "        credentials: {apikey: lc-demo-apikey-0001}\n")
        subprocess.run([BROKER, "--config", config, "migrate"], check=True)
        subprocess.run([BROKER, "--config", config, "register", "--stores", stores], check=True)
        cls.broker_log = os.path.join(WORK, "broker.log")
        cls.broker = subprocess.Popen([BROKER, "--config", config, "serve"],
                                      stderr=open(cls.broker_log, "w"))
        started = wait_for(lambda: "broker_started" in open(cls.broker_log).read())
        assert started, open(cls.broker_log).read()
        cls.till = Till(f"127.0.0.1:{cls.grpc_port}", cls.key)

    @classmethod
    def tearDownClass(cls):
        for process in (cls.broker, cls.simulator):
            if process.poll() is None:
                process.kill()
            process.wait()

    def fault(self, settings):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.sim_port}/__sim/faults", data=json.dumps(settings).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=5) as answer:
            self.assertEqual(answer.status, 200)

    def quote(self):
        return self.till.call("QuoteCart", pb.QuoteCartRequest(
            customer=pb.CustomerIdentifier(phone=IVAN_PHONE),
            lines=[pb.CartLine(line_no=1, sku="MILK", quantity_milli=2000,
                               unit_price_minor=50000)]), pb.QuoteCartResponse)

    def commit_request(self, quote, spend=0):
        order = f"PY-{random.randint(0, 10**12)}"
        request = pb.CommitPurchaseRequest(idempotency_key=f"key-{order}", order_number=order,
                                           quote_id=quote.quote_id)
        if spend:
            request.spend.add(program="lc-main", amount_centipoints=spend)
        return request

    def expect_error(self, code, reason, method, request, response_type):
        with self.assertRaises(grpc.RpcError) as raised:
            self.till.call(method, request, response_type)
        error = raised.exception
        self.assertEqual(error.code(), code, error.details())
        info, found = details_of(error)
        self.assertIsNotNone(info, "no google.rpc.Status in grpc-status-details-bin")
        self.assertEqual(info.domain, "loyalty.broker.v1")
        self.assertEqual(info.reason, reason, error.details())
        return info, found

    def test_every_bad_field_is_named(self):
        request = pb.QuoteCartRequest(lines=[
            pb.CartLine(line_no=1, sku="A", quantity_milli=0, unit_price_minor=100),
            pb.CartLine(line_no=2, sku="", quantity_milli=1000, unit_price_minor=-1)])
        _, found = self.expect_error(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST",
                                     "QuoteCart", request, pb.QuoteCartResponse)
        fields = {v.field for v in found["BadRequest"].field_violations}
        self.assertEqual(fields, {"lines[0].quantity_milli", "lines[1].sku",
                                  "lines[1].unit_price_minor"})

    def test_unknown_customer_and_too_many_points_say_which(self):
        self.expect_error(grpc.StatusCode.NOT_FOUND, "CUSTOMER_NOT_FOUND", "IdentifyCustomer",
                          pb.IdentifyCustomerRequest(
                              customer=pb.CustomerIdentifier(phone="70000000000")),
                          pb.IdentifyCustomerResponse)
        quote = self.quote()
        info, _ = self.expect_error(
            grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_POINTS", "CommitPurchase",
            self.commit_request(quote, quote.spendable_centipoints + 1), pb.PurchaseResponse)
        self.assertEqual(info.metadata["program"], "lc-main")
        self.assertEqual(int(info.metadata["available_centipoints"]), quote.spendable_centipoints)

    def test_a_checkout_reads_statuses_and_balance_without_parsing_text(self):
        account = self.till.call("IdentifyCustomer", pb.IdentifyCustomerRequest(
            customer=pb.CustomerIdentifier(phone=IVAN_PHONE)), pb.IdentifyCustomerResponse)
        balance = account.accounts[0].balance_centipoints
        quote = self.quote()
        purchase = self.till.call("CommitPurchase", self.commit_request(quote, 10000),
                                  pb.PurchaseResponse)
        self.assertEqual(purchase.status, pb.PURCHASE_STATUS_CONFIRMED)
        program = purchase.programs[0]
        self.assertEqual(program.status, pb.PROGRAM_PURCHASE_STATUS_APPROVED)
        self.assertEqual(program.last_operation, pb.PURCHASE_OPERATION_BOOK)
        self.assertTrue(program.HasField("balance_after_centipoints"))
        self.assertEqual(program.balance_after_centipoints,
                         balance - program.spent_centipoints + program.earned_centipoints)
        # Cancel is what LoyalClient cannot do: said so by reason, not by text.
        self.expect_error(grpc.StatusCode.FAILED_PRECONDITION, "NOT_SUPPORTED_BY_VENDOR",
                          "CancelPurchase",
                          pb.PurchaseByOrderRequest(order_number=purchase.order_number),
                          pb.PurchaseResponse)

    def test_a_commit_in_doubt_answers_in_doubt_on_every_retry(self):
        quote = self.quote()
        commit = self.commit_request(quote, 10000)
        self.fault({"drop_count": 1, "drop_path": "/integration/general/retail"})
        for _ in range(3):
            info, found = self.expect_error(grpc.StatusCode.UNAVAILABLE, "IN_DOUBT",
                                            "CommitPurchase", commit, pb.PurchaseResponse)
            self.assertEqual(info.metadata["order_number"], commit.order_number)
            self.assertIn("RetryInfo", found)
        stored = self.till.call("GetPurchase",
                                pb.PurchaseByOrderRequest(order_number=commit.order_number),
                                pb.PurchaseResponse)
        self.assertEqual(stored.status, pb.PURCHASE_STATUS_IN_DOUBT)
        self.assertTrue(stored.reason)
        self.assertEqual(stored.programs[0].status, pb.PROGRAM_PURCHASE_STATUS_IN_DOUBT)

    def test_zz_health_for_the_service_and_not_serving_once_shutdown_begins(self):
        check = self.till.channel.unary_unary(
            "/grpc.health.v1.Health/Check", request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=health_pb2.HealthCheckResponse.FromString)
        answer = check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=5)
        self.assertEqual(answer.status, health_pb2.HealthCheckResponse.SERVING)
        watch = self.till.channel.unary_stream(
            "/grpc.health.v1.Health/Watch", request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=health_pb2.HealthCheckResponse.FromString)
        seen = []
        stream = watch(health_pb2.HealthCheckRequest(service=SERVICE), timeout=10)

        def read():
            try:
                for update in stream:
                    seen.append(update.status)
            except grpc.RpcError:
                pass  # the server went away after telling

        reader = threading.Thread(target=read)
        reader.start()
        self.assertTrue(wait_for(lambda: seen == [health_pb2.HealthCheckResponse.SERVING]))
        self.broker.send_signal(signal.SIGTERM)
        self.assertTrue(wait_for(lambda: health_pb2.HealthCheckResponse.NOT_SERVING in seen),
                        seen)
        self.assertEqual(self.broker.wait(timeout=20), 0)
        reader.join(timeout=10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
