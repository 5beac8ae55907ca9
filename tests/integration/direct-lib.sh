#
# direct-lib.sh - helpers shared by the direct-printing tests (direct.sh,
# direct-many.sh); sourced after lib.sh, with UPACTL and PDF set.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

# Start the sync service (direct printing) with a sweep every SWEEP seconds
# (default 3); its log is $BASE/log/watch.log.
start_service()
{
  "$UPACTL" -v sync --watch --interval 3600 --sweep "${1:-3}" >>"$BASE/log/watch.log" 2>&1 &
  WATCH_PID=$!
  upa_watchdog "$WATCH_PID"
}

# Stop it (SIGTERM, then SIGKILL after 60 s).
stop_service()
{
  [ -n "${WATCH_PID:-}" ] || return 0
  kill -TERM "$WATCH_PID" 2>/dev/null
  upa_wait_for 60 upa_pid_gone "$WATCH_PID" || kill -KILL "$WATCH_PID" 2>/dev/null
  wait "$WATCH_PID" 2>/dev/null
  WATCH_PID=
}

# A document unique to one case (the same PDF plus a comment line).
unique_pdf()
{
  cat "$PDF" >"$BASE/doc-$1.pdf"
  printf '%% case %s\n' "$1" >>"$BASE/doc-$1.pdf"
  echo "$BASE/doc-$1.pdf"
}

# Number of CUPS jobs of a queue (any state).
queue_count()
{
  lpstat -W all -o "$1" 2>/dev/null | wc -l
}

# Succeed when the service log has a line matching a pattern (at least N times).
watch_logged()
{
  [ "$(grep -cE "$1" "$BASE/log/watch.log")" -ge "${2:-1}" ]
}
