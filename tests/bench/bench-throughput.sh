#!/bin/bash
#
# bench-throughput.sh - per-job cost of cups-upa against plain CUPS, in one
# run, on one private cupsd, with a socket sink as the printer:
#
#   lp-hold        N x "lp -H hold" of a 1-page PDF into the plain queue
#                  (start of the first lp to exit of the last)
#   release        "upa-release --all" of N cloud jobs of the same PDF into
#                  the registered queue (start to exit)
#   lp-print       N x "lp" into the plain queue, start to the last byte at
#                  the sink (socket backend)
#   print-lastbyte the same "upa-release --all", start to the last byte of
#                  the N-th job at the sink (upa backend wrapping socket)
#
# for N = 50 and 500, then the same four shapes for one 64 MiB and one 1 GiB
# document (N = 1).  Every figure is min/median/max over ROUNDS rounds; the
# shapes of a round run one after the other so all see the same machine.
# The last lines are the ratios of the medians:
#
#   ratio release/lp-hold R       submit rate of upa-release relative to lp -H hold
#                                 (lp-hold time / release time; goal >= 0.9, 1 GiB >= 0.95)
#   ratio print-lastbyte/lp-print R  time to the last byte relative to plain lp
#                                 (release time / lp time; goal <= 1.25)
#
# Prints figures only; asserts nothing about time.
#
# --phases splits the two print shapes of N one-page jobs (first round of
# each N) into the steps of each job, from the kernel's process events
# (perf record -e sched:sched_process_exec,sched:sched_process_exit):
#
#   plain  start -> socket exec | socket run | socket exit -> next start
#   upa    start -> upa exec | upa exec -> socket exec | socket run |
#          socket exit -> last upa exit | last upa exit -> next start
#
# "start" is cupsd's cups-exec for the job (both queues are raw: no
# filters); each step is the median over the jobs.  So where a linked job's
# extra milliseconds go is measured, not guessed.  The events cost little,
# but compare --phases runs with --phases runs.
#
# Usage: tests/bench/bench-throughput.sh [--quick] [--phases] [--rounds R] [--sizes "N..."] [--big "MiB..."]
#   --quick: N = 50, 64 MiB, 3 rounds (for iteration).  Defaults: N = 50 500,
#   64 and 1024 MiB, 3 rounds.  Needs root, a build in $top_builddir, python3,
#   the CUPS socket backend and about 3 x the biggest document free under /tmp;
#   --phases needs perf (Debian: apt-get install linux-perf).
#   UPA_BENCH_SYNC=0 runs without the upa-sync service (the backend's
#   fallback flusher then delivers every report).
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

sizes="50 500"
bigs="64 1024"
rounds=3
phases=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) sizes=50; bigs=64; rounds=3 ;;
    --phases) phases=1 ;;
    --rounds) rounds=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    --big) bigs=$2; shift ;;
    *) echo "Usage: $0 [--quick] [--phases] [--rounds R] [--sizes \"N...\"] [--big \"MiB...\"]" >&2; exit 2 ;;
  esac
  shift
done

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
ONEPAGE="$top_srcdir/tests/data/hello.pdf"
: "${CUPS_SERVERBIN:=/usr/lib/cups}"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "$CUPS_SERVERBIN/backend/socket"
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }
if [ "$phases" = 1 ] && ! perf record -q -e sched:sched_process_exit -o /dev/null -- true >/dev/null 2>&1; then
  echo "SKIP: --phases needs perf and its sched tracepoints (Debian: apt-get install linux-perf)"
  exit 77
fi

upa_tmpdir
# The emulator saves its whole state (every job) before each answer: with
# hundreds of jobs that costs more CPU than the operation, on the same two
# cores as what is measured.  The cloud is elsewhere in real life.
cloudsim_start --save-interval 1000 >/dev/null
upa_write_config "LogLevel warn" >/dev/null
cupsd_start >/dev/null
# cupsd's LogLevel debug costs every job; a server runs with warn.
sed -i 's/^LogLevel debug/LogLevel warn/' "$BASE/cupsd.conf"
# cupsd accepts device URIs only of the backends it found at start.
upa_install_backend "$CUPS_SERVERBIN/backend/socket" socket
cupsd_kill
cupsd_restart || upa_fatal "cupsd restart"


#
# The printer: a TCP sink that reads each connection to EOF and appends
# "bytes end-time-ns" per connection, so the time of the last byte is the
# sink's, not that of whoever polls the file...
#

cat >"$BASE/sink.py" <<'EOF'
import socket, sys, time
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
    conn, _ = srv.accept()
    total = 0
    while True:
        data = conn.recv(1 << 20)
        if not data:
            break
        total += len(data)
    out.write("%d %d\n" % (total, time.time_ns()))
    conn.close()
EOF
: >"$BASE/sink.log"
python3 "$BASE/sink.py" "$BASE/sink.port" "$BASE/sink.log" </dev/null >/dev/null 2>&1 &
SINK_PID=$!
upa_watchdog "$SINK_PID"
upa_at_exit 'kill "$SINK_PID" 2>/dev/null'
upa_wait_for 10 test -s "$BASE/sink.port" || upa_fatal "sink did not start"
SINK="socket://127.0.0.1:$(cat "$BASE/sink.port")/?snmp=false"

lpadmin -p Plain -v "$SINK" -E || upa_fatal "lpadmin Plain"
lpadmin -p Upa -v "$SINK" -E || upa_fatal "lpadmin Upa"
"$UPACTL" register Upa --admin-token "$UPA_SIM_ADMIN" >"$BASE/register.log" 2>&1 || upa_fatal "upactl register: $(tail -n 1 "$BASE/register.log")"

# The sync service delivers the backend's reports, as on a server.
SYNC_PID=
if [ "${UPA_BENCH_SYNC:-1}" = 1 ] && "$UPACTL" sync --help 2>&1 | grep -q -- '--watch'; then
  "$UPACTL" sync --watch >"$BASE/log/sync.log" 2>&1 </dev/null &
  SYNC_PID=$!
  upa_watchdog "$SYNC_PID"
  upa_at_exit 'kill "$SYNC_PID" 2>/dev/null; wait "$SYNC_PID" 2>/dev/null'
fi

now_ns()
{
  date +%s%N
}

# A descriptor nobody writes to: "read -t" on it sleeps without a fork.
exec {NAP_FD}<> <(:)

# Wait until the sink has logged COUNT connections; print the end time (ns)
# of the COUNT-th.  The loop forks nothing: a "wc" and a "sleep" every
# 20 ms took CPU from the jobs being timed on a small machine.
sink_wait()
{
  local count=$1
  local deadline=$((SECONDS + 1800))
  local -a lines

  for (( ; ; )); do
    mapfile -t lines <"$BASE/sink.log"
    [ "${#lines[@]}" -ge "$count" ] && break
    ((SECONDS < deadline)) || upa_fatal "sink: ${#lines[@]} of $count jobs arrived"
    read -r -t 0.02 -u "$NAP_FD" || true
  done
  echo "${lines[count - 1]#* }"
}

# phases_start NAME ... phases_stop: record the kernel's process events
# while a shape runs (--phases); phases_report NAME prints each job's steps.
PERF_PID=
phases_start()
{
  perf record -q -a -e sched:sched_process_exec -e sched:sched_process_exit \
    -o "$BASE/phases-$1.data" >/dev/null 2>&1 &
  PERF_PID=$!
  upa_watchdog "$PERF_PID"
  # Recording once the file has its header
  upa_wait_for 10 test -s "$BASE/phases-$1.data" || upa_fatal "perf record did not start"
}

phases_stop()
{
  [ -n "$PERF_PID" ] || return 0
  kill -INT "$PERF_PID"
  wait "$PERF_PID" 2>/dev/null
  PERF_PID=
}

phases_report()
{
  [ -s "$BASE/phases-$1.data" ] || return 0
  perf script -i "$BASE/phases-$1.data" -F pid,time,event,trace 2>/dev/null |
    python3 "$BASE/phases.py" "$1"
}

cat >"$BASE/phases.py" <<'EOF'
import re, statistics, sys
# "pid time: event: trace" lines of sched_process_exec/exit, in time order
pat = re.compile(r"^\s*(\d+)\s+([\d.]+):\s+(\S+):\s*(.*)$")
jobs = {}                       # cups-exec pid -> times of its job's steps
order = []                      # cups-exec pids, in order
for line in sys.stdin:
    m = pat.match(line)
    if not m:
        continue
    pid, t, event, trace = int(m.group(1)), float(m.group(2)) * 1000, m.group(3), m.group(4)
    if event.endswith("sched_process_exec"):
        base = trace.split("filename=")[1].split()[0].rsplit("/", 1)[-1]
        if base == "cups-exec":
            jobs[pid] = {"start": t}
            order.append(pid)
        elif pid in jobs and base in ("upa", "socket"):
            # cups-exec becomes the job's backend (same pid)
            jobs[pid].setdefault(base + "-exec", t)
        elif base == "socket" and order:
            # the real backend, started by the upa backend of the last job
            jobs[order[-1]].setdefault("socket-exec", t)
    elif event.endswith("sched_process_exit") and order:
        comm = trace.split("comm=")[1].split()[0]
        # jobs of a queue run one at a time: an exit belongs to the last job
        # started (the upa backend's guardian and the real backend are its)
        if comm in ("upa", "socket"):
            jobs[order[-1]][comm + "-exit"] = t
rows = {"plain": [], "upa": []}
for i in range(len(order) - 1):
    j, n = jobs[order[i]], jobs[order[i + 1]]
    if "socket-exec" not in j or "socket-exit" not in j:
        continue
    if "upa-exec" in j and "upa-exit" in j:
        rows["upa"].append((j["upa-exec"] - j["start"], j["socket-exec"] - j["upa-exec"],
                            j["socket-exit"] - j["socket-exec"], j["upa-exit"] - j["socket-exit"],
                            n["start"] - j["upa-exit"], n["start"] - j["start"]))
    elif "upa-exec" not in j:
        rows["plain"].append((j["socket-exec"] - j["start"], j["socket-exit"] - j["socket-exec"],
                              n["start"] - j["socket-exit"], n["start"] - j["start"]))
steps = {"plain": ["start -> socket exec", "socket run", "socket exit -> next start", "period"],
         "upa": ["start -> upa exec", "upa exec -> socket exec", "socket run",
                 "socket exit -> last upa exit", "last upa exit -> next start", "period"]}
for kind in ("plain", "upa"):
    r = rows[kind]
    if not r:
        continue
    print("phases %s: %d jobs (median ms, p25-p75)" % (sys.argv[1], len(r)))
    for k, label in enumerate(steps[kind]):
        v = sorted(x[k] for x in r)
        print("  %-30s %6.1f  (%.1f-%.1f)" % (label, statistics.median(v), v[len(v) // 4], v[3 * len(v) // 4]))
EOF

# Wait until a queue has no unfinished jobs.
queue_idle()
{
  upa_wait_for 1800 sh -c "[ -z \"\$(lpstat -o '$1' 2>/dev/null)\" ]" || upa_fatal "queue $1 did not drain"
}

# Milliseconds between two ns stamps.
ms()
{
  echo $((($2 - $1) / 1000000))
}

# record SHAPE MS: append a figure.
record()
{
  echo "$2" >>"$BASE/fig.$1"
}

# summary SHAPE LABEL: print min/median/max (ms) of a shape.
summary()
{
  sort -n "$BASE/fig.$1" | awk -v label="$2" '
    {v[NR] = $1}
    END {printf "%-38s min %7d  median %7d  max %7d ms  (%d rounds)\n", label, v[1], v[int((NR + 1) / 2)], v[NR], NR}'
}

median()
{
  sort -n "$BASE/fig.$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

# One round of the four shapes for COUNT copies of FILE (cloud name NAME).
round()
{
  local tag=$1
  local count=$2
  local file=$3
  local user="bench-$tag@contoso.com"
  local i
  local t0
  local t1
  local seen
  local end
  local trace=${4:-0}

  # lp -H hold x COUNT, then cancel them (never printed)
  t0=$(now_ns)
  for ((i = 0; i < count; i ++)); do
    lp -d Plain -H hold -t "hold-$i" "$file" >/dev/null || upa_fatal "lp -H hold"
  done
  t1=$(now_ns)
  record "$tag.lp-hold" "$(ms "$t0" "$t1")"
  cancel -a Plain
  queue_idle Plain

  # lp x COUNT to the last byte
  [ "$trace" = 1 ] && phases_start "$tag-plain"
  seen=$(wc -l <"$BASE/sink.log")
  t0=$(now_ns)
  for ((i = 0; i < count; i ++)); do
    lp -d Plain -t "print-$i" "$file" >/dev/null || upa_fatal "lp"
  done
  end=$(sink_wait $((seen + count)))
  record "$tag.lp-print" "$(ms "$t0" "$end")"
  queue_idle Plain
  phases_stop

  # upa-release --all of COUNT cloud jobs: into CUPS, and to the last byte
  for ((i = 0; i < count; i ++)); do
    if [ "$count" = 1 ]; then
      # curl -T streams the upload (sim_submit would load it whole)
      sim_curl "/sim/jobs?user=$(upa_urlencode "$user")&name=big.pdf&format=application%2Fpdf" -X POST \
        --max-time 1800 -H "Content-Type: application/pdf" -T "$file" >/dev/null || upa_fatal "submit big"
    else
      sim_submit "$user" "job-$i.pdf" "$file" >/dev/null || upa_fatal "submit"
    fi
  done
  [ "$trace" = 1 ] && phases_start "$tag-upa"
  seen=$(wc -l <"$BASE/sink.log")
  t0=$(now_ns)
  "$RELEASE" --printer Upa --user "$user" --all --json >"$BASE/release.json" 2>"$BASE/release.err" ||
    upa_fatal "upa-release: $(tail -n 1 "$BASE/release.err")"
  t1=$(now_ns)
  [ "$(jq -r .released "$BASE/release.json")" = "$count" ] || upa_fatal "released $(jq -r .released "$BASE/release.json") of $count"
  end=$(sink_wait $((seen + count)))
  record "$tag.release" "$(ms "$t0" "$t1")"
  record "$tag.print-lastbyte" "$(ms "$t0" "$end")"
  queue_idle Upa
  phases_stop
}

report()
{
  local tag=$1
  local what=$2

  summary "$tag.lp-hold" "$what: lp -H hold"
  summary "$tag.release" "$what: upa-release --all"
  summary "$tag.lp-print" "$what: lp, to the last byte"
  summary "$tag.print-lastbyte" "$what: released, to the last byte"
}

echo "# bench-throughput: sizes [$sizes] x 1-page PDF, big [$bigs] MiB, $rounds rounds, sync service: $([ -n "$SYNC_PID" ] && echo running || echo off)"
tags=""
for n in $sizes; do
  for ((r = 1; r <= rounds; r ++)); do
    round "n$n" "$n" "$ONEPAGE" "$([ "$r" = 1 ] && echo "$phases")"
  done
  report "n$n" "$n jobs"
  tags="$tags n$n"
done
for mib in $bigs; do
  # A PDF in name only: raw queues pass it through unfiltered.
  head -c "$((mib * 1024 * 1024))" /dev/urandom >"$BASE/big-$mib.pdf"
  for ((r = 1; r <= rounds; r ++)); do
    round "m$mib" 1 "$BASE/big-$mib.pdf"
  done
  rm -f "$BASE/big-$mib.pdf"
  report "m$mib" "$mib MiB"
  tags="$tags m$mib"
done

if [ "$phases" = 1 ]; then
  for n in $sizes; do
    phases_report "n$n-plain"
    phases_report "n$n-upa"
  done
fi

for tag in $tags; do
  case "$tag" in
    n*) what="${tag#n} jobs" ;;
    m*) what="${tag#m} MiB" ;;
  esac
  awk -v w="$what" -v a="$(median "$tag.lp-hold")" -v b="$(median "$tag.release")" \
    'BEGIN {printf "ratio release/lp-hold %.2f (%s: rate of upa-release vs lp -H hold)\n", (b > 0 ? a / b : 0), w}'
  awk -v w="$what" -v a="$(median "$tag.lp-print")" -v b="$(median "$tag.print-lastbyte")" \
    'BEGIN {printf "ratio print-lastbyte/lp-print %.2f (%s: released vs lp, to the last byte)\n", (a > 0 ? b / a : 0), w}'
done
