#!/bin/bash
#
# bench-helper.sh - what a badge tap at a kiosk costs, through the path the
# kiosk really takes: the long-lived release helper (upa-release-helper, as
# root, pam_upa through pam_wrapper, one kept cloud session and cupsd
# connection) on its socket, driven by a protocol client as the kiosk user.
#
#   tap to list     "auth" with a badge (pam_upa: badge store, UPN) and the
#                   first "list" (Get-Jobs in the cloud): what the kiosk shows
#                   (goal: within 150 ms of the tap)
#   release         one "release" of a 1-page PDF until the helper answers
#                   with the CUPS job id (Fetch-Job, held CUPS job,
#                   Fetch-Document, Acknowledge-Job, Release-Job): badge to
#                   CUPS-accepted once the user picked the job (goal: p50
#                   <= 20 ms, p99 <= 50 ms)
#
# Both as p50/p95/p99/max over N taps (N jobs released one per tap), and,
# in the same run, the same release with a fresh upa-release process per job
# (what bench-release.sh measures: program start, configuration, token and
# TLS handshake included).  Prints figures only; asserts nothing about time.
#
# Usage: tests/bench/bench-helper.sh [TAPS]   (default 50; root, a build in
#   $top_builddir, pam_wrapper, python3)
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

taps=${1:-50}

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
HELPER="$top_builddir/release/upa-release-helper"
PAMMOD="$top_builddir/pam_module/.libs/pam_upa.so"
PAMWRAP=$(ls /usr/lib/*/libpam_wrapper.so /usr/lib/libpam_wrapper.so 2>/dev/null | head -n 1)
PYTHON=/usr/bin/python3
ONEPAGE="$top_srcdir/tests/data/hello.pdf"
USER_UPN=tap@contoso.com

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$HELPER"
[ -f "$PAMMOD" ] || upa_fatal "$PAMMOD is not built"
[ -n "$PAMWRAP" ] || { echo "SKIP: pam_wrapper is not installed (libpam-wrapper)"; exit 77; }
[ -x "$PYTHON" ] || { echo "SKIP: $PYTHON is not installed"; exit 77; }
command -v useradd >/dev/null && command -v setpriv >/dev/null ||
  { echo "SKIP: useradd and setpriv are needed"; exit 77; }

upa_tmpdir
# The emulator saves its state at most once a second (bench-throughput.sh
# says why): saving it at every answer costs more as the run adds jobs.
cloudsim_start --save-interval 1000 >/dev/null
upa_write_config "LogLevel warn" >/dev/null
cupsd_start >/dev/null
sed -i 's/^LogLevel debug/LogLevel warn/' "$BASE/cupsd.conf"
cupsd_kill
cupsd_restart || upa_fatal "cupsd restart"

. "$top_srcdir/tests/integration/kiosk-lib.sh"

KUSER=upab$$
useradd -r -M -U -d /nonexistent -s /usr/sbin/nologin "$KUSER" || upa_fatal "useradd $KUSER"
upa_at_exit 'userdel "$KUSER" 2>/dev/null; groupdel "$KUSER" 2>/dev/null'

lpadmin -p Bench -v "capture:$BASE/out" -E || upa_fatal "lpadmin"
"$UPACTL" register Bench --admin-token "$UPA_SIM_ADMIN" >"$BASE/register.log" 2>&1 || upa_fatal "upactl register: $(tail -n 1 "$BASE/register.log")"

printf '4711,%s\n' "$USER_UPN" | badge_store_setup "MaxFailures 50" "UnknownMaxFailures 0" "FailureWindow 300" "LockoutTime 300"

pam_release_setup bench "$HELPER"

release_helper_start 0
upa_watchdog "$helper_pid"
upa_at_exit 'kill $helper_pid 2>/dev/null'
upa_wait_for 20 test -S "$SOCK" || upa_fatal "upa-release-helper did not start: $(tail -n 3 "$BASE/helper.log")"

# The kiosk's side: per tap, one connection as the kiosk user (hello, auth,
# list), then the release of the one job listed; times in ms on stdout as
# "list MS" and "release MS".
cat >"$BASE/tap.py" <<'EOF'
import json, socket, sys, time
def call(f, req):
    f.write((json.dumps(req) + "\n").encode())
    f.flush()
    while True:
        line = f.readline()
        if not line:
            sys.exit("helper hung up")
        m = json.loads(line)
        if "progress" not in m:
            if m.get("error"):
                sys.exit("helper: %s: %s" % (m.get("error"), m.get("message")))
            return m
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
f = s.makefile("rwb")
call(f, {"op": "hello", "station": "bench"})
t0 = time.monotonic()
call(f, {"op": "auth", "badge": sys.argv[2]})
jobs = call(f, {"op": "list", "queue": "Bench"})["jobs"]
t1 = time.monotonic()
if len(jobs) != 1:
    sys.exit("expected one job, got %d" % len(jobs))
t2 = time.monotonic()
call(f, {"op": "release", "queue": "Bench", "job": jobs[0]["id"]})
t3 = time.monotonic()
call(f, {"op": "logout"})
print("list %.1f" % ((t1 - t0) * 1000))
print("release %.1f" % ((t3 - t2) * 1000))
EOF
chmod 0644 "$BASE/tap.py"

: >"$BASE/times"
for ((i = 1; i <= taps; i ++)); do
  sim_submit "$USER_UPN" "tap-$i.pdf" "$ONEPAGE" >/dev/null || upa_fatal "submit"
  setpriv --reuid="$KUSER" --regid="$(id -g "$KUSER")" --clear-groups "$PYTHON" "$BASE/tap.py" "$SOCK" 4711 >>"$BASE/times" 2>"$BASE/tap.err" ||
    upa_fatal "tap $i: $(tail -n 1 "$BASE/tap.err"); helper: $(tail -n 2 "$BASE/helper.log")"
done

# The same releases with a fresh upa-release per job (bench-release.sh's figure)
for ((i = 1; i <= taps; i ++)); do
  job=$(sim_submit "$USER_UPN" "cli-$i.pdf" "$ONEPAGE") || upa_fatal "submit"
  t0=$(date +%s%N)
  "$RELEASE" --printer Bench --user "$USER_UPN" --job "$job" >/dev/null 2>>"$BASE/cli.err" || upa_fatal "upa-release: $(tail -n 1 "$BASE/cli.err")"
  t1=$(date +%s%N)
  echo "cli $(((t1 - t0) / 100000))" | awk '{printf "%s %.1f\n", $1, $2 / 10}' >>"$BASE/times"
done

# stats KIND LABEL: p50/p95/p99/max of one kind (nearest rank)
stats()
{
  awk -v k="$1" '$1 == k {print $2}' "$BASE/times" | sort -n | awk -v label="$2" '
    {v[NR] = $1}
    function p(q) {i = int((q * NR + 99) / 100); if (i < 1) i = 1; return v[i]}
    END {printf "%-46s p50 %6.1f  p95 %6.1f  p99 %6.1f  max %6.1f ms  (%d taps)\n", label, p(50), p(95), p(99), v[NR], NR}'
}

echo "# bench-helper: $taps taps, 1-page PDF, emulator on loopback, capture queue"
stats list "tap to job list (auth + Get-Jobs), helper:"
stats release "release to CUPS-accepted, helper:"
stats cli "release to CUPS-accepted, upa-release process:"
