#!/bin/bash
#
# bench-connector.sh - direct printing figures (issue 18): direct job
# submitted -> first byte at the printer (p50/p99 over LAT jobs, one
# device), then one upa-sync service holding the event channels of N
# registered devices: its RSS, its CPU while idle, and the latency of a job
# for one of them.  Prints figures only; asserts nothing about time.
#
# Usage: tests/bench/bench-connector.sh [N] [LAT] [IDLE-SECONDS] [DRAIN]
#   (defaults 1000, 50, 60, 30); needs root and a build in $top_builddir.
#   DRAIN direct jobs waiting in the cloud are timed until all are printed,
#   against as many plain jobs waiting in the same queue, printed by the same
#   backend ("ratio drain direct/plain", goal >= 0.9: what the connector
#   adds), and against as many waiting in a queue of the bare capture
#   backend ("ratio drain direct/bare", no goal: the connector and the upa
#   backend's wrapping together), in BENCH_CONNECTOR_ROUNDS rounds (default
#   5) that take turns; the ratios are of the medians.
#   Registering N devices costs N RSA-2048 keys and N CUPS queues (minutes
#   for 1000 on a small machine).  BENCH_CONNECTOR_SETTLE (default 30) is
#   the wait between "all subscribed" and the idle window.  BENCH_CONNECTOR_HOOK, when set, is a
#   command run with the service's pid after the idle figure (strace -c,
#   perf record, a copy of /proc/PID/smaps...); the job figures follow it.
#   BENCH_CONNECTOR_H2=1 puts an HTTP/2 front (nghttpx) between the service
#   and the emulator (see below); needs the nghttp2-proxy package.
#
# "First byte at the printer" runs from the moment the emulator made the
# job visible (the createdMs of its answer to POST /sim/jobs: the cloud has
# the job and has sent the event) until the capture backend wrote the job
# (its output file's modification time): event (job-fetchable) ->
# Fetch-Job -> held CUPS job -> Fetch-Document -> Acknowledge-Job -> release
# -> cupsd -> upa backend -> capture.  Both ends are read off the clock the
# job itself set, not when the benchmark looked: on a fast machine the job
# is printed before the upload's answer reaches the curl process.  The same
# run measures plain CUPS on the same kind of queue (lp of the same PDF to a
# capture queue, from lp's start to its output's modification time) as the
# baseline, and prints the ratio: on a small machine cupsd alone takes a
# few hundred ms to start a job.  The upload itself (a curl process and its
# TLS handshake) is shown apart; the wait loop forks nothing, so it does
# not slow what it measures.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

ndev=${1:-1000}
nlat=${2:-50}
idle=${3:-60}
ndrain=${4:-30}
drain_rounds=${BENCH_CONNECTOR_ROUNDS:-5}
UPACTL="$top_builddir/tools/upactl"
ONEPAGE="$top_srcdir/tests/data/hello.pdf"

upa_need_program "$UPACTL"
upa_need_program "$top_builddir/backend/upa"

# One connection (and descriptor) per channel, on both sides
ulimit -n $((ndev * 2 + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

upa_tmpdir
# (--save-interval: see bench-throughput.sh)
cloudsim_start --connection-limit $((ndev + 256)) --save-interval 1000 >/dev/null
upa_write_config "LogLevel warn" >/dev/null
# A server trusts the system's CA bundle (about 140 CAs), not one emulator
# CA: memory per connection depends on it (lib/http.c shares one store)
if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  cat /etc/ssl/certs/ca-certificates.crt "$UPA_SIM_CA" >"$BASE/ca-bundle.pem"
  sed -i "s|^CAFile .*|CAFile $BASE/ca-bundle.pem|" "$UPA_CONFIG"
fi
# BENCH_CONNECTOR_H2=1: the service reaches the emulator through an HTTP/2
# front (nghttpx, Debian's nghttp2-proxy), as it would reach a cloud that
# speaks HTTP/2: libcurl then carries many channels' requests as streams of
# one TLS connection.  The emulator itself speaks HTTP/1.1 only.
if [ "${BENCH_CONNECTOR_H2:-0}" = 1 ]; then
  command -v nghttpx >/dev/null || upa_fatal "BENCH_CONNECTOR_H2=1 needs nghttpx (apt-get install nghttp2-proxy)"
  h2_port=$(upa_free_port) || upa_fatal "no free port"
  nghttpx --conf=/dev/null --daemon --pid-file="$BASE/nghttpx.pid" -n 1 --no-ocsp \
    -f"127.0.0.1,$h2_port" -b"127.0.0.1,$UPA_SIM_PORT;;tls;sni=localhost" --cacert="$UPA_SIM_CA" \
    --backend-read-timeout=90s --backend-write-timeout=90s \
    --frontend-http2-read-timeout=10m --frontend-read-timeout=10m --frontend-keep-alive-timeout=10m \
    --errorlog-file="$BASE/log/nghttpx.log" --accesslog-file=/dev/null \
    "$(dirname "$UPA_SIM_CA")/server.key" "$(dirname "$UPA_SIM_CA")/server.pem" 2>>"$BASE/log/nghttpx.log" || upa_fatal "nghttpx did not start (log: $BASE/log/nghttpx.log)"
  upa_at_exit 'kill $(cat "$BASE/nghttpx.pid") 2>/dev/null'
  upa_wait_for 10 curl -s -o /dev/null --cacert "$UPA_SIM_CA" "https://127.0.0.1:$h2_port/" || upa_fatal "nghttpx does not answer"
  sed -i "s|^PrintURL .*|PrintURL https://127.0.0.1:$h2_port|" "$UPA_CONFIG"
  echo "HTTP/2: the print service (PrintURL) is reached through nghttpx on port $h2_port"
fi
cupsd_start >/dev/null
# cupsd's LogLevel debug costs every job, and a linked job's backend writes
# more lines than a plain one: a server runs with warn (as bench-throughput.sh).
sed -i 's/^LogLevel debug/LogLevel warn/' "$BASE/cupsd.conf"
cupsd_kill
cupsd_restart || upa_fatal "cupsd restart"

# A descriptor nothing is ever written to: "read -t" on it sleeps without a fork.
exec {nap_fd}<> <(:)

# Milliseconds now, from bash itself (no "date" process).  now_ms prints
# them; now_ms_set sets NOW_MS without the fork of a $(...).
now_ms_set()
{
  local t=${EPOCHREALTIME/[.,]/}

  NOW_MS=$((10#$t / 1000))
}

now_ms()
{
  now_ms_set
  echo "$NOW_MS"
}

# Percentile of the numbers on stdin (nearest rank).
percentile()
{
  sort -n | awk -v p="$1" '{v[NR] = $1} END {i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i]}'
}

# Set PRINTED to the number of capture files in DIR: the capture backend
# renames a job's file into place once it is written.  printed_count [DIR]
# prints it (default $BASE/out).
printed_set()
{
  local -a files=("$1"/job-*.out)

  [ -e "${files[0]}" ] || files=()
  PRINTED=${#files[@]}
}

printed_count()
{
  printed_set "${1:-$BASE/out}"
  echo "$PRINTED"
}

# Wait until more than BEFORE capture files are in DIR; fails after 120 s
# from T0.  The loop forks nothing (an earlier version ran "date" every
# 2 ms: a third of the machine's CPU during the drain, which it slowed).
wait_printed()
{
  local dir=$1
  local before=$2
  local t0=$3

  while :; do
    printed_set "$dir"
    ((PRINTED > before)) && return 0
    now_ms_set
    ((NOW_MS - t0 > 120000)) && return 1
    read -r -t 0.002 -u "$nap_fd" 2>/dev/null || :
  done
}

# Print the modification time (epoch ms) of the newest capture file in DIR.
newest_ms()
{
  local -a files=("$1"/job-*.out)
  local newest

  newest=$(stat -c '%.3Y' "${files[@]}" | sort -n | tail -n 1) || return 1
  echo "${newest/./}"
}

# Submit a direct job to a device; print ms from the moment the emulator
# made it visible (createdMs) until its capture file was written (the
# upload's own ms go to $BASE/upload).
first_byte_ms()
{
  local dev=$1
  local tag=$2
  local before
  local reply
  local created
  local t0
  local t1

  before=$(printed_count)
  t0=$(now_ms)
  reply=$(sim_curl "/sim/jobs?user=bench%40contoso.com&name=$tag.pdf&format=application%2Fpdf&printer=$(upa_urlencode "$dev")" \
          -X POST -H "Content-Type: application/pdf" --data-binary "@$ONEPAGE") || upa_fatal "submit: $reply"
  t1=$(now_ms)
  created=$(jq -er '.createdMs' <<<"$reply") || upa_fatal "no createdMs in the emulator's answer: $reply"
  echo $((t1 - t0)) >>"$BASE/upload"
  wait_printed "$BASE/out" "$before" "$t1" || { echo timeout; return 1; }
  echo $(($(newest_ms "$BASE/out") - created))
}

# lp the same PDF to a plain capture queue; print ms from lp's start until
# its capture file was written.
plain_ms()
{
  local before
  local t0

  before=$(printed_count "$BASE/plain")
  t0=$(now_ms)
  lp -d Plain -t plain "$ONEPAGE" >/dev/null || upa_fatal "lp"
  wait_printed "$BASE/plain" "$before" "$t0" || { echo timeout; return 1; }
  echo $(($(newest_ms "$BASE/plain") - t0))
}

start_service()
{
  "$UPACTL" sync --watch --interval 86400 >"$BASE/log/watch.log" 2>&1 &
  WATCH_PID=$!
  upa_at_exit 'kill $WATCH_PID 2>/dev/null; wait $WATCH_PID 2>/dev/null'
}

subscribed()
{
  grep -q "Direct printing: $1 of $1 channels\? subscribed" "$BASE/log/watch.log"
}

cpu_ticks()
{
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# cpu_mark, then cpu_sample NAME: add the busy ticks of the machine, the
# emulator, the service and cupsd in between to CPU[NAME.all], CPU[NAME.sim],
# CPU[NAME.svc] and CPU[NAME.cupsd].
declare -A CPU=()

cpu_now()
{
  echo $(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat) \
    $(cpu_ticks "$CLOUDSIM_PID") $(cpu_ticks "$WATCH_PID") $(cpu_ticks "$CUPSD_PID")
}

cpu_mark()
{
  CPU_MARK=($(cpu_now))
}

cpu_sample()
{
  local -a now=($(cpu_now))
  local k i=0

  for k in all sim svc cupsd; do
    CPU[$1.$k]=$((${CPU[$1.$k]:-0} + now[i] - CPU_MARK[i]))
    i=$((i + 1))
  done
}

rss_kib()
{
  awk '/^VmRSS/ {print $2}' "/proc/$1/status"
}


#
# Latency: one device, one job at a time...
#

lpadmin -p Bench0 -v "capture:$BASE/out" -E || upa_fatal "lpadmin"
"$UPACTL" register --direct --no-sync Bench0 --admin-token "$UPA_SIM_ADMIN" >"$BASE/register.log" 2>&1 || upa_fatal "upactl register"
dev0=$(lpstat -v Bench0 | sed -n 's,^device for Bench0: upa://\([^/]*\)/.*,\1,p')
start_service
upa_wait_for 90 subscribed 1 || upa_fatal "the service did not subscribe"

: >"$BASE/latency"
: >"$BASE/upload"
: >"$BASE/plain-latency"
mkdir -p "$BASE/plain"
chmod 0777 "$BASE/plain"
lpadmin -p Plain -v "capture:$BASE/plain" -E || upa_fatal "lpadmin Plain"
# Interleaved, so both see the same machine
for ((i = 1; i <= nlat; i ++)); do
  ms=$(first_byte_ms "$dev0" "lat-$i") || upa_fatal "job $i did not print"
  echo "$ms" >>"$BASE/latency"
  ms=$(plain_ms) || upa_fatal "plain job $i did not print"
  echo "$ms" >>"$BASE/plain-latency"
done
p50=$(percentile 50 <"$BASE/latency")
plain50=$(percentile 50 <"$BASE/plain-latency")
echo "direct job in the cloud (visible to printers) -> first byte at the printer (1 device, $nlat jobs, one at a time): p50 $p50 ms, p99 $(percentile 99 <"$BASE/latency") ms, max $(sort -n "$BASE/latency" | tail -n 1) ms"
echo "  plain CUPS, same run: lp of the same PDF -> first byte on a capture queue: p50 $plain50 ms, p99 $(percentile 99 <"$BASE/plain-latency") ms; ratio direct/plain at p50: $(awk -v a="$p50" -v b="$plain50" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
echo "  the upload itself (curl process, TLS handshake, POST /sim/jobs; not counted above): p50 $(percentile 50 <"$BASE/upload") ms"

# Drain: NDRAIN jobs waiting, then printed as fast as each path goes.
# Direct: uploaded while the service is stopped (SIGSTOP: the uploads, a
# curl process each, would otherwise set the pace), timed from SIGCONT until
# all are printed.  Plain: NDRAIN lp to the disabled queue, timed from
# cupsenable until all are printed; "plain" is the same registered queue
# (Bench0: the upa backend wrapping capture; a job without a cloud link
# prints as plain CUPS prints it), "bare" a queue of the capture backend
# alone.  BENCH_CONNECTOR_ROUNDS rounds, the three in turn, so all see the
# same machine; the ratios are of the medians.

# drain_plain QUEUE DIR KIND: one round of NDRAIN plain jobs
drain_plain()
{
  local before t0 i

  before=$(printed_count "$2")
  cupsdisable "$1" || upa_fatal "cupsdisable $1"
  for ((i = 1; i <= ndrain; i ++)); do
    lp -d "$1" -t "drain-$i" "$ONEPAGE" >/dev/null || upa_fatal "lp"
  done
  t0=$(now_ms)
  cpu_mark
  cupsenable "$1" || upa_fatal "cupsenable $1"
  wait_printed "$2" $((before + ndrain - 1)) "$t0" || upa_fatal "the $ndrain $3 jobs did not all print"
  echo $(($(now_ms) - t0)) >>"$BASE/drain-$3"
  cpu_sample "$3"
}

: >"$BASE/drain-direct"
: >"$BASE/drain-plain"
: >"$BASE/drain-bare"
for ((round = 1; round <= drain_rounds; round ++)); do
  before=$(printed_count)
  kill -STOP "$WATCH_PID"
  sim_submit_many "bench@contoso.com" "drain-$round" "$ONEPAGE" "$ndrain" "printer=$dev0" >/dev/null || { kill -CONT "$WATCH_PID"; upa_fatal "submit"; }
  t0=$(now_ms)
  cpu_mark
  kill -CONT "$WATCH_PID"
  wait_printed "$BASE/out" $((before + ndrain - 1)) "$t0" || upa_fatal "the $ndrain direct jobs did not all print"
  echo $(($(now_ms) - t0)) >>"$BASE/drain-direct"
  cpu_sample direct
  drain_plain Bench0 "$BASE/out" plain
  drain_plain Plain "$BASE/plain" bare
done
direct_drain=$(percentile 50 <"$BASE/drain-direct")
# Update-Job-Status per drained job, from the emulator's job histories: 2
# when each job's "processing" goes out before its end.  Counted once the
# cloud has every drained job's end (the sync service delivers 200 ms after
# a record lands; a short plain round after the last direct one is quicker).
drain_pending()
{
  sim_curl /sim/jobs | jq -r '[.jobs[] | select(.name | test("^drain-[0-9]+-[0-9]+[.]pdf$")) | select(.stateCode < 7)] | length'
}
for ((i = 0; i < 100; i ++)); do
  pending=$(drain_pending)
  [ "$pending" = 0 ] && break
  sleep 0.1
done
[ "$pending" = 0 ] || echo "  (the cloud has not heard the end of $pending drained direct jobs after 10 s; counted as they are)"
drain_updates=$(sim_curl /sim/jobs | jq -r '[.jobs[] | select(.name | test("^drain-[0-9]+-[0-9]+[.]pdf$")) | [.history[]? | select(.event == "status")] | length] | if length > 0 then "\(add / length | . * 100 | round / 100) (\(length) jobs)" else "none" end')
plain_drain=$(percentile 50 <"$BASE/drain-plain")
bare_drain=$(percentile 50 <"$BASE/drain-bare")
echo "drain: $ndrain direct jobs waiting in the cloud -> all printed: median $direct_drain ms ($(sort -n "$BASE/drain-direct" | tr '\n' ' '))"
echo "  plain CUPS, same rounds, $ndrain jobs waiting in the disabled queue -> all printed: same queue and backend (upa wrapping capture) median $plain_drain ms ($(sort -n "$BASE/drain-plain" | tr '\n' ' ')); bare capture backend median $bare_drain ms ($(sort -n "$BASE/drain-bare" | tr '\n' ' '))"
echo "  status updates the cloud got per drained direct job (Update-Job-Status): $drain_updates"
# CPU per job while draining (both cores; the last job's tail is not in the
# window): what the emulator, the stand-in for a cloud that runs elsewhere,
# takes from the machine the print path is measured on.
hz=$(getconf CLK_TCK)
for kind in direct plain bare; do
  awk -v k="$kind" -v all="${CPU[$kind.all]}" -v sim="${CPU[$kind.sim]}" -v svc="${CPU[$kind.svc]}" -v cupsd="${CPU[$kind.cupsd]}" -v hz="$hz" -v n=$((ndrain * drain_rounds)) \
    'BEGIN {f = 1000 / hz / n; printf "drain CPU per job, %s: %.1f ms in all (emulator %.1f, service %.1f, cupsd %.1f, the rest %.1f: backends, printer, benchmark)\n", k, all * f, sim * f, svc * f, cupsd * f, (all - sim - svc - cupsd) * f}'
done
echo "ratio drain direct/plain $(awk -v a="$plain_drain" -v b="$direct_drain" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}') (rate of direct printing vs plain CUPS through the same queue and backend, medians of $drain_rounds rounds; goal >= 0.9)"
echo "ratio drain direct/bare $(awk -v a="$bare_drain" -v b="$direct_drain" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}') (vs plain CUPS to the capture backend without the upa backend: the connector and the backend's wrapping together; no goal)"
kill -TERM "$WATCH_PID"; wait "$WATCH_PID" 2>/dev/null

if ((ndev <= 1)); then
  exit 0
fi


#
# N devices in one service...
#

t0=$(now_ms)
for ((i = 1; i < ndev; i ++)); do
  lpadmin -p "Bench$i" -v "capture:$BASE/out" -E || upa_fatal "lpadmin Bench$i"
done
# Registration mostly waits for the cloud's polls: 16 at a time
for ((i = 1; i < ndev; i ++)); do
  echo "Bench$i"
done | xargs -P 16 -n 1 "$UPACTL" register --direct --no-sync --admin-token "$UPA_SIM_ADMIN" >>"$BASE/register.log" 2>&1 ||
  upa_fatal "upactl register failed: $(grep -m 1 'upactl:' "$BASE/register.log")"
echo "set-up: $ndev queues created and registered in $(( ($(now_ms) - t0) / 1000 )) s"

t0=$(now_ms)
start_service
upa_wait_for 600 subscribed "$ndev" || { tail -n 5 "$BASE/log/watch.log"; upa_fatal "the service did not subscribe $ndev channels"; }
echo "one service, $ndev devices: all subscribed within $(( ($(now_ms) - t0) / 1000 )) s (figure rounded up to the 30 s status line), RSS $(( $(rss_kib "$WATCH_PID") / 1024 )) MiB, threads $(awk '/^Threads/ {print $2}' "/proc/$WATCH_PID/status")"

# Idle: no job, channels in long polls (the default sweep, every 300 s and
# spread over the channels, included).  The window starts SETTLE seconds
# after the status line said all were subscribed: the last channels'
# first sweeps and the emulator's own catch-up are not idle.
settle=${BENCH_CONNECTOR_SETTLE:-30}
sleep "$settle"
c0=$(cpu_ticks "$WATCH_PID")
t0=$(now_ms)
sleep "$idle"
c1=$(cpu_ticks "$WATCH_PID")
t1=$(now_ms)
echo "idle CPU over ${idle} s (from ${settle} s after the status line): $(awk -v c=$((c1 - c0)) -v hz="$hz" -v ms=$((t1 - t0)) 'BEGIN {printf "%.2f", 100 * c / hz / (ms / 1000)}')% of one core, RSS $(( $(rss_kib "$WATCH_PID") / 1024 )) MiB"

# A look inside while idle (strace, perf, smaps...): the command in
# BENCH_CONNECTOR_HOOK runs with the service's pid as its argument
if [ -n "${BENCH_CONNECTOR_HOOK:-}" ]; then
  $BENCH_CONNECTOR_HOOK "$WATCH_PID"
fi

# A job for one of them (the last registered, and the first)
devn=$(lpstat -v "Bench$((ndev - 1))" | sed -n 's,^device for [^:]*: upa://\([^/]*\)/.*,\1,p')
: >"$BASE/latency-n"
for ((i = 1; i <= 10; i ++)); do
  if ((i % 2)); then dev=$devn; else dev=$dev0; fi
  ms=$(first_byte_ms "$dev" "many-$i") || upa_fatal "job $i did not print with $ndev devices"
  echo "$ms" >>"$BASE/latency-n"
done
echo "with $ndev devices held: a job for one of them -> first byte: p50 $(percentile 50 <"$BASE/latency-n") ms, max $(sort -n "$BASE/latency-n" | tail -n 1) ms (10 jobs)"
echo "RSS at the end: $(( $(rss_kib "$WATCH_PID") / 1024 )) MiB"
