#!/bin/bash
#
# exactly-once.sh - the faults of issue 14, one deterministic case each.
#
# Each case sets up one fault that made the old release path lose a job,
# print it twice or print it damaged, and checks that every cloud job ends
# printed exactly once, byte for byte, with its true state in the cloud:
#
#   requeue      cupsd runs a job again after it printed (restart-job, as a
#                cupsd restart in the reporting window does): not printed
#                again; "upa-reprint=true" prints it on purpose
#   shutdown     cupsd shuts down (SIGKILL to the job's process group) after
#                the printer got all of a released job, before its backend
#                ended: the printer's backend finishes anyway, the restarted
#                cupsd requeues the job, it is not printed again
#   lost         cupsd is killed -9 right after a release, before it wrote
#                its job files: the reconciler fetches the job again
#   reused       ... and root's own held jobs take the ids cupsd lost:
#                recovery leaves them alone
#   impostor     ... and cupsd gives the lost job's id to nobody's job
#                carrying the lost job's cloud link and job-uuid (any user
#                may read it, and cupsd keeps one a submitter sends): it
#                prints as a plain job, the cloud job prints once
#   canceled     a released job canceled in CUPS before it printed: the
#                reconciler tells the cloud
#   forged       a job submitted with upa-job-id/upa-device-id options of
#                somebody's cloud job prints as a plain job, also with a
#                job-uuid of its own; an unknown upa-device-id does not
#                stop the queue
#   ack-lost     Acknowledge-Job committed, its answer lost (emulator fault
#                "commit"): the job is ours, it prints once
#   ack-kill     upa-release killed inside the Acknowledge-Job round trip:
#                --recover asks the cloud and prints it once
#   short-doc    Fetch-Document with half the document: never released
#   status-5xx   Update-Job-Status answered server-error-internal-error
#                without committing: the status is kept and delivered later
#   orphan       a held cloud-linked copy no release stands for: canceled
#   trickle      a Fetch-Document answer trickling in: given up after Timeout
#   dup-groups   Get-Jobs repeating each job 256 times: released once
#   ack-first    a claimed job whose document is cut, or whose station is
#                killed during the download, is fetched again
#
# The emulator faults used by the last cases are skipped (SKIP lines, not
# failures) when the emulator does not know them.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
USER1=erin@contoso.com
PDF="$top_srcdir/tests/data/quarterly-report.pdf"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"

upa_tmpdir
cloudsim_start
upa_write_config "LogLevel info" "Timeout 10"
cupsd_start


#
# Helpers...
#

outputs()
{
  ls "$BASE/out"/job-*.out 2>/dev/null | wc -l
}

# A document unique to one case (the same PDF plus a comment line).
unique_pdf()
{
  cat "$PDF" >"$BASE/doc-$1.pdf"
  printf '%% case %s\n' "$1" >>"$BASE/doc-$1.pdf"
  echo "$BASE/doc-$1.pdf"
}

# Start cupsd again with the same configuration, spool and port.
cupsd_again()
{
  : >>"$BASE/log/error_log"
  cupsd -f -c "$BASE/cupsd.conf" -s "$BASE/cups-files.conf" </dev/null >>"$BASE/log/cupsd.out" 2>&1 &
  CUPSD_PID=$!
  upa_watchdog "$CUPSD_PID"
  upa_wait_for "$UPA_WAIT" cupsd_running
}

# Arm an emulator fault; fails when the emulator refuses it (unknown kind).
sim_fault()
{
  sim_curl /sim/faults -X POST -H 'Content-Type: text/plain' --data-binary "$1" >/dev/null 2>&1
}

sim_clear_faults()
{
  sim_curl /sim/faults -X DELETE >/dev/null 2>&1
}

# Settle everything a real server would: recovery, then the outbox.
settle()
{
  "$RELEASE" --recover >>"$BASE/recover.log" 2>&1
  "$UPACTL" outbox flush --now >>"$BASE/flush.log" 2>&1
  return 0
}

skip_case()
{
  echo "ok $((++upa_tests_run)) # SKIP $*"
}

# A job's cupsd keeps its files after completion (restart-job needs them).
{
  echo "PreserveJobFiles Yes"
  echo "PreserveJobHistory Yes"
  # Job files are written only at shutdown or long after a change: a kill -9
  # right after a release loses the job deterministically.
  echo "DirtyCleanInterval 300"
} >>"$BASE/cupsd.conf"
cupsd_kill
cupsd_again || upa_fatal "cupsd did not restart with the test settings"

lpadmin -p Floor3 -v "capture:$BASE/out" -E || upa_fatal "lpadmin Floor3"
"$UPACTL" register Floor3 --admin-token "$UPA_SIM_ADMIN" >"$BASE/register.log" 2>&1 ||
  { cat "$BASE/register.log"; upa_fatal "upactl register Floor3"; }
dev3=$(lpstat -v Floor3 | sed -n 's,^device for Floor3: upa://\([^/]*\)/.*,\1,p')
[ -n "$dev3" ] || upa_fatal "Floor3 has no upa:// device URI"
# Written to disk now (a graceful restart saves everything), so a kill -9
# later loses only what happens after it.
cupsd_kill
cupsd_again || upa_fatal "cupsd did not restart"


#
# requeue: printed once, run again by cupsd, not printed again...
#

doc=$(unique_pdf requeue)
job=$(sim_submit "$USER1" requeue.pdf "$doc")
check "[requeue] the job is released" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
cups_job=$(last_cups_job Floor3)
check "[requeue] it prints" wait_cups_job Floor3 "$cups_job" completed 30
check "[requeue] it completes in the cloud" upa_wait_for 30 sim_job_is "$job" state completed
check "[requeue] one copy" test "$(copies_of "$doc")" = 1
rm -f "$BASE/out/job-$cups_job.out"
check "[requeue] cupsd runs the job again (restart-job)" lp -i "$cups_job" -H restart
check "[requeue] ... it completes in CUPS" wait_cups_job Floor3 "$cups_job" completed 30
check "[requeue] ... without printing again" test ! -e "$BASE/out/job-$cups_job.out"
check "[requeue] ... and says why" grep -q "was printed already; not printing it again" "$BASE/log/error_log"
check "[requeue] the cloud still says completed" sim_job_is "$job" state completed
spooled="$BASE/spool/d$(printf %05d "$cups_job")-001"
check "[requeue] an admin prints its kept document again on purpose (upa(8))" lp -d Floor3 -t again "$spooled"
check "[requeue] ... the copy arrives, byte for byte" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'
check "[requeue] ... and the cloud job is left as it was" sim_job_is "$job" state completed


#
# shutdown: cupsd stops while the printer finishes a job it has in full...
#

doc=$(unique_pdf shutdown)
job=$(sim_submit "$USER1" shutdown.pdf "$doc")
touch "$BASE/out/.linger"
check "[shutdown] the job is released" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
cups_job=$(last_cups_job Floor3)
check "[shutdown] the printer has all of it and is finishing" upa_wait_for 30 test -e "$BASE/out/job-$cups_job.linger"
check "[shutdown] one copy delivered" test "$(copies_of "$doc")" = 1
rm -f "$BASE/out/job-$cups_job.out"
kill -TERM "$CUPSD_PID"
check "[shutdown] cupsd shuts down" upa_wait_for 20 upa_pid_gone "$CUPSD_PID"
wait "$CUPSD_PID" 2>/dev/null
rm -f "$BASE/out/.linger"
# cupsd SIGKILLs a job's process group when it shuts down: the printer's
# backend survived it only if it now ends by itself
check "[shutdown] the printer's backend outlived cupsd and finishes the job" \
  upa_wait_for 30 eval '! ls "$BASE/out/job-$cups_job.linger" >/dev/null 2>&1'
# not inside check: that runs its command in a subshell, and CUPSD_PID
# would not reach the kill -9 below
cupsd_again
check "[shutdown] cupsd comes back" cupsd_running
check "[shutdown] the requeued job completes in CUPS" wait_cups_job Floor3 "$cups_job" completed 30
check "[shutdown] ... without printing again" test ! -e "$BASE/out/job-$cups_job.out"
settle
check "[shutdown] it completes in the cloud" upa_wait_for 30 sim_job_is "$job" state completed


#
# lost + reused: cupsd killed -9 after the release, the id given to another job...
#

doc=$(unique_pdf lost)
job=$(sim_submit "$USER1" lost.pdf "$doc")
before=$(outputs)
# The printer is busy with a plain job, so the released job waits its turn.
touch "$BASE/out/.hold"
echo "a plain job that keeps the printer busy" >"$BASE/blocker.txt"
lp -d Floor3 -t blocker "$BASE/blocker.txt" >/dev/null
check "[lost] the printer is busy" upa_wait_for 30 eval 'lpstat -p Floor3 | grep -q "now printing"'
check "[lost] the job is released (it waits behind the busy printer)" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
lost_id=$(last_cups_job Floor3)
check "[lost] the cloud job is bound to Floor3" sim_job_is "$job" acquiredBy "$dev3"
cp "$top_srcdir/tests/integration/ipptool/job-uuid.test" "$top_srcdir/tests/integration/ipptool/impostor.test" "$BASE/"
chmod 0644 "$BASE/job-uuid.test" "$BASE/impostor.test"
lost_uuid=$(su nobody -s /bin/sh -c "ipptool -t -d jobid=$lost_id ipp://localhost:$CUPS_PORT/printers/Floor3 '$BASE/job-uuid.test'" | grep -o -m1 'urn:uuid:[0-9a-f-]*' | head -n 1)
check "[impostor] nobody reads the released job's job-uuid" test -n "$lost_uuid"
# A job's key holds time-at-creation in whole seconds: a crash, restart and
# new job all within the second the released job was made in are not told
# apart (the limit of the key), so the crash comes in a later second
released_at=$(date +%s)
check "[impostor] the clock passes the second the job was made in" upa_wait_for 3 eval '[ "$(date +%s)" -gt "$released_at" ]'
check "[lost] cupsd is killed -9" kill -KILL "$CUPSD_PID"
wait "$CUPSD_PID" 2>/dev/null
pkill -KILL -f "$BASE/bin/backend/" 2>/dev/null
rm -f "$BASE/out/.hold"
cupsd_again
check "[lost] cupsd comes back" cupsd_running
check "[lost] ... without the released job (its files were never written)" \
  eval '[ -z "$(lpstat -W all -o Floor3 2>/dev/null | grep "^Floor3-$lost_id ")" ]'
# root's held jobs take the ids cupsd lost before the released job's (the
# blocker's), so that the next job gets the released job's id
echo "root's own job" >"$BASE/root-job.txt"
root_jobs=
for i in 1 2 3; do
  root_job=$(lp -d Floor3 -H hold -t "root's held job $i" "$BASE/root-job.txt" | sed -n 's/.*Floor3-\([0-9]*\).*/\1/p')
  root_jobs="$root_jobs $root_job"
  [ "${root_job:-0}" -ge $((lost_id - 1)) ] && break
done
# Then nobody's job with the lost job's cloud link and job-uuid; cupsd sets
# its time-at-creation, so its key differs
impostor_doc=$(unique_pdf impostor)
cp "$impostor_doc" "$BASE/impostor.pdf"
chmod 0644 "$BASE/impostor.pdf"
check "[impostor] nobody submits a job with the lost job's link and job-uuid" \
  su nobody -s /bin/sh -c "ipptool -d job=$job -d dev=$dev3 -d uuid=$lost_uuid -d file='$BASE/impostor.pdf' ipp://localhost:$CUPS_PORT/printers/Floor3 '$BASE/impostor.test'"
impostor_id=$(last_cups_job Floor3)
if [ "$impostor_id" = "$lost_id" ]; then
  check "[impostor] cupsd gave it the lost job's id" true
else
  skip_case "[impostor] cupsd did not reuse the id ($impostor_id, not $lost_id)"
fi
check "[impostor] it prints, as a plain job" wait_cups_job Floor3 "$impostor_id" completed 30
check "[impostor] ... with a warning" grep -q "\[Job $impostor_id\] This job names a Universal Print job that no release on this print server created" "$BASE/log/error_log"
upa_log "[reused] lost CUPS job Floor3-$lost_id; root's held jobs are$root_jobs"
check "[lost] --recover succeeds" "$RELEASE" --recover
for root_job in $root_jobs; do
  check "[reused] root's held job $root_job is still held" wait_cups_job Floor3 "$root_job" held 5
done
check "[lost] the cloud job prints exactly once, byte for byte" upa_wait_for 90 eval 'test "$(copies_of "$doc")" = 1'
check "[lost] it completes in the cloud" upa_wait_for 90 sim_job_is "$job" state completed
check "[impostor] its document printed once, as nobody's plain job" test "$(copies_of "$impostor_doc")" = 1
for root_job in $root_jobs; do
  cancel "$root_job" 2>/dev/null
done


#
# canceled: released, canceled in CUPS before it printed...
#

doc=$(unique_pdf canceled)
job=$(sim_submit "$USER1" canceled.pdf "$doc")
touch "$BASE/out/.hold"
lp -d Floor3 -t blocker "$BASE/blocker.txt" >/dev/null
check "[canceled] the job is released (it waits behind the busy printer)" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
cups_job=$(last_cups_job Floor3)
check "[canceled] an admin cancels it in CUPS before it prints" cancel "$cups_job"
rm -f "$BASE/out/.hold"
settle
check "[canceled] the cloud is told" upa_wait_for 30 sim_job_is "$job" state canceled
check "[canceled] nothing printed" test "$(copies_of "$doc")" = 0


#
# forged: links any user can type...
#

# forged_job DESC COMMAND: nobody runs COMMAND, a job claiming cloud job
# $job; it prints as a plain job (its id in forged_id) and the cloud job
# stays fetchable
forged_job()
{
  check "[forged] $1" su nobody -s /bin/sh -c "$2"
  forged_id=$(last_cups_job Floor3)
  check "[forged] ... it prints, as a plain job" wait_cups_job Floor3 "$forged_id" completed 30
  check "[forged] ... the cloud job is untouched (still fetchable)" sim_job_is "$job" isFetchable true
}

doc=$(unique_pdf forged)
job=$(sim_submit "$USER1" forged.pdf "$doc")
cp "$doc" "$BASE/forged.pdf"
chmod 0644 "$BASE/forged.pdf"
forged_job "nobody submits a job claiming cloud job $job" \
  "lp -d Floor3 -o upa-job-id=$job -o upa-device-id=$dev3 '$BASE/forged.pdf'"
check "[forged] ... with a warning" grep -q "no release on this print server created" "$BASE/log/error_log"
check "[forged] a job naming an unknown device prints too" \
  su nobody -s /bin/sh -c "lp -d Floor3 -o upa-job-id=99999 -o upa-device-id=doesnotexist '$BASE/forged.pdf'"
check "[forged] ... and the queue is not stopped" \
  eval 'wait_cups_job Floor3 "$(last_cups_job Floor3)" completed 30 && lpstat -p Floor3 | grep -qv disabled'
# cupsd keeps a job-uuid the submitter sends: as a name it stands next to
# cupsd's own, and the backend, finding two in argv[5], asks cupsd
cp "$top_srcdir/tests/integration/ipptool/forged-uuid.test" "$BASE/forged-uuid.test"
chmod 0644 "$BASE/forged-uuid.test"
forged_job "nobody also sends a job-uuid of his own" \
  "ipptool -d job=$job -d dev=$dev3 -d uuid=urn:uuid:11111111-2222-3333-4444-555555555555 -d file='$BASE/forged.pdf' ipp://localhost:$CUPS_PORT/printers/Floor3 '$BASE/forged-uuid.test'"
check "[forged] ... the backend asked cupsd for the job-uuid" grep -q "\[Job $forged_id\] upa: The job options do not name one job-uuid and one time-at-creation; asking cupsd" "$BASE/log/error_log"
check "[forged] the real release still works" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
check "[forged] ... and completes in the cloud" upa_wait_for 30 sim_job_is "$job" state completed


#
# orphan: a held copy no release stands for (a release stopped between
# Create-Job and its first journal record)...
#

doc=$(unique_pdf orphan)
job=$(sim_submit "$USER1" orphan.pdf "$doc")
lp -d Floor3 -H hold -o "upa-job-id=$job" -o "upa-device-id=$dev3" -t orphan "$doc" >/dev/null
orphan_id=$(last_cups_job Floor3)
check "[orphan] the held copy exists" wait_cups_job Floor3 "$orphan_id" held 5
check "[orphan] --recover succeeds" "$RELEASE" --recover
check "[orphan] ... and cancels the held copy" wait_cups_job Floor3 "$orphan_id" canceled 10
check "[orphan] the cloud job is untouched (still fetchable)" sim_job_is "$job" isFetchable true
check "[orphan] a release prints it exactly once" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
check "[orphan] ... byte for byte" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'


#
# ack-lost: Acknowledge-Job committed, answer lost (needs the emulator's "commit" fault)...
#

for answer in cut garbage html status noend slow; do
  doc=$(unique_pdf "ack-$answer")
  job=$(sim_submit "$USER1" "ack-$answer.pdf" "$doc")
  spec="commit,op=Acknowledge-Job,answer=$answer"
  [ "$answer" = status ] && spec="$spec,status=502"
  [ "$answer" = slow ] && spec="$spec,seconds=15"
  if ! sim_fault "$spec"; then
    skip_case "[ack-$answer] the emulator has no \"$spec\" fault"
    continue
  fi
  "$RELEASE" --printer Floor3 --user "$USER1" --job "$job" >"$BASE/ack-$answer.out" 2>&1
  sed "s/^/# [ack-$answer] /" "$BASE/ack-$answer.out"
  sim_clear_faults
  settle
  check "[ack-$answer] the job prints exactly once" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'
  check "[ack-$answer] it completes in the cloud" upa_wait_for 30 sim_job_is "$job" state completed
  check "[ack-$answer] no false \"not claimed\" message" eval '! grep -q "not claimed" "$BASE/ack-$answer.out"'
done


#
# ack-kill: upa-release killed inside the Acknowledge-Job round trip...
#

doc=$(unique_pdf ack-kill)
job=$(sim_submit "$USER1" ack-kill.pdf "$doc")
if sim_fault "commit,op=Acknowledge-Job,answer=slow,seconds=30"; then
  "$RELEASE" --printer Floor3 --user "$USER1" --job "$job" >"$BASE/ack-kill.out" 2>&1 &
  pid=$!
  check "[ack-kill] the cloud job gets bound while the answer is delayed" upa_wait_for 20 sim_job_is "$job" acquiredBy "$dev3"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  sim_clear_faults
  check "[ack-kill] the journal says acking" grep -q " acking $dev3 $job " "$BASE/state/journal"
  check "[ack-kill] --recover succeeds" "$RELEASE" --recover
  check "[ack-kill] ... without the false \"never claimed\"" eval '! grep -q "never claimed" "$BASE/state/journal" "$BASE/recover.log"'
  check "[ack-kill] the job prints exactly once" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'
  check "[ack-kill] it completes in the cloud" upa_wait_for 30 sim_job_is "$job" state completed
else
  skip_case "[ack-kill] the emulator has no \"commit\" fault with a slow answer"
fi


#
# short-doc: half the document with a well-formed HTTP body...
#

doc=$(unique_pdf short-doc)
job=$(sim_submit "$USER1" short-doc.pdf "$doc")
if sim_fault "doc-short,count=3"; then
  "$RELEASE" --printer Floor3 --user "$USER1" --job "$job" >"$BASE/short-doc.out" 2>&1
  rc=$?
  sim_clear_faults
  check "[short-doc] the release fails (exit $rc)" test "$rc" != 0
  check "[short-doc] ... saying the document is incomplete" grep -q "incomplete" "$BASE/short-doc.out"
  check "[short-doc] nothing printed" test "$(copies_of "$doc")" = 0
  check "[short-doc] no partial copy printed" eval '! ls "$BASE/out" | grep -q . || ! cmp -s <(head -c 1000 "$doc") <(head -c 1000 "$(ls -t "$BASE"/out/job-*.out | head -n 1)") || [ "$(copies_of "$doc")" = 0 ]'
  check "[short-doc] the cloud job is still fetchable" sim_job_is "$job" isFetchable true
  check "[short-doc] a later release prints it whole" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
  check "[short-doc] ... exactly once" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'
else
  skip_case "[short-doc] the emulator has no \"doc-short\" fault"
fi


#
# status-5xx: a transient server error to Update-Job-Status...
#

doc=$(unique_pdf status-5xx)
job=$(sim_submit "$USER1" status-5xx.pdf "$doc")
if sim_fault "nocommit,op=Update-Job-Status,answer=internal-error,count=-1"; then
  check "[status-5xx] the job is released" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
  check "[status-5xx] it prints" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'
  "$UPACTL" outbox flush --now >"$BASE/flush-5xx.log" 2>&1
  check "[status-5xx] the status stays in the outbox" \
    eval 'ls "$BASE/cache/outbox/$dev3/"*.ujs >/dev/null 2>&1'
  sim_clear_faults
  "$UPACTL" outbox flush --now >>"$BASE/flush-5xx.log" 2>&1
  check "[status-5xx] once the cloud recovers it is delivered" upa_wait_for 30 sim_job_is "$job" state completed
else
  skip_case "[status-5xx] the emulator has no \"nocommit\" internal-error fault"
fi

#
# trickle: a Fetch-Document answer whose IPP header trickles in...
#

doc=$(unique_pdf trickle)
job=$(sim_submit "$USER1" trickle.pdf "$doc")
if sim_fault "trickle,op=Fetch-Document,bytes-per-second=2"; then
  # Once: the trickling answer is given up after Timeout, the next fetch is whole
  timeout 120 "$RELEASE" --printer Floor3 --user "$USER1" --job "$job" >"$BASE/trickle.out" 2>&1
  rc=$?
  sim_clear_faults
  sed "s/^/# [trickle] /" "$BASE/trickle.out"
  check "[trickle] a trickling answer is given up after Timeout" grep -q "did not answer within 10 s" "$BASE/trickle.out"
  check "[trickle] ... the next fetch is whole and released (exit $rc)" test "$rc" = 0
  check "[trickle] ... printed exactly once, byte for byte" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'

  # Always: the release gives up by itself, nothing printed, the job waits
  doc=$(unique_pdf trickle-always)
  job=$(sim_submit "$USER1" trickle-always.pdf "$doc")
  sim_fault "trickle,op=Fetch-Document,bytes-per-second=2,count=-1"
  timeout 300 "$RELEASE" --printer Floor3 --user "$USER1" --job "$job" >"$BASE/trickle-always.out" 2>&1
  rc=$?
  sim_clear_faults
  sed "s/^/# [trickle-always] /" "$BASE/trickle-always.out"
  check "[trickle-always] upa-release gives up by itself (exit $rc, not killed)" eval 'test "$rc" != 0 && test "$rc" != 124'
  check "[trickle-always] nothing printed" test "$(copies_of "$doc")" = 0
  check "[trickle-always] the cloud job is still fetchable" sim_job_is "$job" isFetchable true
  check "[trickle-always] a later release prints it exactly once" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
  check "[trickle-always] ... byte for byte" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'
else
  skip_case "[trickle] the emulator has no \"trickle\" fault"
fi


#
# dup-groups: Get-Jobs repeating every job group...
#

dupuser=dup@contoso.com
doc=$(unique_pdf dup-groups)
job=$(sim_submit "$dupuser" dup-groups.pdf "$doc")
if sim_fault "dup-groups,repeat=256"; then
  "$RELEASE" --printer Floor3 --user "$dupuser" --all >"$BASE/dup.out" 2>&1
  rc=$?
  sim_clear_faults
  check "[dup-groups] --all succeeds (exit $rc)" test "$rc" = 0
  check "[dup-groups] ... releasing the job once" test "$(grep -c '^released job' "$BASE/dup.out")" = 1
  check "[dup-groups] ... without an error line per copy" test "$(grep -c 'not released' "$BASE/dup.out")" = 0
  check "[dup-groups] it prints exactly once" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'
else
  skip_case "[dup-groups] the emulator has no \"dup-groups\" fault"
fi


#
# ack-first: a claimed job whose document breaks, or whose station dies, is fetched again...
#

sed 's/^ReleaseOrder .*//' "$BASE/cups-upa.conf" >"$BASE/ackfirst.conf"
echo "ReleaseOrder acknowledge-first" >>"$BASE/ackfirst.conf"
chmod 0644 "$BASE/ackfirst.conf"

doc=$(unique_pdf ackfirst-cut)
job=$(sim_submit "$USER1" ackfirst-cut.pdf "$doc")
if sim_fault "doc-cut,count=1"; then
  check "[ack-first] a cut document is fetched again and released" \
    env UPA_CONFIG="$BASE/ackfirst.conf" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
  sim_clear_faults
  check "[ack-first] ... printed exactly once, byte for byte" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'
  check "[ack-first] ... completed in the cloud" upa_wait_for 30 sim_job_is "$job" state completed
else
  skip_case "[ack-first] the emulator has no \"doc-cut\" fault"
fi

doc=$(unique_pdf ackfirst-kill)
job=$(sim_submit "$USER1" ackfirst-kill.pdf "$doc")
if sim_fault "trickle,op=Fetch-Document,bytes-per-second=200"; then
  UPA_CONFIG="$BASE/ackfirst.conf" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job" >"$BASE/ackfirst-kill.out" 2>&1 &
  pid=$!
  check "[ack-first] the job is claimed before its document arrives" upa_wait_for 20 sim_job_is "$job" acquiredBy "$dev3"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  sim_clear_faults
  check "[ack-first] after the crash --recover fetches it again" env UPA_CONFIG="$BASE/ackfirst.conf" "$RELEASE" --recover
  check "[ack-first] ... printed exactly once, byte for byte" upa_wait_for 30 eval 'test "$(copies_of "$doc")" = 1'
  check "[ack-first] ... completed in the cloud" upa_wait_for 30 sim_job_is "$job" state completed
else
  skip_case "[ack-first] the emulator has no \"trickle\" fault"
fi


finish
