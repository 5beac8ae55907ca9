#!/bin/bash
#
# backend.sh - the upa backend with the real (private) cupsd and upa-cloudsim.
#
# Queue Floor3 prints through "upa://<id>/fakeprinter:$BASE/out?..." where
# fakeprinter (written below) is a real backend whose behaviour the URI
# options choose: pages=N (PAGE: lines), state=KW (STATE: line), fail=N
# (ERROR: line, exit N), sleep=S (busy printing S seconds).  Cloud jobs come
# in through the real release path (upa-release), so the backend sees what
# it sees in production.  Covered:
#
#   successful job (cloud completed, impressions), real backend failure with
#   printer-error-policy abort-job (cloud aborted with reason and message,
#   CUPS aborted), job canceled mid-print (cloud canceled), cloud failing at
#   completion then back (outbox delivers exactly once, also on replay),
#   STATE: messages reaching the emulator's device attributes, discovery
#   (lpinfo -v), 6- and 7-argument invocations as lp.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="${UPACTL:-$top_builddir/tools/upactl}"
RELEASE="${RELEASE:-$top_builddir/release/upa-release}"
ALICE=alice@contoso.com
PDF="$top_srcdir/tests/data/hello.pdf"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"
command -v jq >/dev/null || { echo "SKIP: needs jq"; exit 77; }

upa_tmpdir
cloudsim_start
upa_write_config
cupsd_start


#
# The fake printer backend (a real backend program for cupsd and upa)...
#

cat >"$BASE/fakeprinter" <<'EOF'
#!/bin/bash
# fakeprinter - test backend: fakeprinter:/dir?pages=N&state=KW&fail=N&sleep=S
if [ $# -eq 0 ]; then
  echo 'direct fakeprinter "Unknown" "Fake printer (tests)"'
  exit 0
fi
uri=${DEVICE_URI:-$0}
rest=${uri#*:}
dir=${rest%%\?*}
query=
case "$rest" in *\?*) query=${rest#*\?} ;; esac
pages=0; state=; fail=; sleeptime=0
IFS='&' read -ra kvs <<<"$query"
for kv in "${kvs[@]}"; do
  case "$kv" in
    pages=*) pages=${kv#pages=} ;;
    state=*) state=${kv#state=} ;;
    fail=*) fail=${kv#fail=} ;;
    sleep=*) sleeptime=${kv#sleep=} ;;
  esac
done
{ echo "argc=$(($# + 1))"; echo "argv0=$0"; echo "uid=$(id -u)"; } >"$dir/job-$1.args"
if [ $# -eq 6 ]; then cat "$6" >"$dir/job-$1.out"; else cat >"$dir/job-$1.out"; fi
echo "STATE: -connecting-to-device" >&2
[ -n "$state" ] && echo "STATE: $state" >&2
for ((i = 1; i <= pages; i ++)); do echo "PAGE: $i 1" >&2; done
if [ -n "$fail" ]; then
  echo "ERROR: fake: paper path jam in tray 2" >&2
  exit "$fail"
fi
if [ "$sleeptime" != 0 ]; then
  trap 'kill $sp 2>/dev/null; echo terminated >"$dir/job-$1.term"; exit 0' TERM
  echo started >"$dir/job-$1.started"
  sleep "$sleeptime" & sp=$!
  wait $sp
fi
echo "INFO: fake: done" >&2
exit 0
EOF
upa_install_backend "$BASE/fakeprinter" fakeprinter


#
# Helpers...
#

# Run a program, keeping its stdout, stderr and exit status in $BASE/run.*.
run()
{
  "$@" >"$BASE/run.out" 2>"$BASE/run.err"
  echo $? >"$BASE/run.rc"
  sed 's/^/# stdout: /' "$BASE/run.out"
  sed 's/^/# stderr: /' "$BASE/run.err"
}

run_rc()
{
  cat "$BASE/run.rc"
}

# Number of Update-Job-Status events of a cloud job with a given state code.
status_events()
{
  sim_curl "/sim/jobs/$1" | jq "[.history[]? | select(.event == \"status\" and .stateCode == $2)] | length"
}

# Point Floor3 at the fake printer with URI options.
set_uri()
{
  lpadmin -p Floor3 -v "upa://$device_id/fakeprinter:$BASE/out${1:+?$1}"
}

# Submit a cloud job for alice and release it at Floor3; sets cloud_job and
# cups_job (call it directly, not through check: that runs in a subshell).
release_one()
{
  cloud_job=$(sim_submit "$ALICE" "$1" "$PDF")
  run "$RELEASE" --printer Floor3 --user "$ALICE" --all
  cups_job=$(lpstat -W all -o Floor3 2>/dev/null | awk '{print $1}' | sed 's/.*-//' | sort -n | tail -n 1)
  upa_log "cloud job $cloud_job -> CUPS job Floor3-$cups_job (release exit $(run_rc))"
}

# Records waiting in the device's outbox.
outbox_count()
{
  find "$BASE/cache/outbox/$device_id" -maxdepth 1 -name '*.ujs' 2>/dev/null | wc -l
}

# Succeed when the device's outbox holds exactly N records.
outbox_has()
{
  [ "$(outbox_count)" = "$1" ]
}

# The device's attribute as the emulator stored it (compact JSON).
device_attr()
{
  sim_curl "/sim/devices/$device_id" | jq -c ".attributes[\"$1\"]"
}

# Succeed when a device attribute matches every regular expression given.
device_attr_has()
{
  local value
  local re

  value=$(device_attr "$1") || return 1
  shift
  for re in "$@"; do
    grep -qE -- "$re" <<<"$value" || { echo "$value"; return 1; }
  done
}

# Succeed when a device attribute does not match a regular expression.
device_attr_lacks()
{
  local value

  value=$(device_attr "$1") || return 1
  ! grep -qE -- "$2" <<<"$value" || { echo "$value"; return 1; }
}

# Succeed when cloud job $1's reasons contain $2.
job_reason_has()
{
  sim_curl "/sim/jobs/$1" | jq -e --arg r "$2" '.reasons | index($r)' >/dev/null
}


#
# Register the queue...
#

check "lpadmin creates raw queue Floor3 printing to fakeprinter:" \
  lpadmin -p Floor3 -v "fakeprinter:$BASE/out" -E
run "$UPACTL" register Floor3 --admin-token "$UPA_SIM_ADMIN"
check "upactl register Floor3 succeeds" test "$(run_rc)" = 0
device_uri=$(lpstat -v Floor3 2>/dev/null | sed -n 's/^device for Floor3: //p')
device_id=$(sed -n 's,^upa://\([^/]*\)/.*,\1,p' <<<"$device_uri")
upa_log "Floor3 device URI: $device_uri"
[ -n "$device_id" ] || upa_fatal "Floor3 has no upa:// device URI"


#
# Discovery...
#

if [ -x "$BASE/bin/daemon/cups-deviced" ]; then
  # Once in a CI run on a loaded machine, lpinfo listed the scheme but not the
  # device line (not reproduced since; cause unknown).  Ask up to three times
  # and show every answer, so a device line that never comes still fails.
  for attempt in 1 2 3; do
    lpinfo -v >"$BASE/lpinfo.out" 2>&1
    grep -qx "network upa://$device_id/.*" "$BASE/lpinfo.out" && break
    upa_log "lpinfo attempt $attempt without the device line:"
    sed 's/^/#   /' "$BASE/lpinfo.out"
    grep 'upa' "$BASE/log/error_log" | tail -n 5 | sed 's/^/#   error_log: /'
  done
  sed 's/^/# lpinfo: /' "$BASE/lpinfo.out"
  check "lpinfo -v lists the upa scheme" grep -qx 'network upa' "$BASE/lpinfo.out"
  check "lpinfo -v lists Floor3's device with its real URI" \
    grep -qx "network upa://$device_id/fakeprinter:$BASE/out" "$BASE/lpinfo.out"
else
  upa_log "SKIP discovery via lpinfo: no cups-deviced (Debian package \"cups\")"
fi
check "the installed backend is 0700 root (cupsd runs it as root)" \
  test "$(stat -c '%a %U' "$BASE/bin/backend/upa")" = "700 root"
env UPA_CONFIG="$UPA_CONFIG" "$BASE/bin/backend/upa" >"$BASE/disc.out" 2>"$BASE/disc.err"
check "discovery prints the scheme and the device line (CUPS quoting)" \
  grep -qx "network upa://$device_id/fakeprinter:$BASE/out \"Unknown\" \"Floor3 (Universal Print)\" \"\" \"\"" "$BASE/disc.out"


#
# A successful job...
#

set_uri "pages=3"
release_one ok.pdf
check "release of job 1 succeeds (cloud job $cloud_job, CUPS job $cups_job)" test "$(run_rc)" = 0
check "CUPS job 1 completes" wait_cups_job Floor3 "$cups_job" completed 60
check "the fake printer got the document byte for byte" cmp "$PDF" "$BASE/out/job-$cups_job.out"
check "the fake printer ran as lp" grep -qx "uid=$(id -u lp)" "$BASE/out/job-$cups_job.args"
check "cloud job 1 is completed" upa_wait_for 30 sim_job_is "$cloud_job" state completed
check "cloud job 1 has 3 impressions (PAGE: lines)" sim_job_is "$cloud_job" impressionsCompleted 3
# "processing" goes out only if delivered before the job ended (the
# completed record replaces a waiting one); jobs 3 and 4 print long enough.
check "cloud job 1 got processing at most once" test "$(status_events "$cloud_job" 5)" -le 1
check "cloud job 1 got exactly one terminal update" test "$(status_events "$cloud_job" 9)" = 1
check "nothing is left in the outbox" outbox_has 0


#
# The real backend fails; the queue aborts failed jobs...
#

lpadmin -p Floor3 -o printer-error-policy=abort-job
set_uri "fail=1"
release_one fail.pdf
check "release of job 2 succeeds (cloud job $cloud_job, CUPS job $cups_job)" test "$(run_rc)" = 0
check "CUPS job 2 is aborted (error policy abort-job)" wait_cups_job Floor3 "$cups_job" aborted 60
check "cloud job 2 is aborted" upa_wait_for 30 sim_job_is "$cloud_job" state aborted
check "cloud job 2 says why (aborted-by-system)" job_reason_has "$cloud_job" aborted-by-system
check "cloud job 2's message is the printer's ERROR: line" \
  sim_job_is "$cloud_job" message "fake: paper path jam in tray 2"
lpadmin -p Floor3 -o printer-error-policy=retry-job
cupsenable Floor3


#
# A job canceled while printing...
#

set_uri "sleep=30"
release_one cancel.pdf
check "release of job 3 succeeds (cloud job $cloud_job, CUPS job $cups_job)" test "$(run_rc)" = 0
check "the fake printer is printing job 3" upa_wait_for 30 test -e "$BASE/out/job-$cups_job.started"
check "job 3 runs in a warm guardian" \
  sh -c "grep -F '[Job $cups_job] ' '$BASE/log/error_log' | grep -q 'handed over to warm guardian'"
check "... with no upa-sigrelay beside it (the waiting upa-backend passes SIGTERM on)" \
  sh -c '! pgrep -x upa-sigrelay'
check "cloud job 3 is processing" upa_wait_for 30 sim_job_is "$cloud_job" state processing
check "cancel Floor3-$cups_job" cancel "Floor3-$cups_job"
check "CUPS job 3 is canceled" wait_cups_job Floor3 "$cups_job" canceled 30
check "the fake printer got SIGTERM" upa_wait_for 20 test -e "$BASE/out/job-$cups_job.term"
check "cloud job 3 is canceled" upa_wait_for 30 sim_job_is "$cloud_job" state canceled
check "cloud job 3 got exactly one terminal update" test "$(status_events "$cloud_job" 7)" = 1


#
# STATE: messages reach the cloud's printer state...
#

lpadmin -p Floor3 -v "upa://$device_id/fakeprinter:$BASE/out?sleep=4&state=+media-empty-error,toner-low-warning,cups-waiting-for-job-completed"
lp -d Floor3 -t state "$PDF" >/dev/null
check "printer-state-reasons reach the device (media-empty-error, toner-low-warning)" \
  upa_wait_for 30 device_attr_has printer-state-reasons 'media-empty-error' 'toner-low-warning'
check "CUPS-private reasons stay local" device_attr_lacks printer-state-reasons 'cups-'
check "printer-state is stopped while media is empty" device_attr_has printer-state '5|stopped'
lpadmin -p Floor3 -v "upa://$device_id/fakeprinter:$BASE/out?state=-media-empty-error,toner-low-warning"
lp -d Floor3 -t state2 "$PDF" >/dev/null
check "cleared reasons reach the device (none)" upa_wait_for 30 device_attr_has printer-state-reasons 'none'
check "printer-state is idle again" device_attr_has printer-state '3|idle'


#
# The end of a linked job queues its final state and the printer's: one
# flusher delivers both (no sync service runs here)...
#

# Succeed when the job's log shows exactly N flushers started after its real
# backend exited.
job_end_flushers()
{
  test "$(grep -F "[Job $1] " "$BASE/log/error_log" | sed -n '/fakeprinter.* exited with status/,$p' | grep -c 'Started the outbox flusher')" = "$2"
}

set_uri "state=+toner-low-warning"
release_one flushers.pdf
check "release of job 3b succeeds (cloud job $cloud_job, CUPS job $cups_job)" test "$(run_rc)" = 0
check "CUPS job 3b completes" wait_cups_job Floor3 "$cups_job" completed 60
check "cloud job 3b is completed" upa_wait_for 30 sim_job_is "$cloud_job" state completed
check "toner-low-warning, queued as the job ended, reaches the device" \
  upa_wait_for 30 device_attr_has printer-state-reasons 'toner-low-warning'
check "the job's end started one flusher for both records" job_end_flushers "$cups_job" 1
set_uri "state=-toner-low-warning"
lp -d Floor3 -t state3 "$PDF" >/dev/null
check "toner-low-warning is cleared again" upa_wait_for 30 device_attr_has printer-state-reasons 'none'


#
# The cloud fails at completion, then comes back: the outbox delivers once...
#

if sim_curl /sim/faults >/dev/null 2>&1; then
  set_uri "sleep=3&pages=2"
  release_one outage.pdf
check "release of job 4 succeeds (cloud job $cloud_job, CUPS job $cups_job)" test "$(run_rc)" = 0
  check "cloud job 4 is processing" upa_wait_for 30 sim_job_is "$cloud_job" state processing
  check "arm the fault: every IPP request answers HTTP 503, Retry-After 3" \
    sim_curl /sim/faults -X POST -H 'Content-Type: text/plain' --data 'http,class=ipp,status=503,retry-after=3,count=-1'
  check "CUPS job 4 completes anyway" wait_cups_job Floor3 "$cups_job" completed 60
  check "the completed state waits in the outbox" upa_wait_for 10 outbox_has 1
  # The record is queued before the flusher's first attempt writes the back-off.
  check "the outbox honours Retry-After (back-off file)" \
    upa_wait_for 10 test -s "$BASE/cache/outbox/$device_id/backoff"
  # Retry-After 3, not the 5 s minimum of its own back-off.
  check "... next attempt in at most 3 s" \
    sh -c "[ \$(( \$(jq .next '$BASE/cache/outbox/$device_id/backoff') - \$(date +%s) )) -le 3 ]"
  check "cloud job 4 is still processing in the cloud" sim_job_is "$cloud_job" state processing
  cp "$BASE/cache/outbox/$device_id/"*.ujs "$BASE/replay.ujs"
  # A state of the job queued before the waiting "completed" is not sent:
  # the later one replaces it (the outbox skips it).
  jq -c '.state = 5 | .reasons = ["none"] | del(.message)' "$BASE/replay.ujs" >"$BASE/planted.ujs"
  install -o lp -g lp -m 0660 "$BASE/planted.ujs" "$BASE/cache/outbox/$device_id/0000000000000-00000001-000001.ujs"
  check "clear the faults" sim_curl /sim/faults -X DELETE
  sleep 3.5				# Retry-After
  # The next backend run (a plain job) delivers it.
  set_uri ""
  lp -d Floor3 -t next "$PDF" >/dev/null
  check "the next backend run delivers the outbox" upa_wait_for 30 sim_job_is "$cloud_job" state completed
  check "cloud job 4 has 2 impressions" sim_job_is "$cloud_job" impressionsCompleted 2
  check "the outbox is empty" upa_wait_for 10 outbox_has 0
  check "cloud job 4 got exactly one terminal update" test "$(status_events "$cloud_job" 9)" = 1
  check "cloud job 4 got processing once (the queued one that completed replaces was not sent)" \
    test "$(status_events "$cloud_job" 5)" = 1
  # A replayed record (crash after send, before delete) is not sent again.
  install -o lp -g lp -m 0660 "$BASE/replay.ujs" "$BASE/cache/outbox/$device_id/0000000000000-00000001-000000.ujs"
  lp -d Floor3 -t replay "$PDF" >/dev/null
  check "a replayed terminal record is dropped" upa_wait_for 30 outbox_has 0
  check "cloud job 4 still got exactly one terminal update" test "$(status_events "$cloud_job" 9)" = 1
  # The backend's flusher is "upactl outbox flush --device ID --wait N".
  check "upactl outbox flush --wait without --device is a usage error" \
    sh -c "'$UPACTL' outbox flush --wait 5 >/dev/null 2>&1; [ \$? = 2 ]"
  check "upactl outbox flush --device ID --wait N delivers that device (nothing left)" \
    sh -c "'$UPACTL' outbox flush --device '$device_id' --wait 10 | grep -q '^0 job status updates delivered, 0 still pending'"
else
  upa_log "SKIP outage test: this upa-cloudsim has no /sim/faults"
fi


#
# 6 and 7 arguments, straight (no cupsd), as root like cupsd runs it; the
# real backend then runs as lp and the upa process drops to lp too...
#

head -c 100000 /dev/urandom >"$BASE/rand.bin"
chmod 0644 "$BASE/rand.bin"
be_env=(env DEVICE_URI="upa://$device_id/fakeprinter:$BASE/out" CUPS_SERVERBIN="$BASE/bin" UPA_CONFIG="$UPA_CONFIG")
"${be_env[@]}" "$BASE/bin/backend/upa" 901 alice t 1 "" <"$BASE/rand.bin" 2>"$BASE/six.err"
check "6 arguments: exit 0" test $? = 0
check "6 arguments: stdin reaches the real backend byte for byte" cmp "$BASE/rand.bin" "$BASE/out/job-901.out"
check "6 arguments: the real backend got 6 arguments" grep -qx "argc=6" "$BASE/out/job-901.args"
"${be_env[@]}" "$BASE/bin/backend/upa" 902 alice t 1 "" "$BASE/rand.bin" </dev/null 2>"$BASE/seven.err"
check "7 arguments: exit 0" test $? = 0
check "7 arguments: the file reaches the real backend" cmp "$BASE/rand.bin" "$BASE/out/job-902.out"
check "7 arguments: the real backend got 7 arguments" grep -qx "argc=7" "$BASE/out/job-902.args"
env DEVICE_URI="upa://$device_id/fakeprinter:$BASE/out?fail=4" CUPS_SERVERBIN="$BASE/bin" UPA_CONFIG="$UPA_CONFIG" \
  "$BASE/bin/backend/upa" 903 alice t 1 "" "$BASE/rand.bin" </dev/null 2>"$BASE/four.err"
check "the exit status is the real backend's (4)" test $? = 4
check "the real backend's ERROR: line is relayed unchanged" grep -qx "ERROR: fake: paper path jam in tray 2" "$BASE/four.err"
check "the real backend ran as lp" grep -qx "uid=$(id -u lp)" "$BASE/out/job-902.args"
check "the upa process dropped root after starting it" grep -q "Running as uid $(id -u lp)," "$BASE/seven.err"
# A root-only real backend (like usb or lpd on Debian, mode 0700) runs as
# root, as cupsd would run it.
upa_install_backend "$BASE/fakeprinter" rootprinter 0700
env DEVICE_URI="upa://$device_id/rootprinter:$BASE/out" CUPS_SERVERBIN="$BASE/bin" UPA_CONFIG="$UPA_CONFIG" \
  "$BASE/bin/backend/upa" 904 alice t 1 "" "$BASE/rand.bin" </dev/null 2>"$BASE/root.err"
check "a root-only real backend is started: exit 0" test $? = 0
check "... and it ran as root" grep -qx "uid=0" "$BASE/out/job-904.args"
check "... while the upa process dropped to lp" grep -q "Running as uid $(id -u lp)," "$BASE/root.err"

finish
