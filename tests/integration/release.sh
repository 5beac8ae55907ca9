#!/bin/bash
#
# release.sh - end-to-end test of the first complete release path.
#
# upa-cloudsim holds alice's and bob's jobs; a private cupsd has queue Floor3
# printing to the capture backend; "upactl register" links the queue to the
# cloud; "upa-release --user alice" pulls alice's job into CUPS, the upa
# backend prints it through capture and reports the status to the cloud.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
ALICE=alice@contoso.com
BOB=bob@contoso.com
CAROL=carol@contoso.com
ALICE_PDF="$top_srcdir/tests/data/hello.pdf"
BOB_PDF="$top_srcdir/tests/data/bob.pdf"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"

upa_tmpdir
cloudsim_start
upa_write_config
cupsd_start


#
# Helpers for this test...
#

# Print the ids of all CUPS jobs of a queue (any state), oldest first.
queue_jobs()
{
  lpstat -W all -o "$1" 2>/dev/null | awk '{print $1}' | sed 's/.*-//' | sort -n
}

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

# Succeed when the last run's stderr ends with the one line that matches a
# pattern (case-insensitive): info-level progress may come before it.
one_clear_line()
{
  [ "$(grep -ciE "$1" "$BASE/run.err")" = 1 ] && tail -n 1 "$BASE/run.err" | grep -qiE "$1"
}

# Number of pages of a PDF according to poppler.
pdf_pages()
{
  pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p'
}


#
# Register the queue...
#

check "lpadmin creates raw queue Floor3 printing to capture:" \
  lpadmin -p Floor3 -v "capture:$BASE/out" -E

run "$UPACTL" register Floor3 --admin-token "$UPA_SIM_ADMIN"
check "upactl register Floor3 succeeds" test "$(run_rc)" = 0

device_uri=$(lpstat -v Floor3 2>/dev/null | sed -n 's/^device for Floor3: //p')
device_id=$(sed -n 's,^upa://\([^/]*\)/.*,\1,p' <<<"$device_uri")
upa_log "Floor3 device URI: $device_uri"
check "lpstat -v Floor3 shows a upa:// URI" grep -q '^upa://' <<<"$device_uri"
check "the upa:// URI wraps the real URI verbatim" \
  test "$device_uri" = "upa://$device_id/capture:$BASE/out"
check "the cloud knows the device" sim_curl "/sim/devices/$device_id"


#
# Users print to the cloud...
#

# A name with a space: Debian's cupsd 2.4.2-3+deb12u10 crashes on a job
# whose document-name has one (lib/cupsjob.c).
alice_job=$(sim_submit "$ALICE" "hello world.pdf" "$ALICE_PDF")
bob_job=$(sim_submit "$BOB" bob.pdf "$BOB_PDF")
upa_log "cloud jobs: alice $alice_job, bob $bob_job"
check "alice's job is pending in the cloud" sim_job_is "$alice_job" state pending
check "bob's job is pending in the cloud" sim_job_is "$bob_job" state pending


#
# Alice releases at Floor3...
#

run "$RELEASE" --printer Floor3 --user "$ALICE" --all
check "upa-release --user alice --all succeeds" test "$(run_rc)" = 0

jobs=$(queue_jobs Floor3)
check "exactly one CUPS job was created on Floor3" test "$(wc -w <<<"$jobs")" = 1
cups_job=$(tail -n 1 <<<"$jobs")
upa_log "CUPS job: Floor3-$cups_job"

check "the CUPS job completes" wait_cups_job Floor3 "$cups_job" completed 60
check "the CUPS job belongs to alice" \
  test "$(lpstat -W all -o Floor3 | awk -v j="Floor3-$cups_job" '$1 == j {print $2}')" = "$ALICE"
check "the printed file is byte-identical to alice's PDF" \
  cmp "$ALICE_PDF" "$BASE/out/job-$cups_job.out"
if [ "$(dpkg-query -W -f='${Version}' cups-daemon 2>/dev/null)" != 2.4.2-3+deb12u10 ]; then
  # Only Debian's deb12u10 cupsd needs document names without white space.
  cat >"$BASE/docname.test" <<'EOF'
{
  NAME "document-name-supplied"
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id $job_id
  ATTR name requesting-user-name root
  ATTR keyword requested-attributes all
  STATUS successful-ok
  EXPECT document-name-supplied OF-TYPE name WITH-VALUE "hello world.pdf"
}
EOF
  check "the document name with a space reached cupsd (its cupsd is not deb12u10)" \
    ipptool -d job_id="$cups_job" "ipp://127.0.0.1:$CUPS_PORT/printers/Floor3" "$BASE/docname.test"
fi
check "pdfinfo counts 3 pages in the printed file" \
  test "$(pdf_pages "$BASE/out/job-$cups_job.out")" = 3
check "the capture backend ran as lp under the upa backend" \
  grep -qx "uid=$(id -u lp)" "$BASE/out/job-$cups_job.args"
check "... with the cloud job's name as the title" \
  grep -qx "title=hello world.pdf" "$BASE/out/job-$cups_job.args"

check "alice's cloud job is completed" upa_wait_for 30 sim_job_is "$alice_job" state completed
check "alice's cloud job was acquired by Floor3's device" sim_job_is "$alice_job" acquiredBy "$device_id"
check "alice's cloud job is no longer fetchable" sim_job_is "$alice_job" isFetchable false
check "alice's cloud job was acknowledged" \
  test "$(sim_job "$alice_job" acknowledgedDateTime)" != null

run "$RELEASE" --printer Floor3 --user "$ALICE" --all
check "a second release for alice finds no jobs (exit 2)" test "$(run_rc)" = 2
check "the second release created no CUPS job" test "$(queue_jobs Floor3 | wc -l)" = 1

check "bob's cloud job is still pending" sim_job_is "$bob_job" state pending
check "bob's cloud job is still fetchable" sim_job_is "$bob_job" isFetchable true
check "bob's cloud job was acquired by nobody" sim_job_is "$bob_job" acquiredBy null


#
# Naming the user (--user) is for root and DeviceGroup (lp here) only...
#

# Run a command as nobody with no supplementary group (or the ones given).
as_nobody()
{
  local groups=--clear-groups

  if [ "$1" = --groups ]; then
    groups="--groups=$2"
    shift 2
  fi
  setpriv --reuid=nobody --regid=nogroup "$groups" "$@"
}

if command -v setpriv >/dev/null; then
  run as_nobody "$RELEASE" --printer Floor3 --user "$BOB" --all
  check "--user run by nobody is refused (exit 7, doc/upa-release.1)" test "$(run_rc)" = 7
  check "... with one clear line naming the group" one_clear_line 'only allowed for root and members of group "lp"'
  check "... and bob's job was not touched" sim_job_is "$bob_job" isFetchable true
  check "... and no CUPS job was created" test "$(queue_jobs Floor3 | wc -l)" = 1
  run as_nobody "$RELEASE" --printer Floor3 --user "$BOB" --list
  check "--list --user run by nobody is refused too (exit 7)" test "$(run_rc)" = 7
  run as_nobody --groups lp "$RELEASE" --printer Floor3 --user "$BOB" --list
  check "a member of DeviceGroup lp may (--list exits 0)" test "$(run_rc)" = 0
  check "... and sees bob's job" grep -q 'bob\.pdf' "$BASE/run.out"

  # Releasing is root's: root's recovery acts on the journal, so only root
  # writes it (upa(8), ACCOUNTS); a member may only look.
  carol_job=$(sim_submit "$CAROL" carol.pdf "$ALICE_PDF")
  before=$(queue_jobs Floor3 | wc -l)
  run as_nobody --groups lp "$RELEASE" --printer Floor3 --user "$CAROL" --all
  check "a DeviceGroup member may not release (exit 7)" test "$(run_rc)" = 7
  check "... with one clear line: releasing needs root" one_clear_line 'releasing needs root'
  check "... carol's job is still waiting in the cloud" sim_job_is "$carol_job" isFetchable true
  check "... and no CUPS job was created" test "$(queue_jobs Floor3 | wc -l)" = "$before"
  run as_nobody --groups lp "$RELEASE" --recover
  check "... nor run the recovery (exit 7)" test "$(run_rc)" = 7
  run "$RELEASE" --printer Floor3 --user "$CAROL" --all
  check "root releases carol's job (exit 0)" test "$(run_rc)" = 0
  cups_job=$(queue_jobs Floor3 | tail -n 1)
  check "... which completes" wait_cups_job Floor3 "$cups_job" completed 60
  check "... owned by $CAROL (who has no local account)" \
    test "$(lpstat -W all -o Floor3 | awk -v j="Floor3-$cups_job" '$1 == j {print $2}')" = "$CAROL"
  check "... printed byte for byte" cmp "$ALICE_PDF" "$BASE/out/job-$cups_job.out"
  check "carol's cloud job is completed" upa_wait_for 30 sim_job_is "$carol_job" state completed
else
  upa_log "setpriv (util-linux) is missing: --user permission checks not run"
fi


check "cupsd is still running (it was never asked to look up a cloud user)" cupsd_running
njobs=$(queue_jobs Floor3 | wc -l)


#
# A token the cloud revokes is renewed on HTTP 401 however young it is, once,
# and the renewed token is shared with the next process...
#

token_requests() { sim_curl "/sim/devices/$device_id" | jq -r .tokenRequests; }

run "$RELEASE" --printer Floor3 --user "$BOB" --list
requests=$(token_requests)
check "the emulator revokes every token (expire-tokens)" \
  sim_curl /sim/faults -X POST -H 'Content-Type: application/json' --data '[{"kind":"expire-tokens"}]' -o /dev/null
run "$RELEASE" --printer Floor3 --user "$BOB" --list
check "--list right after the revocation still works (exit 0)" test "$(run_rc)" = 0
check "... and sees bob's job" grep -q 'bob\.pdf' "$BASE/run.out"
check "... after exactly one new token request" test "$(token_requests)" = $((requests + 1))
run "$RELEASE" --printer Floor3 --user "$BOB" --list
check "the next process reuses the renewed token (no request)" test "$(token_requests)" = $((requests + 1))


#
# The sync service delivers the backend's job states (no flusher per job)...
#

# Succeed when a sync service holds the outbox's service lock.
service_claimed()
{
  [ -e "$BASE/cache/outbox/.service" ] && ! flock -n -s "$BASE/cache/outbox/.service" true
}

if command -v flock >/dev/null; then
  "$UPACTL" sync --watch >"$BASE/log/watch.log" 2>&1 </dev/null &
  WATCH_PID=$!
  upa_at_exit 'kill $WATCH_PID 2>/dev/null; wait $WATCH_PID 2>/dev/null'
  check "upactl sync --watch claims the outbox" upa_wait_for 30 service_claimed
  before=$(grep -c "The sync service delivers the outbox" "$BASE/log/error_log")
  svc_job=$(sim_submit "$ALICE" service.pdf "$ALICE_PDF")
  run "$RELEASE" --printer Floor3 --user "$ALICE" --job "$svc_job"
  check "a job released while the service runs (exit 0)" test "$(run_rc)" = 0
  check "... is completed in the cloud" upa_wait_for 30 sim_job_is "$svc_job" state completed
  check "... the backend left both reports to the service (no flusher)" \
    test "$(grep -c "The sync service delivers the outbox" "$BASE/log/error_log")" -ge $((before + 2))
  check "... and nothing is left in the outbox" upa_wait_for 10 sh -c "'$UPACTL' outbox list | grep -q '^0 job'"
  kill -TERM "$WATCH_PID"
  check "the service stops on SIGTERM" upa_wait_for 10 upa_pid_gone "$WATCH_PID"
  check "... and lets go of the outbox" sh -c "! { [ -e '$BASE/cache/outbox/.service' ] && ! flock -n -s '$BASE/cache/outbox/.service' true; }"
  before=$(grep -c "The sync service delivers the outbox" "$BASE/log/error_log")
  svc_job=$(sim_submit "$ALICE" after-service.pdf "$ALICE_PDF")
  run "$RELEASE" --printer Floor3 --user "$ALICE" --job "$svc_job"
  check "without the service a released job (exit 0)" test "$(run_rc)" = 0
  check "... is completed in the cloud by the backend's flusher" upa_wait_for 30 sim_job_is "$svc_job" state completed
  check "... which did not wait for a service" test "$(grep -c "The sync service delivers the outbox" "$BASE/log/error_log")" = "$before"
fi

#
# More than 256 jobs of one user: --all takes every one (it stopped at 256).
#

check "260 more jobs wait for alice" \
  test "$(sim_submit_many "$ALICE" many "$ALICE_PDF" 260 | sort -u | wc -l)" = 260
"$RELEASE" --printer Floor3 --user "$ALICE" --all --json >"$BASE/many.json" 2>"$BASE/many.err"
check "upa-release --all releases all of them, past 256" \
  test "$(jq '[.jobs[] | select(.released and (.name | startswith("many-")))] | length' "$BASE/many.json")" = 260
check "... none is left waiting in the cloud" \
  sh -c "! '$RELEASE' --printer Floor3 --user '$ALICE' --list | grep -q 'many-'"
check "... and CUPS prints them" upa_wait_for 300 sh -c "[ -z \"\$(lpstat -o Floor3 2>/dev/null)\" ]"

njobs=$(queue_jobs Floor3 | wc -l)

#
# Bad input and failures, as a user sees them (LogLevel info, no debug lines)...
#

sed 's/^LogLevel .*/LogLevel info/' "$UPA_CONFIG" >"$BASE/cups-upa-info.conf"
export UPA_CONFIG="$BASE/cups-upa-info.conf"

run "$RELEASE" --printer NoSuchQueue --user "$ALICE" --all
check "upa-release --printer NoSuchQueue fails (exit 5 or 6, doc/upa-release.1)" \
  grep -qxE '5|6' "$BASE/run.rc"
check "... with one clear line naming the queue" one_clear_line 'NoSuchQueue'

cloudsim_kill
run "$RELEASE" --printer Floor3 --user "$BOB" --all
check "upa-release with the cloud down fails (exit 4: unreachable)" test "$(run_rc)" = 4
check "... with one clear \"unreachable\" line" one_clear_line 'unreachable|cannot reach'
check "... and creates no CUPS job" test "$(queue_jobs Floor3 | wc -l)" = "$njobs"

finish
