#!/bin/bash
#
# lib.sh - helpers for the integration tests (source it from bash).
#
# A test gets a private cupsd configured like a Debian server (stock policy,
# backends run as lp), the upa-cloudsim emulator on a loopback port, a
# cups-upa.conf pointing at both, and TAP-like "ok N - ..." reporting:
#
#   . "$top_srcdir/tests/integration/lib.sh"
#   upa_need_root; upa_tmpdir; cloudsim_start; upa_write_config; cupsd_start
#   check "queue exists" lpstat -p Floor3
#   finish
#
# Everything is removed on exit unless UPA_KEEP=1.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

# Where the sources and the build are: automake exports both; a manual run
# from the source tree builds nothing, so top_builddir must then be given.
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

upa_tests_run=0
upa_tests_failed=0
upa_cleanups=()
upa_failed_setup=0

# Bounded waits (seconds); slow sanitizer builds may raise them.
: "${UPA_WAIT:=30}"


#
# 'upa_log()' - Print a diagnostic line (TAP comment) to stdout.
#

upa_log()
{
  echo "# $*"
}


#
# 'upa_fatal()' - Report a setup failure and exit (cleanups run).
#

upa_fatal()
{
  echo "Bail out! $*"
  upa_failed_setup=1
  exit 99
}


#
# 'upa_need_root()' - Skip (exit 77) unless running as root.
#

upa_need_root()
{
  if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (a private cupsd runs its backends as lp)"
    exit 77
  fi
}


#
# 'upa_need_program()' - Skip unless an executable exists (missing component).
#

upa_need_program()
{
  if [ ! -x "$1" ]; then
    echo "SKIP: $1 is not built"
    exit 77
  fi
}


#
# 'upa_at_exit()' - Register a cleanup command; cleanups run in reverse order.
#

upa_at_exit()
{
  upa_cleanups+=("$*")
}


#
# 'upa_run_cleanups()' - EXIT trap: undo everything, newest first.
#

upa_run_cleanups()
{
  local rc=$?
  local i

  trap - EXIT
  for ((i = ${#upa_cleanups[@]} - 1; i >= 0; i --)); do
    UPA_EXIT_STATUS=$rc eval "${upa_cleanups[i]}" || true
  done
  exit "$rc"
}

trap upa_run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


#
# 'upa_tmpdir()' - Create $BASE, a fresh 0755 directory under /tmp.
#
# Everything cupsd's children (running as lp) must reach lives below it, so
# it and its parents must be traversable by lp.
#

upa_tmpdir()
{
  BASE=$(mktemp -d /tmp/upa-test.XXXXXX) || upa_fatal "mktemp failed"
  chmod 0755 "$BASE"
  export BASE
  if [ "${UPA_KEEP:-0}" = 1 ]; then
    upa_at_exit 'echo "# UPA_KEEP=1: kept $BASE"'
  else
    upa_at_exit 'rm -rf "$BASE"'
  fi
}


#
# 'upa_free_port()' - Print a loopback TCP port nobody listens on right now.
#

upa_free_port()
{
  local port
  local tries

  for ((tries = 0; tries < 100; tries ++)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if command -v ss >/dev/null 2>&1; then
      if ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
        echo "$port"
        return 0
      fi
    elif ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}


#
# 'upa_wait_for()' - Run a command every 0.2s until it succeeds or SECONDS pass.
#

upa_wait_for()
{
  local seconds=$1
  local deadline

  shift
  deadline=$((SECONDS + seconds))
  while ! "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.2
  done
  return 0
}


#
# 'upa_watchdog()' - Stop a daemon when this test's shell dies.
#
# The EXIT trap cannot run when the test is killed with SIGKILL (e.g. by a
# timeout); without this the private cupsd and emulator would live on.
#

upa_watchdog()
{
  local pid=$1
  local shell_pid=$$

  (
    trap - EXIT INT TERM
    while kill -0 "$shell_pid" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do
      sleep 1
    done
    if ! kill -0 "$shell_pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      sleep 5
      kill -KILL "$pid" 2>/dev/null
    fi
  ) </dev/null >/dev/null 2>&1 &
}


#
# 'upa_install_backend()' - Copy a backend into $BASE/bin/backend (root-owned).
#
# cupsd refuses backends that are not root-owned or are group/world-writable,
# runs 0755 ones as User (lp) and 0700 ones as root.  MODE defaults to 0755;
# the upa backend is installed 0700, as its packages install it.
#

upa_install_backend()
{
  local src=$1
  local name=$2
  local mode=${3:-0755}

  if head -c 4096 "$src" 2>/dev/null | grep -q 'libtool wrapper'; then
    # A libtool wrapper script cannot run from a copy; use the real program.
    src="$(dirname "$src")/.libs/$(basename "$src")"
  fi
  install -o root -g root -m "$mode" "$src" "$BASE/bin/backend/$name" ||
    upa_fatal "cannot install backend $src"
}


#
# 'upa_user_program()' - Copy a built program where any user can run it; print its path.
#
# A checkout under /root (0700) or a package build under a 0700 parent is
# out of reach of the unprivileged users a test runs programs as.
#

upa_user_program()
{
  local src=$1
  local dst

  if head -c 4096 "$src" 2>/dev/null | grep -q 'libtool wrapper'; then
    src="$(dirname "$src")/.libs/$(basename "$src")"
  fi
  mkdir -p "$BASE/userbin"
  chmod 0755 "$BASE/userbin"
  dst="$BASE/userbin/$(basename "$src")"
  install -m 0755 "$src" "$dst" || upa_fatal "cannot copy $src"
  echo "$dst"
}


#
# 'cupsd_start()' - Start a private cupsd, configured like a real server.
#
# Listens on 127.0.0.1:$CUPS_PORT and on $BASE/cups.sock; exports
# CUPS_SERVER=$BASE/cups.sock for the clients (lp, lpadmin, lpstat, ...).
#

cupsd_start()
{
  local sys_conf
  local tries

  [ -n "${BASE:-}" ] || upa_tmpdir

  if [ -r /usr/share/cups/cupsd.conf.default ]; then
    sys_conf=/usr/share/cups/cupsd.conf.default
  elif [ -r /etc/cups/cupsd.conf ]; then
    sys_conf=/etc/cups/cupsd.conf
  else
    upa_fatal "no stock cupsd.conf (install cups-daemon)"
  fi
  [ -x /usr/lib/cups/daemon/cups-exec ] || upa_fatal "no /usr/lib/cups/daemon/cups-exec (install cups-daemon)"

  mkdir -p "$BASE/etc" "$BASE/spool/tmp" "$BASE/cache" "$BASE/run" "$BASE/log" \
           "$BASE/bin/daemon" "$BASE/bin/backend" "$BASE/bin/filter" "$BASE/out"
  chown root:root "$BASE/bin" "$BASE/bin/daemon" "$BASE/bin/backend" "$BASE/bin/filter"
  chmod 0755 "$BASE/bin" "$BASE/bin/daemon" "$BASE/bin/backend" "$BASE/bin/filter" "$BASE/etc" "$BASE/log"
  # Where the capture backend writes (it runs as lp).
  chown lp:lp "$BASE/out"
  chmod 0755 "$BASE/out"

  # cups-exec runs every backend; other helpers (cups-deviced, ...) when present.
  for f in /usr/lib/cups/daemon/*; do
    install -o root -g root -m 0755 "$f" "$BASE/bin/daemon/"
  done
  upa_install_backend "$top_srcdir/tests/integration/capture" capture
  if [ -e "$top_builddir/backend/upa" ]; then
    upa_install_backend "$top_builddir/backend/upa" upa 0700
  else
    upa_log "no $top_builddir/backend/upa: queues with upa:// URIs will not print"
  fi

  # Raw queues need no filters, but cupsd loads the conversions it can run;
  # give it the system's filters when cups-filters is installed.
  if [ -d /usr/lib/cups/filter ]; then
    for f in /usr/lib/cups/filter/*; do
      [ -e "$f" ] && ln -sf "$f" "$BASE/bin/filter/"
    done
  fi

  cat >"$BASE/cups-files.conf" <<EOF
# Private cupsd for the cups-upa integration tests (Debian layout, under \$BASE).
ServerRoot $BASE/etc
ServerBin $BASE/bin
DataDir /usr/share/cups
RequestRoot $BASE/spool
TempDir $BASE/spool/tmp
CacheDir $BASE/cache
StateDir $BASE/run
ErrorLog $BASE/log/error_log
AccessLog $BASE/log/access_log
PageLog $BASE/log/page_log
SystemGroup root lpadmin
LogFileGroup root
User lp
Group lp
# The environment of backends: CUPS 2.4 takes SetEnv here (in cupsd.conf it
# only logs "Please move SetEnv ..." and ignores it).
SetEnv UPA_CONFIG $BASE/cups-upa.conf
EOF
  # Sanitizer findings of the backends (run as lp, stderr to the error_log)
  # must land in files the test can look at.
  [ -n "${ASAN_OPTIONS:-}" ] && echo "SetEnv ASAN_OPTIONS $ASAN_OPTIONS" >>"$BASE/cups-files.conf"
  [ -n "${UBSAN_OPTIONS:-}" ] && echo "SetEnv UBSAN_OPTIONS $UBSAN_OPTIONS" >>"$BASE/cups-files.conf"
  [ -n "${LSAN_OPTIONS:-}" ] && echo "SetEnv LSAN_OPTIONS $LSAN_OPTIONS" >>"$BASE/cups-files.conf"
  # The backend's flusher runs this build's upactl (as the backend account).
  if [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/tools/upactl" ]; then
    echo "SetEnv UPA_UPACTL $(upa_user_program "$top_builddir/tools/upactl")" >>"$BASE/cups-files.conf"
  fi
  # The launcher (backend/upa) runs this build's upa-backend, and its warm
  # guardians wait in a folder of this test (root's, as /run/upa-backend is)
  # (exported too, for tests that run the backend themselves)
  if [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/backend/upa-backend" ]; then
    UPA_BACKEND_PROGRAM=$(upa_user_program "$top_builddir/backend/upa-backend")
    UPA_WARM_DIR="$BASE/warm"
    export UPA_BACKEND_PROGRAM UPA_WARM_DIR
    echo "SetEnv UPA_BACKEND_PROGRAM $UPA_BACKEND_PROGRAM" >>"$BASE/cups-files.conf"
    echo "SetEnv UPA_WARM_DIR $UPA_WARM_DIR" >>"$BASE/cups-files.conf"
  fi
  # ... and this build's signal relay (backend/run.c)
  if [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/backend/upa-sigrelay" ]; then
    echo "SetEnv UPA_SIGRELAY $(upa_user_program "$top_builddir/backend/upa-sigrelay")" >>"$BASE/cups-files.conf"
  fi

  for ((tries = 0; tries < 5; tries ++)); do
    CUPS_PORT=$(upa_free_port) || upa_fatal "no free port"
    {
      echo "# Private cupsd for the cups-upa integration tests."
      echo "LogLevel debug"
      echo "MaxLogSize 0"
      echo "ErrorPolicy retry-job"
      echo "Listen 127.0.0.1:$CUPS_PORT"
      echo "Listen $BASE/cups.sock"
      echo "Browsing No"
      echo "WebInterface No"
      echo "DefaultAuthType Basic"
      echo
      echo "# Debian's stock access control, verbatim from $sys_conf:"
      # From the first <Location> through the end of <Policy default>.
      awk '/^<Location /{on=1} on{print} on && /^<\/Policy>/{exit}' "$sys_conf"
    } >"$BASE/cupsd.conf"
    grep -q '^<Policy default>' "$BASE/cupsd.conf" || upa_fatal "no <Policy default> in $sys_conf"

    : >"$BASE/log/error_log"
    cupsd -f -c "$BASE/cupsd.conf" -s "$BASE/cups-files.conf" \
      </dev/null >>"$BASE/log/cupsd.out" 2>&1 &
    CUPSD_PID=$!
    upa_watchdog "$CUPSD_PID"
    export CUPS_SERVER="$BASE/cups.sock"

    if upa_wait_for "$UPA_WAIT" cupsd_running; then
      if grep -q "Unable to bind socket for address 127.0.0.1:$CUPS_PORT" "$BASE/log/error_log"; then
        upa_log "port $CUPS_PORT was taken; retrying"
        cupsd_kill
        continue
      fi
      upa_at_exit cupsd_stop
      export CUPS_PORT CUPSD_PID
      upa_log "cupsd $CUPSD_PID on $CUPS_SERVER and 127.0.0.1:$CUPS_PORT"
      return 0
    fi
    cupsd_kill
    cupsd_dump_log
    upa_fatal "cupsd did not start"
  done
  upa_fatal "cupsd: no usable port"
}


#
# 'cupsd_restart()' - Start the private cupsd again after it stopped or crashed.
#
# Same configuration, port, spool and log (appended to), so it reloads its
# jobs as a restarted server does.  cupsd_start must have run before.
#

cupsd_restart()
{
  [ -f "$BASE/cupsd.conf" ] || upa_fatal "cupsd_restart: run cupsd_start first"
  cupsd -f -c "$BASE/cupsd.conf" -s "$BASE/cups-files.conf" \
    </dev/null >>"$BASE/log/cupsd.out" 2>&1 &
  CUPSD_PID=$!
  export CUPSD_PID
  upa_watchdog "$CUPSD_PID"
  upa_wait_for "$UPA_WAIT" cupsd_running
}


#
# 'cupsd_running()' - Succeed when the private cupsd answers on its socket.
#

cupsd_running()
{
  kill -0 "$CUPSD_PID" 2>/dev/null || return 1
  lpstat -h "$BASE/cups.sock" -r 2>/dev/null | grep -q 'is running'
}


#
# 'cupsd_kill()' - Stop the cupsd process (bounded), no reporting.
#

cupsd_kill()
{
  [ -n "${CUPSD_PID:-}" ] || return 0
  kill -TERM "$CUPSD_PID" 2>/dev/null
  upa_wait_for 10 upa_pid_gone "$CUPSD_PID" || kill -KILL "$CUPSD_PID" 2>/dev/null
  wait "$CUPSD_PID" 2>/dev/null
  CUPSD_PID=
}


#
# 'upa_pid_gone()' - Succeed when a process no longer exists.
#

upa_pid_gone()
{
  ! kill -0 "$1" 2>/dev/null
}


#
# 'cupsd_dump_log()' - Show the end of the private cupsd's error_log.
#

cupsd_dump_log()
{
  local lines=${1:-60}

  [ -f "$BASE/log/error_log" ] || return 0
  echo "# ---- last $lines lines of $BASE/log/error_log ----"
  tail -n "$lines" "$BASE/log/error_log" | sed 's/^/# /'
  if [ -s "$BASE/log/cupsd.out" ]; then
    echo "# ---- cupsd stdout/stderr ----"
    sed 's/^/# /' "$BASE/log/cupsd.out"
  fi
}


#
# 'cupsd_stop()' - Stop the private cupsd; dump its log when the test failed.
#

cupsd_stop()
{
  if [ "${UPA_EXIT_STATUS:-0}" != 0 ] || [ "$upa_tests_failed" != 0 ]; then
    cupsd_dump_log 100
  fi
  cupsd_kill
}


#
# 'wait_cups_job()' - Wait until a CUPS job reaches a state.
#
# wait_cups_job QUEUE JOBID STATE TIMEOUT
#   STATE: pending, held (pending-held), processing, stopped
#   (processing-stopped), canceled, aborted, completed, or the IPP enum 3..9.  Fails on timeout, printing the last state.
#

wait_cups_job()
{
  local queue=$1
  local job=$2
  local want=$3
  local timeout=${4:-$UPA_WAIT}
  local deadline=$((SECONDS + timeout))
  local state

  # ipptool prints the IPP keywords (pending-held, processing-stopped).
  case "$want" in
    3) want=pending ;; 4|held) want=pending-held ;; 5) want=processing ;;
    6|stopped) want=processing-stopped ;; 7) want=canceled ;; 8) want=aborted ;;
    9) want=completed ;;
  esac
  job=${job##*-}
  while :; do
    state=$(cups_job_state "$queue" "$job")
    [ "$state" = "$want" ] && return 0
    if ((SECONDS >= deadline)); then
      upa_log "job $queue-$job: state \"$state\" after ${timeout}s, wanted \"$want\""
      return 1
    fi
    sleep 0.3
  done
}


#
# 'cups_job_state()' - Print the job-state keyword of a CUPS job.
#

cups_job_state()
{
  local queue=$1
  local job=${2##*-}
  local test="$BASE/get-job-state.test"

  [ -f "$test" ] || cat >"$test" <<'EOF'
{
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id $job_id
  ATTR name requesting-user-name root
  ATTR keyword requested-attributes job-state
  STATUS successful-ok
  DISPLAY job-state
}
EOF
  ipptool -c -d job_id="$job" "$(cups_printer_uri "$queue")" "$test" 2>/dev/null |
    sed -n '2p'
}


#
# 'cups_printer_uri()' - Print the IPP URI of a queue via the domain socket.
#
# libcups connects to a host name that starts with "/" as a domain socket,
# where cupsd knows the client's uid (as for lp, lpadmin, ...).
#

cups_printer_uri()
{
  echo "ipp://$(printf '%s' "$BASE/cups.sock" | jq -sRr @uri)/printers/$1"
}


#
# 'cloudsim_start()' - Start upa-cloudsim on a free loopback port.
#
# Exports UPA_SIM_PORT, UPA_SIM_URL, UPA_SIM_CA, UPA_SIM_ADMIN.  Extra
# arguments go to upa-cloudsim (e.g. --register-polls 2).  Reuses the same
# CA (and port, when set) when restarted.  Universal Print's service limits
# are off unless a test turns them on with its own --limit-* arguments:
# release tests and benchmarks submit more jobs than a printer takes in ten
# minutes.
#

cloudsim_start()
{
  local sim="${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"
  local tries
  local port

  [ -n "${BASE:-}" ] || upa_tmpdir
  upa_need_program "$sim"
  mkdir -p "$BASE/ca" "$BASE/sim-state" "$BASE/log"
  UPA_SIM_ADMIN=cloudsim-admin

  for ((tries = 0; tries < 5; tries ++)); do
    port=${UPA_SIM_PORT:-$(upa_free_port)} || upa_fatal "no free port"
    "$sim" --listen "127.0.0.1:$port" --ca-dir "$BASE/ca" --state-dir "$BASE/sim-state" \
      --admin-token "$UPA_SIM_ADMIN" --pid-file "$BASE/sim.pid" -v \
      --limit-jobs 0 --limit-concurrent 0 --limit-per-user 0 "$@" \
      </dev/null >>"$BASE/log/cloudsim.log" 2>&1 &
    CLOUDSIM_PID=$!
    upa_watchdog "$CLOUDSIM_PID"
    UPA_SIM_PORT=$port
    UPA_SIM_URL="https://127.0.0.1:$port"
    UPA_SIM_CA="$BASE/ca/ca.pem"
    export UPA_SIM_PORT UPA_SIM_URL UPA_SIM_CA UPA_SIM_ADMIN CLOUDSIM_PID

    if upa_wait_for "$UPA_WAIT" cloudsim_healthy; then
      if [ "${upa_cloudsim_registered:-0}" = 0 ]; then
        upa_at_exit cloudsim_stop
        upa_cloudsim_registered=1
      fi
      upa_log "upa-cloudsim $CLOUDSIM_PID on $UPA_SIM_URL"
      return 0
    fi
    if ! kill -0 "$CLOUDSIM_PID" 2>/dev/null && [ -z "${UPA_SIM_KEEP_PORT:-}" ]; then
      # Most likely the port was taken between probing and binding.
      upa_log "upa-cloudsim exited; retrying on another port"
      unset UPA_SIM_PORT
      CLOUDSIM_PID=
      continue
    fi
    break
  done
  cloudsim_kill
  echo "# ---- $BASE/log/cloudsim.log ----"
  tail -n 40 "$BASE/log/cloudsim.log" | sed 's/^/# /'
  upa_fatal "upa-cloudsim did not become healthy"
}


#
# 'cloudsim_healthy()' - Succeed when /sim/health answers 200 over TLS.
#

cloudsim_healthy()
{
  kill -0 "$CLOUDSIM_PID" 2>/dev/null || return 1
  [ -s "$BASE/ca/ca.pem" ] || return 1
  curl -sf --max-time 2 --cacert "$BASE/ca/ca.pem" "https://127.0.0.1:$UPA_SIM_PORT/sim/health" >/dev/null
}


#
# 'cloudsim_kill()' - Stop upa-cloudsim (bounded).
#

cloudsim_kill()
{
  [ -n "${CLOUDSIM_PID:-}" ] || return 0
  kill -TERM "$CLOUDSIM_PID" 2>/dev/null
  upa_wait_for 10 upa_pid_gone "$CLOUDSIM_PID" || kill -KILL "$CLOUDSIM_PID" 2>/dev/null
  wait "$CLOUDSIM_PID" 2>/dev/null
  CLOUDSIM_PID=
}


#
# 'cloudsim_stop()' - Stop upa-cloudsim; show its log when the test failed.
#

cloudsim_stop()
{
  if { [ "${UPA_EXIT_STATUS:-0}" != 0 ] || [ "$upa_tests_failed" != 0 ]; } && [ -f "$BASE/log/cloudsim.log" ]; then
    echo "# ---- last 40 lines of $BASE/log/cloudsim.log ----"
    tail -n 40 "$BASE/log/cloudsim.log" | sed 's/^/# /'
  fi
  cloudsim_kill
}


#
# 'sim_curl()' - curl the emulator's test API as the admin.
#

sim_curl()
{
  local path=$1

  shift
  curl -sS --fail-with-body --max-time 30 --cacert "$UPA_SIM_CA" \
    -H "Authorization: Bearer $UPA_SIM_ADMIN" "$@" "$UPA_SIM_URL$path"
}


#
# 'upa_urlencode()' - Percent-encode a query value.
#

upa_urlencode()
{
  jq -rn --arg v "$1" '$v|@uri'
}


#
# 'sim_submit()' - Submit a document for a user; print the cloud job id.
#
# sim_submit USER NAME FILE [EXTRA-QUERY]   e.g. EXTRA-QUERY "copies=2&sides=two-sided-long-edge"
# The format comes from the file name (.pdf, .ps, .txt, .pwg, .urf, .oxps, .xps)
# unless EXTRA-QUERY sets format=.
#

sim_submit()
{
  local user=$1
  local name=$2
  local file=$3
  local extra=${4:-}
  local format
  local query
  local reply

  case "$file" in
    *.pdf) format=application/pdf ;;
    *.ps) format=application/postscript ;;
    *.txt) format=text/plain ;;
    *.pwg) format=image/pwg-raster ;;
    *.urf) format=image/urf ;;
    *.oxps) format=application/oxps ;;
    *.xps) format=application/vnd.ms-xpsdocument ;;
    *) format=application/octet-stream ;;
  esac
  query="user=$(upa_urlencode "$user")&name=$(upa_urlencode "$name")"
  case "&$extra" in
    *'&format='*) ;;
    *) query="$query&format=$(upa_urlencode "$format")" ;;
  esac
  [ -n "$extra" ] && query="$query&$extra"

  reply=$(sim_curl "/sim/jobs?$query" -X POST -H "Content-Type: $format" --data-binary "@$file") || {
    echo "sim_submit: POST /sim/jobs failed: $reply" >&2
    return 1
  }
  jq -er '.id' <<<"$reply" || {
    echo "sim_submit: no id in reply: $reply" >&2
    return 1
  }
}


#
# 'sim_submit_many()' - Submit COUNT copies of a PDF for a user in one curl
#                       run (one connection); print the cloud job ids.
#
# sim_submit_many USER PREFIX FILE COUNT [EXTRA-QUERY]
#   names PREFIX-1.pdf ... PREFIX-COUNT.pdf; EXTRA-QUERY as for sim_submit
#

sim_submit_many()
{
  local query

  query="user=$(upa_urlencode "$1")&format=application%2Fpdf&name=$(upa_urlencode "$2")-[1-$4].pdf"
  [ -n "${5:-}" ] && query="$query&$5"
  # curl's URL globbing makes one request per number, over one connection.
  sim_curl "/sim/jobs?$query" -X POST -H "Content-Type: application/pdf" --data-binary "@$3" \
    | jq -er '.id'
}


#
# 'sim_job()' - Print one field of a cloud job (jq path without the dot).
#
# sim_job ID FIELD   e.g. sim_job 3 state, sim_job 3 acquiredBy ("null" when null)
#

sim_job()
{
  local reply

  reply=$(sim_curl "/sim/jobs/$1") || return 1
  jq -r ".$2" <<<"$reply"
}


#
# 'sim_job_is()' - Succeed when an emulator job's field has a value: sim_job_is ID FIELD VALUE.
#

sim_job_is()
{
  [ "$(sim_job "$1" "$2")" = "$3" ]
}


#
# 'copies_of()' - Print how many capture outputs in $BASE/out are byte-identical to a file.
#

copies_of()
{
  local f
  local n=0

  for f in "$BASE/out"/job-*.out; do
    [ -e "$f" ] && cmp -s "$1" "$f" && n=$((n + 1))
  done
  echo "$n"
}


#
# 'last_cups_job()' - Print the CUPS job-id of the newest job in a queue (any state).
#

last_cups_job()
{
  lpstat -W all -o "$1" 2>/dev/null | awk '{print $1}' | sed 's/.*-//' | sort -n | tail -n 1
}


#
# 'upa_write_config()' - Write $BASE/cups-upa.conf for the emulator and cupsd.
#
# State and cache directories are 2770 root:lp: the backend runs as lp and
# must read the device keys and share the token cache.  Extra lines may be
# passed as arguments ("ReleaseOrder fetch-first", ...).
#

upa_write_config()
{
  local line

  [ -n "${UPA_SIM_URL:-}" ] || upa_fatal "upa_write_config: start the emulator first"
  mkdir -p "$BASE/state" "$BASE/cache"
  chown root:lp "$BASE/state" "$BASE/cache"
  chmod 2770 "$BASE/state" "$BASE/cache"

  {
    echo "# cups-upa.conf for the integration tests (emulator at $UPA_SIM_URL)."
    echo "Cloud custom"
    echo "RegisterURL $UPA_SIM_URL"
    echo "PrintURL $UPA_SIM_URL"
    echo "GraphURL $UPA_SIM_URL/v1.0"
    echo "AuthorityURL $UPA_SIM_URL"
    echo "CAFile $UPA_SIM_CA"
    echo "StateDir $BASE/state"
    echo "CacheDir $BASE/cache"
    echo "DeviceGroup lp"
    echo "CupsServer $BASE/cups.sock"
    echo "LogLevel debug"
    for line in "$@"; do
      echo "$line"
    done
  } >"$BASE/cups-upa.conf"
  chmod 0644 "$BASE/cups-upa.conf"
  UPA_CONFIG="$BASE/cups-upa.conf"
  export UPA_CONFIG
}


#
# 'check()' - Run a command; print "ok N - DESCRIPTION" or "not ok N - ...".
#
# The command's output is shown (as comments) only when it fails.
#

check()
{
  local desc=$1
  local out
  local rc

  shift
  upa_tests_run=$((upa_tests_run + 1))
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" = 0 ]; then
    echo "ok $upa_tests_run - $desc"
  else
    upa_tests_failed=$((upa_tests_failed + 1))
    echo "not ok $upa_tests_run - $desc"
    echo "#   command (exit $rc): $*"
    [ -n "$out" ] && sed 's/^/#   /' <<<"$out"
  fi
  return "$rc"
}


#
# 'upa_sanitizer_reports()' - List sanitizer log files under the log_path dirs.
#

upa_sanitizer_reports()
{
  local opts
  local path

  for opts in "${ASAN_OPTIONS:-}" "${UBSAN_OPTIONS:-}" "${LSAN_OPTIONS:-}"; do
    path=$(tr ':' '\n' <<<"$opts" | sed -n 's/^log_path=//p' | tail -n 1)
    [ -n "$path" ] || continue
    ls -1 "$path".* 2>/dev/null
  done | sort -u
}


#
# 'finish()' - Print "N passed, M failed" and exit 0 (all passed) or 1.
#
# A sanitizer report written during the test (ASAN_OPTIONS/UBSAN_OPTIONS with
# log_path=) counts as a failure.
#

finish()
{
  local reports
  local f

  # Only reports that appeared while this test ran are its own.
  reports=$(comm -13 <(echo "$upa_sanitizer_before") <(upa_sanitizer_reports) | grep .)
  if [ -n "$reports" ]; then
    upa_tests_run=$((upa_tests_run + 1))
    upa_tests_failed=$((upa_tests_failed + 1))
    echo "not ok $upa_tests_run - no sanitizer reports"
    for f in $reports; do
      echo "# ---- $f ----"
      head -n 60 "$f" | sed 's/^/# /'
    done
  fi
  echo "$((upa_tests_run - upa_tests_failed)) passed, $upa_tests_failed failed"
  [ "$upa_tests_failed" = 0 ] && [ "$upa_tests_run" -gt 0 ] && exit 0
  exit 1
}



#
# 'upa_sanitizer_own_logs()' - Give this test its own sanitizer log files.
#
# Tests run in parallel and share the log_path directory: prefixing the file
# names with the test's name (log_path=DIR/asan -> DIR/release.asan) keeps
# each test to its own reports, while a scan of DIR still finds them all.
#

upa_sanitizer_own_logs()
{
  local name
  local var
  local val
  local path

  name=$(basename "$0" .sh)
  for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
    val=${!var:-}
    path=$(tr ':' '\n' <<<"$val" | sed -n 's/^log_path=//p' | tail -n 1)
    [ -n "$path" ] || continue
    case "$(basename "$path")" in
      "$name".*) continue ;;
    esac
    val=${val//log_path=$path/log_path=$(dirname "$path")/$name.$(basename "$path")}
    export "$var=$val"
  done
}

upa_sanitizer_own_logs

# Sanitizer reports already there belong to earlier runs.
upa_sanitizer_before=$(upa_sanitizer_reports)
