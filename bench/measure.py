#!/usr/bin/env python3
"""Runs one load command and adds to its JSON what each process spent on it.

Usage: measure.py --broker PID --vendor PID -- <command printing a JSON line>

Per operation (the JSON's `count`): CPU time of the broker, the vendor
simulator, every PostgreSQL process and the load command itself, user and
system apart (from /proc and getrusage), and the database's committed
transactions, WAL flushes and statements (pg_stat_database, pg_stat_wal,
pg_stat_statements where it is loaded), the broker's thread switches (each
hand-off between its threads shows) and the TCP connections opened on the
machine, and the broker's resident memory before and after. These figures
hold on a shared machine where throughput does not.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    user = system = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        user += int(fields[11]) / TICK
        system += int(fields[12]) / TICK
    return user, system


def postgres_pids():
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == "postgres":
                    pids.append(pid)
        except OSError:
            pass
    return pids


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def thread_switches(pid):
    """Context switches of every thread of `pid`: each time one of them
    waited (a hand-off between threads, a blocking call) or was preempted."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:",
                                        "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
        except OSError:
            pass  # the thread ended meanwhile
    return total


def tcp_connections_opened():
    """TCP connections this machine opened (connect calls that went out)."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Tcp:")]
    return int(rows[1][rows[0].index("ActiveOpens")])


def db_number(sql):
    out = subprocess.run(["psql", "-Atc", sql], capture_output=True, text=True)
    try:
        return int(float(out.stdout.strip()))
    except ValueError:
        return None


COMMITS = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
# WAL flushes (fsync of the WAL) of the whole cluster: a synchronous commit
# waits for one, and concurrent commits that share one (group commit) show
# as fewer flushes than commits.
WAL_FLUSHES = "SELECT wal_sync FROM pg_stat_wal"
STATEMENTS = ("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid = "
              "(SELECT oid FROM pg_database WHERE datname = current_database())")


def statement_calls():
    """Calls per statement text (first 70 characters), where loaded."""
    out = subprocess.run(
        ["psql", "-AtF", "\t", "-c",
         "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70), sum(calls) "
         "FROM pg_stat_statements GROUP BY 1"], capture_output=True, text=True)
    calls = {}
    for line in out.stdout.splitlines():
        text, _, n = line.rpartition("\t")
        if n.isdigit():
            calls[text] = int(n)
    return calls


def snapshot(args):
    return {
        "broker": cpu_seconds([args.broker]),
        "vendor": cpu_seconds([args.vendor]) if args.vendor else (0.0, 0.0),
        # Every backend and the WAL writer, checkpointer, ...: all of
        # PostgreSQL's work for the load.
        "postgres": cpu_seconds(postgres_pids()),
        "commits": db_number(COMMITS),
        "statements": db_number(STATEMENTS),
        "wal_flushes": db_number(WAL_FLUSHES),
        "broker_rss_kb": rss_kb(args.broker),
        "broker_switches": thread_switches(args.broker),
        "tcp_opens": tcp_connections_opened(),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--vendor", default="")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    before = snapshot(args)
    calls_before = statement_calls()
    out = subprocess.run(command, capture_output=True, text=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    time.sleep(1.1)  # statistics reach pg_stat_* within a second
    after = snapshot(args)
    calls_after = statement_calls()
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        sys.stderr.write(f"measure.py: {' '.join(command)} exited {out.returncode}:\n"
                         f"{out.stderr}")
        return 1
    result = json.loads(lines[-1])
    ops = max(result.get("count", 0), 1)
    per_op = {}
    for name in ("broker", "vendor", "postgres"):
        per_op[name] = {
            "user_ms": (after[name][0] - before[name][0]) * 1000 / ops,
            "sys_ms": (after[name][1] - before[name][1]) * 1000 / ops,
        }
    per_op["loadgen"] = {"user_ms": usage.ru_utime * 1000 / ops,
                         "sys_ms": usage.ru_stime * 1000 / ops}
    result["cpu_per_op"] = per_op
    result["broker_rss_kb_before"] = before["broker_rss_kb"]
    result["broker_rss_kb_after"] = after["broker_rss_kb"]
    for name in ("commits", "statements", "wal_flushes", "broker_switches", "tcp_opens"):
        if before[name] is not None and after[name] is not None:
            result[f"{name}_per_op"] = (after[name] - before[name]) / ops
    # The statements behind the count, most frequent first.
    per_statement = sorted(((n - calls_before.get(text, 0)) / ops, text)
                           for text, n in calls_after.items())
    result["statements"] = [{"per_op": round(n, 2), "statement": text}
                            for n, text in reversed(per_statement) if n >= 0.01][:15]
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
