#!/bin/sh
#
# demo.sh - set up and run the release demo, narrated:
#
#   sh scripts/demo.sh
#
# Installs the dependencies, builds build/plain, then runs one pull-printing
# round trip against the local Universal Print Anywhere emulator: a user's
# job waits in the cloud, the user taps a badge at the release station
# (upa-release --kiosk, pam_upa.so) of queue Floor3 of a private
# cupsd, the page comes out (into a capture directory), and the cloud shows
# the job completed.  Exits 0 only when every step happened.  Run as root.
# UPA_KEEP=1 keeps the demo directory (logs, captured page) afterwards.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

# The demo shares tests/integration/lib.sh, which is bash.
if [ -z "${BASH_VERSION:-}" ]; then
  exec bash "$0" "$@"
fi

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
step_no=0


# Print a numbered narration line.
say()
{
  step_no=$((step_no + 1))
  echo
  echo "[$step_no] $*"
}

# Print a follow-up line for the current step.
note()
{
  echo "    $*"
}

# Stop the demo with a reason.
die()
{
  echo "demo.sh: FAILED: $*" >&2
  exit 1
}


if [ "$(id -u)" != 0 ]; then
  die "run as root (it installs packages and runs a private cupsd whose backends run as lp)"
fi

say "Install the Debian packages cups-upa needs (scripts/deps.sh)"
sh "$top/scripts/deps.sh" || die "installing dependencies"

say "Build cups-upa in build/plain (autoreconf, configure, make)"
mkdir -p "$top/build/plain"
# Regenerate the build system when it is missing or older than its sources.
regen=no
if [ ! -x "$top/configure" ] || [ ! -f "$top/build-aux/ltmain.sh" ] || [ ! -f "$top/Makefile.in" ]; then
  regen=yes
else
  for f in "$top/configure.ac" "$top/Makefile.am" "$top"/*/local.mk "$top"/tests/*/local.mk; do
    [ "$f" -nt "$top/Makefile.in" ] && regen=yes
  done
fi
if [ "$regen" = yes ]; then
  flock /tmp/upa-autoreconf.lock autoreconf -fi >"$top/build/autoreconf.log" 2>&1 ||
    { cat "$top/build/autoreconf.log"; die "autoreconf"; }
fi
if [ ! -f "$top/build/plain/Makefile" ]; then
  (cd "$top/build/plain" && "$top/configure" -q) || die "configure"
fi
(cd "$top/build/plain" && make -s -j"$jobs" >"$top/build/plain-make.log" 2>&1) ||
  { tail -n 40 "$top/build/plain-make.log"; die "make (log: build/plain-make.log)"; }
note "built: $(cd "$top/build/plain" && ls backend/upa release/upa-release tools/upactl cloudsim/upa-cloudsim 2>/dev/null | tr '\n' ' ')"

top_srcdir=$top
top_builddir=$top/build/plain
export top_srcdir top_builddir
. "$top/tests/integration/lib.sh"

for prog in tools/upactl release/upa-release backend/upa cloudsim/upa-cloudsim; do
  [ -x "$top_builddir/$prog" ] || die "$prog was not built"
done

upa_tmpdir
note "demo directory: $BASE"

say "Start the Universal Print Anywhere emulator (upa-cloudsim) on loopback with its own throwaway CA"
cloudsim_start
note "cloud at $UPA_SIM_URL (CA $UPA_SIM_CA)"
upa_write_config
note "cups-upa.conf: $UPA_CONFIG"

say "Start a private CUPS server configured like Debian's (stock policy, backends run as lp)"
cupsd_start

say "The admin creates queue Floor3; its \"printer\" writes each job into $BASE/out"
lpadmin -p Floor3 -v "capture:$BASE/out" -E -D "Floor 3 printer" -L "Floor 3, near the lifts" ||
  die "lpadmin"
lpstat -v Floor3 | sed 's/^/    /'

say "The admin registers Floor3 with Universal Print: upactl register Floor3"
"$top_builddir/tools/upactl" register Floor3 --admin-token "$UPA_SIM_ADMIN" 2>&1 | sed 's/^/    /'
[ "${PIPESTATUS[0]}" = 0 ] || die "upactl register"
device_uri=$(lpstat -v Floor3 | sed -n 's/^device for Floor3: //p')
case "$device_uri" in
  upa://*) ;;
  *) die "Floor3's device URI is not upa:// after registration: $device_uri" ;;
esac
device_id=$(sed -n 's,^upa://\([^/]*\)/.*,\1,p' <<<"$device_uri")
note "Floor3 now prints through the upa backend: $device_uri"
note "cloud device: $(sim_curl "/sim/devices/$device_id" | jq -c '{id, name}')"

say "alice@contoso.com sends 'Quarterly report.pdf' from her laptop to Universal Print Anywhere"
doc="$top/tests/data/quarterly-report.pdf"
job=$(sim_submit alice@contoso.com "Quarterly report.pdf" "$doc") || die "submitting to the cloud"
note "the cloud holds job $job for alice: $(sim_curl "/sim/jobs/$job" | jq -c '{id, user, name, state}')"

say "The admin enrols alice's badge 04A1B2C3 in the badge store of pam_upa (upactl badge)"
cat >"$BASE/badge.conf" <<EOF2
# pam_upa configuration for the demo: local keyed-hash badge store.
Sources local
Store $BASE/badges
KeyFile $BASE/badge.key
StateDir $BASE/badge-state
Pin off
EOF2
"$top_builddir/tools/upactl" badge -C "$BASE/badge.conf" init 2>&1 | sed 's/^/    /'
printf '04A1B2C3\n' | "$top_builddir/tools/upactl" badge -C "$BASE/badge.conf" add alice@contoso.com 2>&1 | sed 's/^/    /'
[ "${PIPESTATUS[1]}" = 0 ] || die "upactl badge add"
note "the store keeps only a keyed hash of the card number:"
"$top_builddir/tools/upactl" badge -C "$BASE/badge.conf" list 2>&1 | sed 's/^/    /'

say "The release station at Floor3 starts: upa-release --kiosk, authenticating badges with pam_upa.so"
# The PAM service "upa-release" as an admin would write it to /etc/pam.d;
# pam_wrapper reads it from the demo directory so the machine's PAM
# configuration is left alone.
pammod="$top_builddir/pam_module/.libs/pam_upa.so"
pamwrap=$(ls /usr/lib/*/libpam_wrapper.so /usr/lib/libpam_wrapper.so 2>/dev/null | head -n 1)
[ -e "$pammod" ] || die "no $pammod"
[ -n "$pamwrap" ] || die "pam_wrapper is not installed (libpam-wrapper)"
mkdir -p "$BASE/pam.d"
cat >"$BASE/pam.d/upa-release" <<EOF2
auth     required $pammod config=$BASE/badge.conf station=floor3
account  required $pammod config=$BASE/badge.conf station=floor3
EOF2
sed 's/^/    /' "$BASE/pam.d/upa-release"
tsock="$BASE/tmux.sock"
tmux -S "$tsock" new-session -d -s kiosk -x 100 -y 24 \
  "env LD_PRELOAD=$pamwrap PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$BASE/pam.d UPA_CONFIG=$UPA_CONFIG CUPS_SERVER=$CUPS_SERVER TERM=xterm \
   $top_builddir/release/upa-release --kiosk --printer Floor3 --idle-timeout 60 2>>$BASE/log/kiosk.log; sleep 30" ||
  die "tmux"
upa_at_exit 'tmux -S "'"$tsock"'" kill-server 2>/dev/null'

screen()
{
  tmux -S "$tsock" capture-pane -p -t kiosk
}

screen_shows()
{
  local deadline=$((SECONDS + $2))

  while ! screen | grep -qE "$1"; do
    if ((SECONDS >= deadline)); then
      screen | sed 's/^/    | /'
      sed 's/^/    kiosk.log: /' "$BASE/log/kiosk.log" | tail -n 20
      die "the kiosk does not show \"$1\""
    fi
    sleep 0.2
  done
}

show_screen()
{
  screen | sed 's/ *$//' | cat -s | sed 's/^/    | /'
}

screen_shows 'Tap your badge' 20
show_screen

say "alice taps her badge at Floor3 (the card reader types 04A1B2C3 and Enter)"
tmux -S "$tsock" send-keys -t kiosk -l 04A1B2C3
tmux -S "$tsock" send-keys -t kiosk Enter
screen_shows 'alice@contoso.com - 1 job' 20
note "pam_upa mapped the badge to alice@contoso.com; the kiosk lists her job from the cloud:"
show_screen

say "alice presses P to print all her jobs"
tmux -S "$tsock" send-keys -t kiosk p
screen_shows 'done' 60
show_screen

say "Floor3 prints the page"
cups_job=$(lpstat -W all -o Floor3 | awk '{print $1}' | sed 's/.*-//' | sort -n | tail -n 1)
[ -n "$cups_job" ] || die "no CUPS job on Floor3"
wait_cups_job Floor3 "$cups_job" completed 60 || die "CUPS job Floor3-$cups_job did not complete"
out="$BASE/out/job-$cups_job.out"
note "CUPS job Floor3-$cups_job completed; the printer received $out:"
ls -l "$out" | sed 's/^/    /'
pdfinfo "$out" | grep -E '^(Pages|Page size|Producer):' | sed 's/^/    /'
cmp -s "$doc" "$out" || die "the printed file differs from alice's document"
note "byte-identical to the document alice sent"

say "Universal Print shows the job completed on Floor3"
# The backend reports the final state once the page is out; give it a moment.
cloud_completed()
{
  [ "$(sim_job "$job" state)" = completed ]
}
upa_wait_for 30 cloud_completed
sim_curl "/sim/jobs/$job" | jq '{id, user, name, state, acquiredBy, acknowledgedDateTime, impressionsCompleted}' | sed 's/^/    /'
[ "$(sim_job "$job" state)" = completed ] || die "the cloud job is not completed"
[ "$(sim_job "$job" acquiredBy)" = "$device_id" ] || die "the cloud job was not acquired by Floor3"

echo
echo "Demo complete: badge tap at Floor3 -> printed page -> 'completed' in the cloud."
exit 0
