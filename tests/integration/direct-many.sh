#!/bin/bash
#
# direct-many.sh - direct printing for many devices in one service (issue
# 18): one event thread holds every channel, printing goes to a small
# worker pool (lib/connector.c).
#
# upa-cloudsim, a private cupsd with 20 queues (Many1..Many20) registered
# with "upactl register --direct", all printing to the capture backend, and
# "upactl sync --watch" as the service.  Device tokens live 40 s here, so
# they are renewed (by the workers) while the channels run.  Cases: all 20
# channels subscribe and the service runs a bounded number of threads (not
# one per device); every device's token is renewed and the channels go on;
# one job for each device, sent at once, is printed exactly once each;
# direct printing turned off for five devices while their long polls are in
# flight stops their channels (a job sent to one of them waits in the
# cloud, unclaimed, while the others print) and turning it on again prints
# the waiting job once; SIGTERM with every poll in flight stops the service
# cleanly.  Every wait is for a state, never for a time.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/direct-lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
ALICE=alice@contoso.com
PDF="$top_srcdir/tests/data/hello.pdf"
NDEV=20
# A thread per device would be NDEV+; the connector runs an event thread and
# a fixed pool of workers beside the service's own threads
MAX_THREADS=8
TOKEN_LIFE=40

upa_need_program "$UPACTL"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"

upa_tmpdir
cloudsim_start --token-lifetime "$TOKEN_LIFE"
upa_write_config
cupsd_start


#
# Helpers for this test...
#




# Succeed when N different queues logged a subscription since line FROM.
queues_subscribed()
{
  [ "$(tail -n +"${2:-1}" "$BASE/log/watch.log" | sed -n 's/.*Direct printing on \(Many[0-9]*\): subscription [0-9].*/\1/p' | sort -u | wc -l)" -ge "$1" ]
}

# Succeed when every job id in a file is completed in the cloud.
all_completed()
{
  local job

  while read -r job; do
    sim_job_is "$job" state completed || return 1
  done <"$1"
}

# The cloud device id of a queue.
device_of()
{
  lpstat -v "$1" | sed -n "s,^device for $1: upa://\([^/]*\)/.*,\1,p"
}


upa_at_exit 'stop_service; { [ "$upa_tests_failed" = 0 ] || { echo "# ---- watch.log ----"; tail -n 60 "$BASE/log/watch.log" | sed "s/^/# /"; }; }'


#
# Register NDEV queues with direct printing on...
#

for ((i = 1; i <= NDEV; i ++)); do
  lpadmin -p "Many$i" -v "capture:$BASE/out" -E || upa_fatal "lpadmin Many$i"
done
for ((i = 1; i <= NDEV; i ++)); do
  echo "Many$i"
done | xargs -P 4 -n 1 "$UPACTL" register --direct --no-sync --admin-token "$UPA_SIM_ADMIN" >"$BASE/log/register.log" 2>&1
check "$NDEV queues registered with direct printing" test "$(grep -lx "Direct yes" "$BASE"/state/devices/*/device.conf | wc -l)" = "$NDEV"
for ((i = 1; i <= NDEV; i ++)); do
  dev[i]=$(device_of "Many$i")
  [ -n "${dev[i]}" ] || upa_fatal "Many$i has no upa:// device URI"
done

: >"$BASE/log/watch.log"
start_service 3600
check "the service starts direct printing for $NDEV queues" upa_wait_for "$UPA_WAIT" watch_logged "Direct printing on for $NDEV queues"
check "every channel subscribes" upa_wait_for 90 queues_subscribed "$NDEV"
threads=$(awk '/^Threads/ {print $2}' "/proc/$WATCH_PID/status")
upa_log "service threads with $NDEV channels: $threads"
check "the service runs at most $MAX_THREADS threads for $NDEV channels ($threads)" test "$threads" -le "$MAX_THREADS"
check "every device token ($TOKEN_LIFE s) is renewed while the channels run" \
  upa_wait_for 120 watch_logged "Requesting a device token for" "$NDEV"


#
# One job for every device, all at once: each printed exactly once...
#

: >"$BASE/jobs-all"
for ((i = 1; i <= NDEV; i ++)); do
  doc[i]=$(unique_pdf "all-$i")
  sim_submit "$ALICE" "all-$i.pdf" "${doc[i]}" "printer=${dev[i]}" >>"$BASE/jobs-all" || upa_fatal "submit for Many$i"
done
check "[all] the $NDEV jobs complete in the cloud" upa_wait_for 120 all_completed "$BASE/jobs-all"
bad=
for ((i = 1; i <= NDEV; i ++)); do
  [ "$(copies_of "${doc[i]}")" = 1 ] || bad="$bad Many$i:$(copies_of "${doc[i]}")"
  [ "$(queue_count "Many$i")" = 1 ] || bad="$bad Many$i:cups=$(queue_count "Many$i")"
done
check "[all] each printed exactly once, on its own queue${bad:+ (not:$bad)}" test -z "$bad"


#
# Direct printing off for five devices while their polls are in flight...
#

for ((i = 1; i <= 5; i ++)); do
  "$UPACTL" device set "Many$i" direct off >/dev/null || upa_fatal "device set Many$i direct off"
done
check "[off] the service stops the five channels" upa_wait_for 90 watch_logged "Direct printing off for Many[1-5] " 5
check "[off] ... and says $((NDEV - 5)) queues" upa_wait_for "$UPA_WAIT" watch_logged "Direct printing on for $((NDEV - 5)) queues"
doc_off=$(unique_pdf off-1)
job_off=$(sim_submit "$ALICE" off-1.pdf "$doc_off" "printer=${dev[1]}")
doc_on=$(unique_pdf on-6)
job_on=$(sim_submit "$ALICE" on-6.pdf "$doc_on" "printer=${dev[6]}")
check "[off] a job for a device still on prints" upa_wait_for 60 sim_job_is "$job_on" state completed
check "[off] ... once" test "$(copies_of "$doc_on")" = 1
check "[off] the job for a device turned off waits in the cloud" sim_job_is "$job_off" state pending
check "[off] ... claimed by nobody" sim_job_is "$job_off" acquiredBy null
check "[off] ... and not printed" test "$(copies_of "$doc_off")" = 0

lines=$(wc -l <"$BASE/log/watch.log")
"$UPACTL" device set Many1 direct on >/dev/null || upa_fatal "device set Many1 direct on"
check "[on again] Many1's channel subscribes again" upa_wait_for 90 queues_subscribed 1 "$lines"
check "[on again] the waiting job prints" upa_wait_for 60 sim_job_is "$job_off" state completed
check "[on again] ... once" test "$(copies_of "$doc_off")" = 1


#
# SIGTERM with every long poll in flight...
#

stop_service
check "[stop] the service stops on SIGTERM" grep -q "Stopped watching" "$BASE/log/watch.log"
check "every printed file is a different document" \
  sh -c "test \"\$(md5sum '$BASE'/out/job-*.out | awk '{print \$1}' | sort | uniq -d | wc -l)\" = 0"

finish
