#!/bin/bash
#
# sec-escapes.sh - terminal escapes in cloud job names never reach a terminal (issue 15, item 8).
#
# Any user of the tenant names their print job.  A name carrying an OSC
# sequence (ESC ] 0;... BEL retitles the terminal, ESC ] 52 writes the
# clipboard, ESC ] 8 makes hidden links) and CSI codes (erase the screen,
# move the cursor, colours) was printed unchanged by "upactl jobs" and
# "upa-release --list" to the admin's or the kiosk's terminal.  Both must
# show the name without any control character, and so must their -v logs.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
MALLORY=mallory@contoso.com
PDF="$top_srcdir/tests/data/hello.pdf"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"
command -v jq >/dev/null || { echo "SKIP: jq is needed"; exit 77; }

upa_tmpdir
cloudsim_start
upa_write_config
cupsd_start


#
# Helpers for this test...
#

# Run a program, keeping its stdout+stderr and exit status in $BASE/run.*.
run()
{
  "$@" >"$BASE/run.out" 2>&1 </dev/null
  echo $? >"$BASE/run.rc"
  sed -n l "$BASE/run.out" | sed 's/^/# output: /'
}

run_rc()
{
  cat "$BASE/run.rc"
}

# Succeed when the last output holds no C0 control (but newline), no DEL
# and no UTF-8 C1 control.
no_controls()
{
  ! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$BASE/run.out"
}


#
# A queue, and a held job with a hostile name...
#

check "lpadmin creates raw queue Floor3 printing to capture:" \
  lpadmin -p Floor3 -v "capture:$BASE/out" -E
check "upactl register Floor3" \
  "$UPACTL" register Floor3 --admin-token "$UPA_SIM_ADMIN"

NAME=$'Pay\e]0;PWNED-TITLE\aroll\e[2J\e[H\e[31m.pdf\e[0m\e]52;c;Y3VybCBldmlsfHNo\a\e]8;;http://evil.example/\e\\x\e]8;;\e\\\xc2\x9b1m'
JOB=$(sim_submit "$MALLORY" "$NAME" "$PDF")
check "a job named with OSC and CSI sequences is held for $MALLORY" test -n "$JOB"

run "$UPACTL" -v jobs Floor3 --user "$MALLORY"
check "upactl jobs lists it" test "$(run_rc)" = 0
check "upactl jobs shows the name stripped (Payroll.pdfx)" grep -qF "Payroll.pdfx" "$BASE/run.out"
check "upactl jobs -v prints no control character" no_controls
check "upactl jobs shows no OSC payload" bash -c "! grep -qE 'PWNED-TITLE|Y3VybCBldmlsfHNo|evil.example' '$BASE/run.out'"

run "$RELEASE" --printer Floor3 --user "$MALLORY" --list
check "upa-release --list lists it" test "$(run_rc)" = 0
check "upa-release --list shows the name stripped (Payroll.pdfx)" grep -qF "'Payroll.pdfx'" "$BASE/run.out"
check "upa-release --list prints no control character" no_controls
check "upa-release --list shows no OSC payload" bash -c "! grep -qE 'PWNED-TITLE|Y3VybCBldmlsfHNo|evil.example' '$BASE/run.out'"

finish
