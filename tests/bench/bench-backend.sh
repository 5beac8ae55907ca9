#!/bin/bash
#
# bench-backend.sh - cost of wrapping: wall time and peak RSS of printing a
# large job through "upa" wrapping the CUPS socket backend, versus the socket
# backend directly, in the same run, to a local TCP sink.  Prints figures
# only; asserts nothing about time (targets, issue 17: <= 3% added wall
# time, <= 3 MiB added private memory (USS)).
#
# Usage: tests/bench/bench-backend.sh [MEGABYTES] [RUNS]
#   top_builddir (default: the source tree) must hold backend/upa; the socket
#   backend comes from CUPS_SERVERBIN (default /usr/lib/cups; Debian package
#   "cups").  Needs python3 for the sink.
#
# Runs alternate (direct, upa, direct, upa, ...) so both see the same machine
# state; the medians are compared.  upa runs warm, as under cupsd: the
# launcher hands the job to a guardian (a fork of a waiting upa-backend,
# socket folder in the scratch folder), which runs the socket backend.  So
# GNU time's peak RSS of upa is the launcher's alone; what wrapping adds is
# the launcher and the guardian, whose private (USS) and proportional (PSS)
# memory is read from /proc while they wrap a backend that sleeps.  The job
# is a 7-argument (file) job and, with STDIN=1, a 6-argument (stdin) job.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${CUPS_SERVERBIN:=/usr/lib/cups}"

megabytes=${1:-100}
runs=${2:-5}
socket="$CUPS_SERVERBIN/backend/socket"

# A program of this build: the real one behind a libtool wrapper script.
built()
{
  local path="$top_builddir/backend/$1"

  if [ -f "$path" ] && head -c 4096 "$path" | grep -q 'libtool wrapper'; then
    path="$(dirname "$path")/.libs/$1"
  fi
  echo "$path"
}

upa=$(built upa)
# The launcher (backend/upa) runs this build's upa-backend and signal relay,
# not the installed ones.
: "${UPA_BACKEND_PROGRAM:=$(built upa-backend)}"
: "${UPA_SIGRELAY:=$(built upa-sigrelay)}"
export UPA_BACKEND_PROGRAM UPA_SIGRELAY

for prog in "$upa" "$UPA_BACKEND_PROGRAM" "$socket" /usr/bin/time python3; do
  if ! command -v "$prog" >/dev/null 2>&1; then
    echo "bench-backend: $prog is missing" >&2
    exit 77
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-backend.XXXXXX")
# The backend drops to lp, which runs the real backend from here.
chmod 0755 "$work"
# Warm runs, as under cupsd: the launcher hands each job to a guardian
# forked by a waiting upa-backend, which leaves once this folder is gone.
UPA_WARM_DIR="$work/warm"
mkdir -m 0700 "$UPA_WARM_DIR"
export UPA_WARM_DIR
sink_pid=
cleanup()
{
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The printer: accept connections forever, read each to EOF, count bytes.
cat >"$work/sink.py" <<'EOF'
import socket, sys
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
with open(sys.argv[1], "w") as f:
    f.write(str(srv.getsockname()[1]))
while True:
    conn, _ = srv.accept()
    total = 0
    while True:
        data = conn.recv(1 << 20)
        if not data:
            break
        total += len(data)
    with open(sys.argv[2], "a") as f:
        f.write("%d\n" % total)
    conn.close()
EOF
python3 "$work/sink.py" "$work/port" "$work/received" &
sink_pid=$!
for ((i = 0; i < 50; i ++)); do
  [ -s "$work/port" ] && break
  sleep 0.1
done
port=$(cat "$work/port")
real_uri="socket://127.0.0.1:$port/?snmp=false"

# Like cupsd, give every backend a back channel (fd 3) and a side channel
# (fd 4) that stay silent; otherwise the print file lands on fd 3 or 4 and
# the socket backend reads it as a channel.
mkfifo "$work/bc" "$work/sc"

head -c "$((megabytes * 1024 * 1024))" /dev/urandom >"$work/job.prn"
size=$(stat -c %s "$work/job.prn")
echo "job: $size bytes, sink on 127.0.0.1:$port, $runs runs each, alternating"
echo "socket backend: $socket"
echo "upa backend:    $upa"

# run_one WHICH -> appends "ms tree_kib upa_kib" to $work/WHICH (no $(...):
# a subshell would run the EXIT trap)
run_one()
{
  local which=$1
  local uri
  local prog
  local pid
  local start
  local end
  local -a args

  if [ "$which" = upa ]; then
    prog=$upa
    uri="upa://6f1c2d3e-0000-4000-8000-000000000001/$real_uri"
  else
    prog=$socket
    uri=$real_uri
  fi
  args=(1 bench "bench job" 1 "")
  [ "${STDIN:-0}" = 1 ] || args+=("$work/job.prn")

  start=$(date +%s%N)
  if [ "${STDIN:-0}" = 1 ]; then
    env DEVICE_URI="$uri" CUPS_SERVERBIN="$CUPS_SERVERBIN" UPA_CONFIG=/nonexistent \
      /usr/bin/time -f '%M' -o "$work/time" "$prog" "${args[@]}" <"$work/job.prn" 2>"$work/stderr" 3<>"$work/bc" 4<>"$work/sc" &
  else
    env DEVICE_URI="$uri" CUPS_SERVERBIN="$CUPS_SERVERBIN" UPA_CONFIG=/nonexistent \
      /usr/bin/time -f '%M' -o "$work/time" "$prog" "${args[@]}" </dev/null 2>"$work/stderr" 3<>"$work/bc" 4<>"$work/sc" &
  fi
  pid=$!

  wait "$pid" || { echo "bench-backend: $which failed:" >&2; cat "$work/stderr" >&2; exit 1; }
  end=$(date +%s%N)

  echo "$(( (end - start) / 1000000 )) $(tail -n 1 "$work/time")" >>"$work/$which"
}

median()
{
  sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}

: >"$work/direct"
: >"$work/upa"
for ((run = 1; run <= runs; run ++)); do
  run_one direct
  run_one upa
  echo "run $run: direct $(tail -n 1 "$work/direct" | cut -d' ' -f1) ms, upa $(tail -n 1 "$work/upa" | cut -d' ' -f1) ms"
done

# The wrapper's own peak RSS: GNU time reports the maximum over a process and
# its children, so wrap a no-op backend (the print data never passes
# through upa, so its footprint does not depend on the job).
mkdir -p "$work/serverbin/backend"
ln -s /bin/true "$work/serverbin/backend/noop"
: >"$work/alone"
for ((run = 1; run <= runs; run ++)); do
  env DEVICE_URI="upa://6f1c2d3e-0000-4000-8000-000000000001/noop://x" CUPS_SERVERBIN="$work/serverbin" UPA_CONFIG=/nonexistent \
    /usr/bin/time -f '%M' -o "$work/time" "$upa" 1 bench "bench job" 1 "" "$work/job.prn" </dev/null 2>/dev/null 3<>"$work/bc" 4<>"$work/sc"
  tail -n 1 "$work/time" >>"$work/alone"
done
/usr/bin/time -f "%M" -o "$work/time" /bin/true
true_kib=$(tail -n 1 "$work/time")

# Resident pages are mostly shared libraries (libc, libcups, libcrypto...)
# that the real backend and every other process map too: what wrapping
# really costs is upa's private memory (USS) and its proportional share
# (PSS), read from /proc while it waits for a backend that sleeps.
printf '#!/bin/sh\nexec sleep 1.0123\n' >"$work/serverbin/backend/nap"
chmod 0755 "$work/serverbin/backend/nap"
env DEVICE_URI="upa://6f1c2d3e-0000-4000-8000-000000000001/nap://x" CUPS_SERVERBIN="$work/serverbin" UPA_CONFIG=/nonexistent \
  "$upa" 1 bench "bench job" 1 "" "$work/job.prn" </dev/null 2>/dev/null 3<>"$work/bc" 4<>"$work/sc" &
nap_pid=$!
sleep 0.5
# The job's processes: the launcher cupsd waits for, and the guardian (the
# parent of the real backend, a child of the waiting upa-backend)
guard_pid=$(ps -o ppid= -p "$(pgrep -xf 'sleep 1.0123' | head -n 1)" 2>/dev/null | tr -d ' ')
uss_kib=$(cat "/proc/$nap_pid/smaps_rollup" "/proc/$guard_pid/smaps_rollup" 2>/dev/null | awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}')
pss_kib=$(cat "/proc/$nap_pid/smaps_rollup" "/proc/$guard_pid/smaps_rollup" 2>/dev/null | awk '/^Pss:/ {s += $2} END {print s}')
guard_rss=$(awk '/^VmRSS/ {print $2}' "/proc/$guard_pid/status" 2>/dev/null)
wait "$nap_pid" || true

# Every byte arrived, every time.
sleep 0.2
bad=$(grep -vcx "$size" "$work/received" || true)
sort "$work/received" | uniq -c | sed "s/^/# sink: /" >&2
if [ "$bad" != 0 ]; then
  echo "bench-backend: $bad job(s) did not arrive complete at the sink" >&2
  exit 1
fi

d_ms=$(awk '{print $1}' "$work/direct" | median)
u_ms=$(awk '{print $1}' "$work/upa" | median)
d_kib=$(awk '{print $2}' "$work/direct" | median)
t_kib=$(awk '{print $2}' "$work/upa" | median)
w_kib=$(median <"$work/alone")

echo "---"
echo "median wall time: direct $d_ms ms, through upa $u_ms ms, added $((u_ms - d_ms)) ms ($(awk -v d="$d_ms" -v u="$u_ms" 'BEGIN {printf "%+.1f", d ? (u - d) * 100 / d : 0}')%)"
echo "peak RSS: socket backend $d_kib KiB; the upa launcher $t_kib KiB (the socket backend runs under the guardian, not under it)"
echo "added RSS: the launcher itself $w_kib KiB ($(awk -v w="$w_kib" 'BEGIN {printf "%.2f", w / 1024}') MiB; $true_kib KiB of it is any process's minimum, cf. true(1)); the guardian ${guard_rss:-?} KiB"
echo "added memory, not counting shared library pages twice (launcher + guardian): USS $uss_kib KiB ($(awk -v w="$uss_kib" 'BEGIN {printf "%.2f", w / 1024}') MiB), PSS $pss_kib KiB"
echo "targets: <= 3% added wall time, <= 3 MiB added private memory (USS of launcher + guardian)"
