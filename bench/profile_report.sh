#!/usr/bin/env bash
# Top frames of one perf recording: the broker's (by PID) and PostgreSQL's
# self time, each as a share of that process's own samples, and the share of
# samples by process.
# Usage: bench/profile_report.sh <perf.data> <broker pid>
set -euo pipefail
data=$1 broker=$2
top() { perf report -i "$data" --stdio --no-header -g none "$@" 2>/dev/null |
  grep -E '^ +[0-9.]+%' | head -30; }
echo "== share of samples by process =="
top --sort comm --percent-limit 1
echo "== broker (pid $broker): self time by library =="
top --pid "$broker" --no-children --sort dso --percentage relative --percent-limit 1
echo "== broker: self time by frame =="
top --pid "$broker" --no-children --sort sym --percentage relative --percent-limit 0.8
echo "== postgres: self time by frame =="
top --comm postgres --no-children --sort sym --percentage relative --percent-limit 0.8
