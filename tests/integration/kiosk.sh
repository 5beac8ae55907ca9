#!/bin/bash
#
# kiosk.sh - the upa-release kiosk driven through a terminal (tmux).
#
# A private cupsd with queues Floor3 and Floor4 (capture backend behind the
# upa backend), upa-cloudsim holding the users' jobs, and the PAM service
# "upa-release" in a private directory (pam_wrapper) running the built
# pam_upa.so with a private badge.conf, site key and store made with
# "upactl badge".  The test types badges and keys into the kiosk with tmux
# send-keys and reads the screen with capture-pane: select one of three,
# release all, empty list, unknown badge, disabled badge, printer stopped
# (another queue offered), a job stolen between list and release, a PIN
# typed through the kiosk (wrong, then right), the token expiring while the
# user is at the prompt, lockout after repeated wrong PINs, idle logout.
#
# The kiosk runs as a throwaway unprivileged user and does everything
# through upa-release-helper (root, pam_wrapper), as upa-kiosk@.service
# does; tests/security/kiosk-helper.sh attacks that split.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
HELPER="$top_builddir/release/upa-release-helper"
STEAL="$top_builddir/tests/integration/upa-steal"
PAMMOD="$top_builddir/pam_module/.libs/pam_upa.so"
PAMWRAP=$(ls /usr/lib/*/libpam_wrapper.so /usr/lib/libpam_wrapper.so 2>/dev/null | head -n 1)
ALICE=alice@contoso.com
BOB=bob@contoso.com
CAROL=carol@contoso.com
DAVE=dave@contoso.com
ERIN=erin@contoso.com
PDF1="$top_srcdir/tests/data/hello.pdf"
PDF2="$top_srcdir/tests/data/bob.pdf"
PDF3="$top_srcdir/tests/data/quarterly-report.pdf"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$HELPER"
upa_need_program "$STEAL"
upa_need_program "$top_builddir/backend/upa"
[ -f "$PAMMOD" ] || upa_fatal "$PAMMOD is not built"
[ -n "$PAMWRAP" ] || { echo "SKIP: pam_wrapper is not installed (libpam-wrapper)"; exit 77; }
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
command -v useradd >/dev/null && command -v setpriv >/dev/null ||
  { echo "SKIP: useradd and setpriv are needed"; exit 77; }

upa_tmpdir
# Short-lived device tokens: the token-expiry case waits one out at the prompt.
cloudsim_start --token-lifetime 6
upa_write_config
cupsd_start


#
# Helpers...
#

. "$top_srcdir/tests/integration/kiosk-lib.sh"

# A badge tap: the reader types the number and Enter on the terminal.
tap()
{
  keys -l "$1"
  keys Enter
}

# Number of files the capture backend wrote.
outputs()
{
  ls "$BASE/out"/job-*.out 2>/dev/null | wc -l
}

# Succeed when some printed file is byte-identical to a document.
printed()
{
  local f

  for f in "$BASE/out"/job-*.out; do
    cmp -s "$1" "$f" && return 0
  done
  return 1
}


#
# Queues, badges, PAM...
#

for q in Floor3 Floor4; do
  lpadmin -p "$q" -v "capture:$BASE/out" -E || upa_fatal "lpadmin $q"
  "$UPACTL" register "$q" --admin-token "$UPA_SIM_ADMIN" >"$BASE/register-$q.log" 2>&1 ||
    { cat "$BASE/register-$q.log"; upa_fatal "upactl register $q"; }
done
dev3=$(lpstat -v Floor3 | sed -n 's,^device for Floor3: upa://\([^/]*\)/.*,\1,p')
dev4=$(lpstat -v Floor4 | sed -n 's,^device for Floor4: upa://\([^/]*\)/.*,\1,p')
upa_log "devices: Floor3 $dev3, Floor4 $dev4"

# pam_upa's own store: keyed hashes made by "upactl badge", never numbers.
# No debounce (the test taps one badge several times in a row); three
# failures of one badge lock it at this station.
printf '1001,%s\n1002,%s\n1003,%s,4321\n1005,%s,2468\n' "$ALICE" "$BOB" "$CAROL" "$DAVE" | badge_store_setup "MaxFailures 3" "FailureWindow 300" "LockoutTime 300"
printf '1004\n' | "$UPACTL" badge -C "$BASE/badge.conf" add --disabled "$ERIN" >>"$BASE/badge.log" 2>&1 ||
  { cat "$BASE/badge.log"; upa_fatal "upactl badge add --disabled"; }
check "the store holds five badges, no badge number" \
  eval '[ "$(grep -c @contoso.com "$BASE/badges")" = 5 ] && ! grep -qE "(^| )100[1-5]( |$)" "$BASE/badges"'

pam_release_setup floor3 "$RELEASE"

# The journal of an earlier life of the station: one release finished 40
# days ago (start-up compaction drops it), one yesterday (kept); 0660 as
# earlier versions made it.
now=$(date +%s)
printf '%s done 00000000-0000-4000-8000-0000000000aa 7 70 mailto:old@contoso.com\n%s done 00000000-0000-4000-8000-0000000000aa 8 80 mailto:recent@contoso.com\n' \
  $((now - 40 * 86400)) $((now - 86400)) >"$BASE/state/journal"
chown root:lp "$BASE/state/journal"
chmod 0660 "$BASE/state/journal"

# The kiosk's account: a throwaway system user, the only one the helper serves
KUSER=upak$$
useradd -r -M -U -d /nonexistent -s /usr/sbin/nologin "$KUSER" || upa_fatal "useradd $KUSER"
upa_at_exit 'userdel "$KUSER" 2>/dev/null; groupdel "$KUSER" 2>/dev/null'

env LD_PRELOAD="$PRELOAD" $WRAPENV PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$BASE/pam.d" UPA_CONFIG="$UPA_CONFIG" CUPS_SERVER="$CUPS_SERVER" \
  "$HELPER" --socket "$BASE/helper.sock" --allow-user "$KUSER" 2>>"$BASE/helper.log" &
helper_pid=$!
upa_at_exit 'kill $helper_pid 2>/dev/null'
upa_wait_for 20 test -S "$BASE/helper.sock" || { cat "$BASE/helper.log"; upa_fatal "upa-release-helper did not start"; }

KIOSK_BIN=$(upa_user_program "$RELEASE")
tmux -S "$TMUX_SOCK" new-session -d -s "$SESSION" -x 120 -y 30 \
  "setpriv --reuid=$KUSER --regid=$KUSER --clear-groups env TERM=xterm \
   $KIOSK_BIN --kiosk --helper $BASE/helper.sock --printer Floor3,Floor4 --idle-timeout 30 --print-wait 30 --job-lifetime 259200 2>>$BASE/kiosk.log; echo kiosk-exited-\$?; sleep 60" ||
  upa_fatal "tmux"
upa_at_exit 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; if [ "$upa_tests_failed" != 0 ]; then for f in kiosk.log helper.log; do echo "# ---- $f ----"; tail -n 80 "$BASE/$f" | sed "s/^/# /"; done; fi'

check "the kiosk shows the idle screen" screen_has 'Tap your badge'
check "the kiosk runs as the unprivileged user, the helper as root" \
  eval '[ -n "$(pgrep -u "$KUSER" -x upa-release)" ] && [ "$(ps -o uid= -p $helper_pid | tr -d " ")" = 0 ]'
check "the idle screen shows both printers ready" screen_has 'Printer Floor4: ready'
check "start-up compacted the journal: the release of 40 days ago is gone" \
  eval '! grep -q " 7 70 " "$BASE/state/journal"'
check "... yesterday's is kept, and the journal is root:lp 0640 now (only root writes it)" \
  eval 'grep -q " 8 80 " "$BASE/state/journal" && [ "$(stat -c %U:%G:%a "$BASE/state/journal")" = root:lp:640 ]'


#
# Unknown badge...
#

tap 9999
check "an unknown badge is refused on screen" screen_has 'Badge not recognised'
check "... and the kiosk goes back to waiting" screen_has 'Tap your badge' 10


#
# Disabled badge (pam_upa's account stage)...
#

tap 1004
check "a disabled badge is refused with pam_upa's reason" screen_has 'This badge has been disabled' 10
check "... and the kiosk goes back to waiting" screen_has 'Tap your badge' 10


#
# Alice: select one of three...
#

a1=$(sim_submit "$ALICE" "hello.pdf" "$PDF1")
a2=$(sim_submit "$ALICE" "bob.pdf" "$PDF2" "sides=two-sided-long-edge&print-color-mode=monochrome")
a3=$(sim_submit "$ALICE" "quarterly-report.pdf" "$PDF3")
upa_log "alice's jobs: $a1 $a2 $a3"

tap 1001
check "alice sees her three jobs" screen_has 'alice@contoso.com - 3 jobs'
check "... with names, format and options" screen_has 'bob\.pdf +[0-9?]+ +[0-9:]+ +(2d 23h|3d 0h) +PDF +mono duplex'
keys Down Space Enter
check "the selected job is printed (done)" screen_has 'bob\.pdf +done' 40
screen >"$BASE/screen.1"
check "the kiosk logs out after completion" screen_has 'Tap your badge' 20
check "exactly one CUPS job was created" test "$(queue_jobs Floor3)" = 1
check "the printed file is alice's second document" printed "$PDF2"
check "the second cloud job is completed" upa_wait_for 30 sim_job_is "$a2" state completed
check "the first and third are still fetchable" \
  eval 'sim_job_is "$a1" isFetchable true && sim_job_is "$a3" isFetchable true'
check "the queue's lack of duplex was reported in the logs" grep -q 'cannot honour: .*sides=two-sided-long-edge' "$BASE/kiosk.log" "$BASE/helper.log"
check "... and on screen" eval 'grep -q "Floor3 cannot honour: .*sides=two-sided-long-edge" "$BASE/screen.1"'


#
# Alice again: release all...
#

tap 1001
check "alice sees her two remaining jobs" screen_has 'alice@contoso.com - 2 jobs'
keys p
check "both are printed" screen_has 'quarterly-report\.pdf +done' 40
check "the kiosk logs out" screen_has 'Tap your badge' 20
check "three CUPS jobs in all on Floor3" test "$(queue_jobs Floor3)" = 3
check "three output files in all" test "$(outputs)" = 3
check "every document printed once, byte-identical" \
  eval 'printed "$PDF1" && printed "$PDF2" && printed "$PDF3"'
check "all of alice's cloud jobs are completed" \
  upa_wait_for 30 eval 'sim_job_is "$a1" state completed && sim_job_is "$a3" state completed'


#
# Empty list...
#

tap 1001
check "an empty list says so" screen_has 'No print jobs available'
check "... and logs out" screen_has 'Tap your badge' 15


#
# Printer stopped: refused, another queue offered...
#

b1=$(sim_submit "$BOB" "bob-stopped.pdf" "$PDF2")
cupsdisable -r "out of paper" Floor3
check "the idle screen shows Floor3 stopped" screen_has 'Floor3: queue Floor3 is stopped' 15
tap 1002
check "bob sees his job" screen_has 'bob@contoso.com - 1 job'
check "the station picked the ready printer (Floor4)" screen_has 'Floor4: ready'
keys Tab
check "Tab switches to Floor3, which cannot print" screen_has 'Floor3 cannot print now' 10
keys Enter
check "printing at stopped Floor3 is refused, Floor4 offered" screen_has 'Cannot print: queue Floor3 is stopped.*Tab to print at Floor4' 10
check "... and nothing was fetched into Floor3" test "$(queue_jobs Floor3)" = 3
check "... and bob's job is still fetchable" sim_job_is "$b1" isFetchable true
keys Tab Enter
check "bob's job prints at Floor4" screen_has 'bob-stopped\.pdf +done' 40
check "it is one CUPS job on Floor4" test "$(queue_jobs Floor4)" = 1
check "bob's cloud job was acquired by Floor4's device" sim_job_is "$b1" acquiredBy "$dev4"
check "the kiosk logs out" screen_has 'Tap your badge' 20
cupsenable Floor3


#
# A job stolen between list and release...
#

b2=$(sim_submit "$BOB" "stolen.pdf" "$PDF1")
b3=$(sim_submit "$BOB" "kept.pdf" "$PDF3")
b4=$(sim_submit "$BOB" "canceled.pdf" "$PDF3")
tap 1002
check "bob sees three jobs" screen_has 'bob@contoso.com - 3 jobs'
check "another printer takes one (Acknowledge-Job as Floor4)" "$STEAL" Floor4 "$b2" "$BOB"
check "the user cancels another in the cloud" sim_curl "/sim/jobs/$b4/cancel" -X POST
before=$(outputs)
keys p
check "the stolen job is reported, not printed" screen_has 'stolen\.pdf +failed: no longer available' 40
check "the canceled job is reported, not printed" screen_has 'canceled\.pdf +failed: no longer available' 40
check "the other job prints" screen_has 'kept\.pdf +done' 40
check "exactly one more output file" test "$(outputs)" = $((before + 1))
check "the stolen job stays with the other printer" sim_job_is "$b2" acquiredBy "$dev4"
check "the kiosk logs out" screen_has 'Tap your badge' 20


#
# PIN and the token expiring at the prompt...
#

c1=$(sim_submit "$CAROL" "carol.pdf" "$PDF1")
tap 1003
check "carol is asked for her PIN (pam_upa, through the kiosk)" screen_has 'PIN:'
keys -l 1234
keys Enter
check "a wrong PIN is refused" screen_has 'Wrong PIN' 10
check "... and nothing of carol's is shown" eval '! screen | grep -q carol.pdf'
check "... and the kiosk goes back to waiting" screen_has 'Tap your badge' 10
tap 1003
check "carol is asked for her PIN again" screen_has 'PIN:'
keys -l 4321
keys Enter
check "carol sees her job" screen_has 'carol@contoso.com - 1 job'
requests=$(sim_curl "/sim/devices/$dev3" | jq -r .tokenRequests)
upa_log "waiting 8 s at the prompt (tokens live 6 s)"
sleep 8
keys Enter
check "carol's job prints after the token expired at the prompt" screen_has 'carol\.pdf +done' 40
check "a new device token was requested" \
  test "$(sim_curl "/sim/devices/$dev3" | jq -r .tokenRequests)" -gt "$requests"
check "carol's cloud job completes" upa_wait_for 30 sim_job_is "$c1" state completed


#
# Lockout: three wrong PINs lock dave's badge at this station...
#

d1=$(sim_submit "$DAVE" "dave.pdf" "$PDF1")
check "the kiosk is back at the idle screen" screen_has 'Tap your badge' 20
for attempt in 1 2 3; do
  tap 1005
  check "dave is asked for his PIN (attempt $attempt)" screen_has 'PIN:'
  keys -l 9999
  keys Enter
  check "... a wrong PIN is refused" screen_has 'Wrong PIN' 10
  check "... and the kiosk goes back to waiting" screen_has 'Tap your badge' 10
done
tap 1005
check "the fourth tap is locked out without a PIN prompt" screen_has 'Too many failed attempts' 10
check "... and dave's job was not released" sim_job_is "$d1" isFetchable true
check "... and the kiosk goes back to waiting" screen_has 'Tap your badge' 10


#
# Idle timeout...
#

c2=$(sim_submit "$CAROL" "carol2.pdf" "$PDF1")
check "the kiosk is back at the idle screen" screen_has 'Tap your badge' 20
tap 1003
screen_has 'PIN:' >/dev/null && { keys -l 4321; keys Enter; }
check "carol sees her new job" screen_has 'carol2\.pdf'
check "an idle user is logged out after --idle-timeout" screen_has 'Tap your badge' 45
check "... and the job was not released" sim_job_is "$c2" isFetchable true

check "the kiosk is still running" eval '! screen | grep -q kiosk-exited'


#
# The PAM service is the helper's choice, never an unprivileged kiosk's...
#

tmux -S "$TMUX_SOCK" new-session -d -s deny -x 120 -y 30 \
  "env UPA_CONFIG=$UPA_CONFIG CUPS_SERVER=$CUPS_SERVER TERM=xterm setpriv --reuid=nobody --regid=nogroup --clear-groups \
   $KIOSK_BIN --kiosk --printer Floor3 --pam-service login 2>$BASE/deny.err; echo \$? >$BASE/deny.rc" ||
  upa_fatal "tmux"
check "--kiosk --pam-service run by nobody exits 7" upa_wait_for 20 eval 'test "$(cat "$BASE/deny.rc" 2>/dev/null)" = 7'
check "... saying the helper chooses it" grep -q -- '--pam-service is chosen by the release helper' "$BASE/deny.err"

finish
