#!/bin/bash
#
# profile-pwg.sh - a badge release against a PWG 5100.18 Infrastructure
# Printer ("Profile pwg"), and each profile against the other's server.
#
# upa-cloudsim runs with --profile pwg --basic-auth: strict RFC 8011
# attribute order (bad-request otherwise), Acknowledge-Job before
# Fetch-Document, HTTP Basic, requesting-user-name with requesting-user-uri,
# output devices named by output-device-uuid and introduced by
# Update-Output-Device-Attributes.  cups-upa.conf says "Profile pwg",
# PrinterURI and Credentials; "upactl register" makes a local output
# device (no admin token), "upa-release" releases alice's job, and with
# direct printing on the upa-sync service prints a direct job by itself.
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
ALICE_PDF="$top_srcdir/tests/data/hello.pdf"
BOB_PDF="$top_srcdir/tests/data/bob.pdf"
PWG_USER=upa-infra
PWG_PASSWORD="pwg-$$-$RANDOM-secret"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"

upa_tmpdir
cloudsim_start --profile pwg --basic-auth "$PWG_USER:$PWG_PASSWORD"
INFRA_URI="ipps://127.0.0.1:$UPA_SIM_PORT/printers/infra"

# The credentials: root-owned, group DeviceGroup (lp in the tests, as for
# the device keys), nothing for others.
printf '# HTTP Basic for the Infrastructure Printer\n%s:%s\n' "$PWG_USER" "$PWG_PASSWORD" >"$BASE/pwg.auth"
chown root:lp "$BASE/pwg.auth"
chmod 0640 "$BASE/pwg.auth"

upa_write_config "Profile pwg" "PrinterURI $INFRA_URI" "Credentials $BASE/pwg.auth"
PWG_CONFIG=$UPA_CONFIG
cupsd_start


#
# Helpers for this test...
#

queue_jobs()
{
  lpstat -W all -o "$1" 2>/dev/null | awk '{print $1}' | sed 's/.*-//' | sort -n
}

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

# Succeed when the emulator's log shows the operations of a request-id
# sequence in this order: log_order OP1 OP2 (first occurrence of each).
log_order()
{
  local first second

  first=$(grep -n "$1" "$BASE/log/cloudsim.log" | head -n 1 | cut -d: -f1)
  second=$(grep -n "$2" "$BASE/log/cloudsim.log" | head -n 1 | cut -d: -f1)
  [ -n "$first" ] && [ -n "$second" ] && [ "$first" -lt "$second" ]
}


#
# Register: a local output device, introduced to the Infrastructure Printer...
#

check "lpadmin creates raw queue Floor3 printing to capture:" \
  lpadmin -p Floor3 -v "capture:$BASE/out" -E

run "$UPACTL" register Floor3
check "upactl register Floor3 succeeds without an admin token (Profile pwg)" test "$(run_rc)" = 0

device_uri=$(lpstat -v Floor3 2>/dev/null | sed -n 's/^device for Floor3: //p')
device_id=$(sed -n 's,^upa://\([^/]*\)/.*,\1,p' <<<"$device_uri")
upa_log "Floor3 device URI: $device_uri"
check "the output device id is a UUID" \
  grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' <<<"$device_id"
check "no key was made for it (no registration service, no token)" \
  test ! -e "$BASE/state/devices/$device_id/key.pem"
check "the Infrastructure Printer knows the output device (Update-Output-Device-Attributes)" \
  sim_curl "/sim/devices/$device_id"
check "the sync state records the printer it was introduced to" \
  grep -q "\"introduced\": *\"$INFRA_URI\"" "$BASE/state/sync/$device_id.json"


run "$UPACTL" doctor
check "upactl doctor finds no problems (no key expected, the Credentials file checked)" test "$(run_rc)" = 0
check "... and reaches the Infrastructure Printer with HTTP Basic" grep -q "Profile pwg, HTTP Basic ok" "$BASE/run.out"


#
# Alice releases at Floor3...
#

alice_job=$(sim_submit "$ALICE" hello.pdf "$ALICE_PDF")
bob_job=$(sim_submit "$BOB" bob.pdf "$BOB_PDF")
upa_log "cloud jobs: alice $alice_job, bob $bob_job"

run "$RELEASE" --printer Floor3 --user "$ALICE" --list
check "upa-release --list shows alice's job through Get-Jobs (RFC 8011 order)" \
  grep -q "hello.pdf" "$BASE/run.out"

run "$RELEASE" --printer Floor3 --user "$ALICE" --all
check "upa-release --user alice --all succeeds" test "$(run_rc)" = 0

jobs=$(queue_jobs Floor3)
check "exactly one CUPS job was created on Floor3" test "$(wc -w <<<"$jobs")" = 1
cups_job=$(tail -n 1 <<<"$jobs")
check "the CUPS job completes" wait_cups_job Floor3 "$cups_job" completed 60
check "the printed file is byte-identical to alice's PDF" \
  cmp "$ALICE_PDF" "$BASE/out/job-$cups_job.out"
check "alice's cloud job is completed" upa_wait_for 30 sim_job_is "$alice_job" state completed
check "alice's cloud job was acquired by Floor3's output device" sim_job_is "$alice_job" acquiredBy "$device_id"
check "Acknowledge-Job came before Fetch-Document (never refused for the order)" \
  log_order "Acknowledge-Job" "Fetch-Document"
check "the emulator never answered bad-request (attribute order)" \
  bash -c "! grep -q 'client-error-bad-request\\|RFC 8011 order' '$BASE/log/cloudsim.log'"
check "bob's cloud job is untouched" sim_job_is "$bob_job" isFetchable true
check "the Basic password is in no log" \
  bash -c "! grep -rqF -- '$PWG_PASSWORD' '$BASE/log' '$BASE/run.out' '$BASE/run.err' $(ls "$BASE"/*.log 2>/dev/null | tr '\n' ' ')"


#
# After Acknowledge-Job the job is ours: a cut document is fetched again into
# the same held CUPS job; one that cannot be had is reported aborted...
#

sim_fault()
{
  sim_curl /sim/faults -X POST -H 'Content-Type: text/plain' --data-binary "$1" >/dev/null 2>&1
}

REPORT_PDF="$top_srcdir/tests/data/quarterly-report.pdf"
cut_job=$(sim_submit "$ALICE" report.pdf "$REPORT_PDF")
check "arm a doc-cut fault (the next Fetch-Document is cut)" sim_fault "doc-cut,count=1"
before=$(queue_jobs Floor3 | wc -w)
run "$RELEASE" --printer Floor3 --user "$ALICE" --job "$cut_job"
sim_curl /sim/faults -X DELETE >/dev/null 2>&1
check "a cut document after Acknowledge-Job is fetched again and released" test "$(run_rc)" = 0
check "... into the same held CUPS job (one new CUPS job)" test "$(queue_jobs Floor3 | wc -w)" = "$((before + 1))"
check "... printed exactly once, byte for byte" upa_wait_for 30 eval 'test "$(copies_of "$REPORT_PDF")" = 1'
check "... completed in the cloud" upa_wait_for 30 sim_job_is "$cut_job" state completed

lost_job=$(sim_submit "$ALICE" lost.pdf "$BOB_PDF")
check "arm a fault: every Fetch-Document refused with client-error-document-access-error" \
  sim_fault "nocommit,op=Fetch-Document,answer=internal-error,ipp-status=client-error-document-access-error,count=-1"
run "$RELEASE" --printer Floor3 --user "$ALICE" --job "$lost_job"
sim_curl /sim/faults -X DELETE >/dev/null 2>&1
check "a document that cannot be had fails the release" test "$(run_rc)" != 0
check "... the claimed job is reported aborted to the cloud, not lost silently" upa_wait_for 30 sim_job_is "$lost_job" state aborted
check "... it stays bound to this output device" sim_job_is "$lost_job" acquiredBy "$device_id"
run "$RELEASE" --recover
check "... and recovery has nothing left to print for it" test "$(copies_of "$BOB_PDF")" = 0
check "... the CUPS copy never printed (no job of it left pending or held)" \
  bash -c "! lpstat -o Floor3 2>/dev/null | grep -q ."


#
# The server changes (another PrinterURI): the output device is introduced
# to it again with every attribute, then only changes go...
#

run "$UPACTL" sync Floor3
check "upactl sync with the same PrinterURI sends nothing" grep -q "nothing changed" "$BASE/run.out"
MOVED_URI="ipps://localhost:$UPA_SIM_PORT/printers/infra"
sed "s|^PrinterURI .*|PrinterURI $MOVED_URI|" "$PWG_CONFIG" >"$BASE/moved.conf"
UPA_CONFIG="$BASE/moved.conf" run "$UPACTL" sync Floor3
check "after PrinterURI changed, upactl sync introduces the device again" grep -q "sent [0-9]* changed attribute" "$BASE/run.out"
check "... and records the new server" grep -q "\"introduced\": *\"$MOVED_URI\"" "$BASE/state/sync/$device_id.json"
UPA_CONFIG="$BASE/moved.conf" run "$UPACTL" sync Floor3
check "... then sends nothing more" grep -q "nothing changed" "$BASE/run.out"
run "$UPACTL" sync Floor3
check "back to the first PrinterURI: introduced again" grep -q "sent [0-9]* changed attribute" "$BASE/run.out"


#
# Direct printing against the Infrastructure Printer: the connector's
# subscription and Get-Notifications name the output device by its
# output-device-uuid, in RFC 8011 order, with HTTP Basic...
#

run "$UPACTL" device set Floor3 direct on
check "upactl device set Floor3 direct on" test "$(run_rc)" = 0
"$UPACTL" sync --watch --sweep 5 >"$BASE/watch.log" 2>&1 &
watch_pid=$!
upa_at_exit 'kill $watch_pid 2>/dev/null; wait $watch_pid 2>/dev/null'
check "the upa-sync service subscribes to the output device's events (pwg)" \
  upa_wait_for 60 grep -q "Direct printing: 1 of 1 channel subscribed" "$BASE/watch.log"
# A document of its own, so its copies can be counted
DIRECT_PDF="$BASE/direct.pdf"
cat "$ALICE_PDF" >"$DIRECT_PDF"
printf '%% direct\n' >>"$DIRECT_PDF"
direct_job=$(sim_submit "$ALICE" direct.pdf "$DIRECT_PDF" "printer=$device_id")
check "a direct job for the output device prints with no release, byte for byte" \
  upa_wait_for 60 eval 'test "$(copies_of "$DIRECT_PDF")" = 1'
check "... completed in the cloud, acquired by the output device" \
  upa_wait_for 30 eval 'sim_job_is "$direct_job" state completed && sim_job_is "$direct_job" acquiredBy "$device_id"'
check "... the emulator never answered bad-request (attribute order)" \
  bash -c "! grep -q 'client-error-bad-request\\|RFC 8011 order' '$BASE/log/cloudsim.log'"
check "bob's job held for release is untouched by the connector" sim_job_is "$bob_job" isFetchable true
kill "$watch_pid" 2>/dev/null
wait "$watch_pid" 2>/dev/null
run "$UPACTL" device set Floor3 direct off
check "upactl device set Floor3 direct off" test "$(run_rc)" = 0


#
# Credentials that lp (or anyone) could read are refused...
#

chmod 0644 "$BASE/pwg.auth"
run "$RELEASE" --printer Floor3 --user "$BOB" --list
check "a world-readable Credentials file is refused" test "$(run_rc)" != 0
check "... with a message naming the Credentials file" grep -q "Credentials file $BASE/pwg.auth must be" "$BASE/run.err"
chmod 0640 "$BASE/pwg.auth"

printf '%s:wrong-password\n' "$PWG_USER" >"$BASE/wrong.auth"
chown root:lp "$BASE/wrong.auth"
chmod 0640 "$BASE/wrong.auth"
sed "s|^Credentials .*|Credentials $BASE/wrong.auth|" "$PWG_CONFIG" >"$BASE/wrong.conf"
UPA_CONFIG="$BASE/wrong.conf" run "$RELEASE" --printer Floor3 --user "$BOB" --list
check "a wrong password fails" test "$(run_rc)" != 0
check "... saying the server refused the Credentials (HTTP 401)" grep -q "refused the Credentials user and password (HTTP 401)" "$BASE/run.err"
check "bob's cloud job is still untouched" sim_job_is "$bob_job" isFetchable true


#
# The other profile against this server, and this profile against the other...
#

# A universal-print configuration: device token, Microsoft's attribute
# order (requesting-user-uri before printer-uri).  The emulator's
# registration service still issues it a device and token.
sed -e '/^Profile /d' -e '/^PrinterURI /d' -e '/^Credentials /d' -e "s|^StateDir .*|StateDir $BASE/state-up|" -e "s|^CacheDir .*|CacheDir $BASE/cache-up|" "$PWG_CONFIG" >"$BASE/up.conf"
mkdir -p "$BASE/state-up" "$BASE/cache-up"
chown root:lp "$BASE/state-up" "$BASE/cache-up"
chmod 2770 "$BASE/state-up" "$BASE/cache-up"
check "lpadmin creates raw queue UP3" lpadmin -p UP3 -v "capture:$BASE/out-up" -E
UPA_CONFIG="$BASE/up.conf" run "$UPACTL" register UP3 --no-sync --admin-token "$UPA_SIM_ADMIN"
check "upactl register UP3 (universal-print) gets a device from the registration service" test "$(run_rc)" = 0
UPA_CONFIG="$BASE/up.conf" run "$RELEASE" --printer UP3 --user "$BOB" --all
check "universal-print against the PWG Infrastructure Printer fails" test "$(run_rc)" != 0
check "... with a clear error (HTTP Basic wanted: Profile pwg)" grep -q "Profile pwg" "$BASE/run.err"
check "bob's cloud job is still untouched by it" sim_job_is "$bob_job" isFetchable true

# Without --basic-auth the PWG server checks nothing but the request: the
# universal-print order itself is refused with bad-request.
cloudsim_kill
UPA_SIM_KEEP_PORT=1 cloudsim_start --profile pwg
UPA_CONFIG="$BASE/up.conf" run "$RELEASE" --printer UP3 --user "$BOB" --all
check "universal-print order against the PWG server (no auth) fails" test "$(run_rc)" != 0
check "... with bad-request naming RFC 8011 order" grep -q "RFC 8011 order" "$BASE/run.err"
check "bob's cloud job is still fetchable" sim_job_is "$bob_job" isFetchable true

# Profile pwg against a Universal Print server: no bearer token -> 401.
cloudsim_kill
UPA_SIM_KEEP_PORT=1 cloudsim_start
before=$(queue_jobs Floor3 | wc -w)
run "$RELEASE" --printer Floor3 --user "$BOB" --all
check "pwg against the Universal Print emulator fails" test "$(run_rc)" != 0
check "... saying it wants a bearer token, not Profile pwg (HTTP 401)" grep -q "wants a bearer token (HTTP 401).*Profile universal-print" "$BASE/run.err"
check "no CUPS job was made for bob on Floor3" test "$(queue_jobs Floor3 | wc -w)" = "$before"

finish
