#!/bin/bash
#
# bench-release.sh - release-side figures: badge-to-CUPS-accepted latency
# (p50/p95 over N releases of a 1-page PDF), throughput for M jobs released
# at once, and peak RSS of upa-release streaming a 1 GiB document (with the
# files it holds open meanwhile: no temp copy may appear).  Prints figures
# only; asserts nothing about time.
#
# Usage: tests/bench/bench-release.sh [RELEASES] [JOBS] [BIG-MIB]
#   (defaults 50, 100, 1024); needs root, a build in $top_builddir, and
#   about 3 x BIG-MIB of free space under /tmp (emulator copy, CUPS spool,
#   capture output).
#
# "Badge-to-CUPS-accepted" is measured from the start of a scripting-mode
# upa-release process (recovery check, Get-Jobs, Fetch-Job, held job,
# Fetch-Document, Acknowledge-Job, release) until it reports the CUPS job
# released: program start, configuration, token and TLS handshake included.
# The kiosk does not start a process per tap: it asks the long-lived release
# helper, which tests/bench/bench-helper.sh measures.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

releases=${1:-50}
njobs=${2:-100}
big_mib=${3:-1024}
UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
ONEPAGE="$top_srcdir/tests/data/hello.pdf"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"

upa_tmpdir
cloudsim_start >/dev/null
upa_write_config "LogLevel warn" >/dev/null
cupsd_start >/dev/null
lpadmin -p Bench -v "capture:$BASE/out" -E || upa_fatal "lpadmin"
"$UPACTL" register Bench --admin-token "$UPA_SIM_ADMIN" >"$BASE/register.log" 2>&1 || upa_fatal "upactl register"

now_ms()
{
  echo $(($(date +%s%N) / 1000000))
}

# Percentile of the numbers on stdin (nearest rank).
percentile()
{
  sort -n | awk -v p="$1" '{v[NR] = $1} END {i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i]}'
}


#
# Latency: one job at a time...
#

: >"$BASE/latency"
for ((i = 1; i <= releases; i ++)); do
  job=$(sim_submit "lat@contoso.com" "one-page-$i.pdf" "$ONEPAGE") || upa_fatal "submit"
  t0=$(now_ms)
  "$RELEASE" --printer Bench --user lat@contoso.com --job "$job" >/dev/null 2>>"$BASE/latency.err" || upa_fatal "release $i failed: $(tail -n 1 "$BASE/latency.err")"
  echo $(($(now_ms) - t0)) >>"$BASE/latency"
done
echo "latency (badge to CUPS accepted, 1-page PDF, $releases releases): p50 $(percentile 50 <"$BASE/latency") ms, p95 $(percentile 95 <"$BASE/latency") ms, max $(sort -n "$BASE/latency" | tail -n 1) ms"


#
# Throughput: many jobs, one release...
#

for ((i = 1; i <= njobs; i ++)); do
  sim_submit "tput@contoso.com" "tput-$i.pdf" "$ONEPAGE" >/dev/null || upa_fatal "submit"
done
t0=$(now_ms)
"$RELEASE" --printer Bench --user tput@contoso.com --all --json >"$BASE/tput.json" 2>"$BASE/tput.err"
t1=$(now_ms)
released=$(jq -r .released "$BASE/tput.json")
echo "throughput ($njobs 1-page jobs, one --all): $released released in $((t1 - t0)) ms = $(awk -v n="$released" -v ms="$((t1 - t0))" 'BEGIN {printf "%.1f", n * 1000 / ms}') jobs/s"


#
# Peak RSS and open files while streaming a big document...
#

head -c "$((big_mib * 1024 * 1024))" /dev/urandom >"$BASE/big.bin"
# curl -T streams the upload (sim_submit's --data-binary would load it whole)
job=$(sim_curl "/sim/jobs?user=big%40contoso.com&name=big.bin&format=application%2Foctet-stream" -X POST \
  -H "Content-Type: application/octet-stream" -T "$BASE/big.bin" | jq -er .id) || upa_fatal "submit big"
rm -f "$BASE/big.bin"			# The emulator has its own copy
state_before=$(du -sk "$BASE/state" "$BASE/cache" | awk '{s += $1} END {print s}')

t0=$(now_ms)
UPA_RELEASE_STOP_AT=released "$RELEASE" --printer Bench --user big@contoso.com --job "$job" >/dev/null 2>"$BASE/big.err" &
pid=$!
max_rss=0
max_state=$state_before
files=""
while kill -0 "$pid" 2>/dev/null; do
  if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ]; then
    break				# Stopped after the release: read its high-water mark
  fi
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  [ -n "$rss" ] && [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  for fd in /proc/$pid/fd/*; do
    target=$(readlink "$fd" 2>/dev/null) || continue
    case "$target" in
      /*) [ -f "$target" ] && files="$files"$'\n'"$target" ;;
    esac
  done
  s=$(du -sk "$BASE/state" "$BASE/cache" 2>/dev/null | awk '{s += $1} END {print s}')
  [ "$s" -gt "$max_state" ] && max_state=$s
  sleep 0.2
done
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
t1=$(now_ms)
kill -CONT "$pid" 2>/dev/null
wait "$pid"
rc=$?
echo "big document ($big_mib MiB): exit $rc in $((t1 - t0)) ms ($(awk -v m="$big_mib" -v ms="$((t1 - t0))" 'BEGIN {printf "%.0f", m * 1000 / ms}') MiB/s), peak RSS ${hwm:-?} KiB (VmHWM; sampled max VmRSS $max_rss KiB)"
echo "big document: StateDir+CacheDir grew by $((max_state - state_before)) KiB at most while streaming"
echo "big document: regular files upa-release held open: $(sort -u <<<"$files" | grep . | tr '\n' ' ')"
cancel -a Bench 2>/dev/null
