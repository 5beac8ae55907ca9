#!/bin/bash
#
# release-races.sh - crash recovery and concurrent stations for upa-release.
#
# kill -9 at every step of the release protocol (UPA_RELEASE_STOP_AT makes
# upa-release stop itself at that step), then "upa-release --recover":
# the cloud state, the CUPS state and the number of printed files must show
# every job printed exactly once or still waiting in the cloud.  Then two
# stations releasing the same user's jobs at once (same queue, and two
# queues): each job is printed exactly once, and never fetched twice
# through one device.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
USER1=dana@contoso.com
PDF="$top_srcdir/tests/data/quarterly-report.pdf"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"

upa_tmpdir
cloudsim_start
upa_write_config "LogLevel info"
cupsd_start


#
# Helpers...
#

outputs()
{
  ls "$BASE/out"/job-*.out 2>/dev/null | wc -l
}

# Succeed when a process is stopped (state T).
is_stopped()
{
  [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ]
}

# Number of Fetch-Document requests the emulator answered so far.
fetches()
{
  grep -c 'Fetch-Document successful-ok' "$BASE/log/cloudsim.log"
}

# A document unique to one job (the same PDF plus a comment line).
unique_pdf()
{
  cat "$PDF" >"$BASE/doc-$1.pdf"
  printf '%% job %s\n' "$1" >>"$BASE/doc-$1.pdf"
  echo "$BASE/doc-$1.pdf"
}

for q in Floor3 Floor4; do
  lpadmin -p "$q" -v "capture:$BASE/out" -E || upa_fatal "lpadmin $q"
  "$UPACTL" register "$q" --admin-token "$UPA_SIM_ADMIN" >"$BASE/register-$q.log" 2>&1 ||
    { cat "$BASE/register-$q.log"; upa_fatal "upactl register $q"; }
done
dev3=$(lpstat -v Floor3 | sed -n 's,^device for Floor3: upa://\([^/]*\)/.*,\1,p')


#
# kill -9 at each step, then --recover...
#

for step in created fetching fetched acked released; do
  doc=$(unique_pdf "$step")
  job=$(sim_submit "$USER1" "crash-$step.pdf" "$doc")
  before=$(outputs)

  UPA_RELEASE_STOP_AT=$step "$RELEASE" --printer Floor3 --user "$USER1" --job "$job" \
    >"$BASE/crash-$step.out" 2>"$BASE/crash-$step.err" &
  pid=$!
  if ! upa_wait_for 30 is_stopped "$pid"; then
    check "[$step] upa-release stops at $step" false
    kill -9 "$pid" 2>/dev/null
    continue
  fi
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  cups_job=$(last_cups_job Floor3)
  upa_log "[$step] killed upa-release at $step; cloud job $job, CUPS job Floor3-$cups_job"

  case $step in
    created|fetching|fetched)
      check "[$step] after the crash the CUPS job is held" wait_cups_job Floor3 "$cups_job" held 5
      check "[$step] ... and the cloud job is still fetchable" sim_job_is "$job" isFetchable true
      check "[$step] --recover succeeds" "$RELEASE" --recover
      check "[$step] ... and cancels the local job" wait_cups_job Floor3 "$cups_job" canceled 10
      check "[$step] ... the cloud job is untouched (fetchable, acquired by nobody)" \
        eval 'sim_job_is "$job" isFetchable true && sim_job_is "$job" acquiredBy null'
      check "[$step] ... nothing printed" test "$(outputs)" = "$before"
      check "[$step] a new release prints it" "$RELEASE" --printer Floor3 --user "$USER1" --job "$job"
      ;;
    acked)
      check "[$step] after the crash the CUPS job is held" wait_cups_job Floor3 "$cups_job" held 5
      check "[$step] ... and the cloud job is bound to Floor3" sim_job_is "$job" acquiredBy "$dev3"
      check "[$step] ... nothing printed yet" test "$(outputs)" = "$before"
      check "[$step] --recover succeeds" "$RELEASE" --recover
      check "[$step] ... and releases the held job" wait_cups_job Floor3 "$cups_job" completed 30
      ;;
    released)
      check "[$step] the released job prints without recovery" wait_cups_job Floor3 "$cups_job" completed 30
      check "[$step] --recover succeeds" "$RELEASE" --recover
      ;;
  esac

  check "[$step] the cloud job completes" upa_wait_for 30 sim_job_is "$job" state completed
  check "[$step] exactly one printed copy" upa_wait_for 10 eval 'test "$(copies_of "$doc")" = 1'
  check "[$step] exactly one more output file" test "$(outputs)" = $((before + 1))
  check "[$step] a second --recover has nothing to do" \
    eval '"$RELEASE" --recover 2>&1 | grep -c recovered | grep -qx 0'
  check "[$step] a second release of the job finds nothing (exit 2)" \
    eval '"$RELEASE" --printer Floor3 --user "$USER1" --job "$job" >/dev/null 2>&1; test $? = 2'
done


#
# Two stations, same user, same jobs...
#

for mode in same-queue two-queues; do
  user="race-$mode@contoso.com"
  jobs=()
  docs=()
  for i in 1 2 3 4 5 6; do
    docs+=("$(unique_pdf "$mode-$i")")
    jobs+=("$(sim_submit "$user" "race-$mode-$i.pdf" "${docs[-1]}")")
  done
  before=$(outputs)
  fetched=$(fetches)
  q2=Floor3
  [ "$mode" = two-queues ] && q2=Floor4

  "$RELEASE" --printer Floor3 --user "$user" --all --json >"$BASE/$mode-a.json" 2>"$BASE/$mode-a.err" &
  pa=$!
  "$RELEASE" --printer "$q2" --user "$user" --all --json >"$BASE/$mode-b.json" 2>"$BASE/$mode-b.err" &
  pb=$!
  wait "$pa"; ra=$?
  wait "$pb"; rb=$?
  upa_log "[$mode] station A exit $ra released $(jq -r .released "$BASE/$mode-a.json"), station B exit $rb released $(jq -r .released "$BASE/$mode-b.json")"

  check "[$mode] the stations released 6 jobs between them" \
    test "$(($(jq -r .released "$BASE/$mode-a.json") + $(jq -r .released "$BASE/$mode-b.json")))" = 6
  for i in 0 1 2 3 4 5; do
    check "[$mode] job ${jobs[i]} completes in the cloud" upa_wait_for 60 sim_job_is "${jobs[i]}" state completed
    check "[$mode] job ${jobs[i]} printed exactly once" upa_wait_for 10 eval 'test "$(copies_of "${docs[i]}")" = 1'
  done
  check "[$mode] exactly 6 more output files" test "$(outputs)" = $((before + 6))
  if [ "$mode" = same-queue ]; then
    check "[$mode] no job was fetched twice (6 Fetch-Document)" test "$(($(fetches) - fetched))" = 6
  fi
done

finish
