#!/bin/bash
#
# soak.sh - exactly once under faults: a chaos soak of release and reporting.
#
# Usage: soak.sh [--quick] [--seed N] [--jobs N] [--faults N] [--big-mib N]
#                [--order fetch-first|acknowledge-first]
#
# Submits jobs of mixed sizes for several users to upa-cloudsim, releases
# them with "upa-release --all" from two stations at once (two queues whose
# real device is the capture backend, which logs every delivery with its
# sha256); a seeded fifth of the jobs are direct jobs for a third queue with
# direct printing on, which the upa-sync service's connector prints with no
# release.  Meanwhile it injects faults at seeded random points: kill -9 of
# upa-release (at random moments, inside cloud round trips widened by the
# emulator's delay fault, and at each step of the protocol) and of the
# upa-sync service, kill -9 and SIGTERM restarts of cupsd during release and
# during reporting, emulator crashes and restarts with its saved state, and
# the emulator's network faults.  Then it recovers as a server would (upa-release --recover,
# upactl outbox flush, the upa-sync service loop, a last clean release of
# what is still waiting) until nothing changes any more, and checks from
# the capture log and the emulator alone (never from cups-upa's journal):
# every cloud job printed at most once, byte for byte, none lost, none
# stuck, and the cloud's final state true.  The last line is
#
#   soak: N jobs, F faults, lost L, duplicated D, damaged X, stuck S
#
# and the exit status is 0 only when L, D, X and S are 0 and every cloud job
# ended in its true terminal state (skip = 77 when not root).
#
# --quick (CI) stays under 4 minutes on a loaded 2-core machine; the default
# run (benchmarks, closing notes) has >= 500 jobs, >= 200 faults and one
# 200 MiB document.  The seed is printed; --seed N repeats the same schedule
# of jobs and faults (process timing still varies).  UPA_KEEP=1 keeps $BASE.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
BASEPDF="$top_srcdir/tests/data/hello.pdf"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"
for p in jq curl openssl sha256sum ipptool; do
  command -v "$p" >/dev/null 2>&1 || { echo "SKIP: $p is not installed"; exit 77; }
done


#
# Options...
#

QUICK=0
SEED=
JOBS=
NFAULTS=
BIG_MIB=
ORDER=

usage()
{
  sed -n '5,6p' "$0" | sed 's/^# //'
  exit "$1"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --seed) SEED=$2; shift ;;
    --seed=*) SEED=${1#*=} ;;
    --jobs) JOBS=$2; shift ;;
    --faults) NFAULTS=$2; shift ;;
    --big-mib) BIG_MIB=$2; shift ;;
    --order) ORDER=$2; shift ;;
    -h|--help) usage 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; usage 2 ;;
  esac
  shift
done

[ -n "$SEED" ] || SEED=$(( $(date +%s%N) % 2147483647 ))
case "$SEED" in
  ''|*[!0-9]*) echo "soak.sh: --seed wants a number" >&2; exit 2 ;;
esac

if [ "$QUICK" = 1 ]; then
  : "${JOBS:=30}" "${NFAULTS:=22}" "${BIG_MIB:=0}"
  USERS=3
  MAX_DOC=$((2 * 1024 * 1024))	# Largest ordinary document
  # Deadlines in seconds since the start (setup included): the run stays
  # under 4 minutes even on a loaded machine (at load 13 on 2 cores,
  # setup and submissions alone take a minute).
  PHASE_END=120			# The fault phase ends here
  RECOVER_END=195		# Recovery ends here
  HANG=40
  STOP_WAIT=20			# Seconds the stations get to finish at the end
  CMD_MAX=30			# Seconds per recovery command			# A release running longer than this is killed (and reported)
else
  : "${JOBS:=520}" "${NFAULTS:=220}" "${BIG_MIB:=200}"
  USERS=6
  MAX_DOC=$((8 * 1024 * 1024))
  PHASE_END=0			# No limit
  RECOVER_END=0
  RECOVER_MAX=600
  HANG=300
  STOP_WAIT=120
  CMD_MAX=300
fi
TIMEOUT=10			# cups-upa.conf Timeout (the delay faults go past it)


#
# Seeded choices: a 64-bit LCG in the main shell only (no $RANDOM, whose
# sequence differs between bash versions and is reseeded in subshells).
#

rng_state=$SEED

# 'rnd()' - Set R to a seeded random number 0..N-1.
rnd()
{
  rng_state=$(( rng_state * 6364136223846793005 + 1442695040888963407 ))
  R=$(( ((rng_state >> 33) & 0x7fffffff) % $1 ))
}

# 'rnd_stream()' - Start the seeded stream for KEY (one per job, one per fault),
# so that job N and fault N are the same for a seed whatever the timing did
# to the others.
rnd_stream()
{
  rng_state=$(( SEED * 2862933555777941757 + $1 * 3037000493 + 7046029254386353131 ))
  rnd 2; rnd 2
}

# 'rnd_sleep()' - Sleep a seeded random time of MIN..MAX milliseconds.
rnd_sleep()
{
  rnd $(($2 - $1 + 1))
  sleep "$(printf '%d.%03d' $((($1 + R) / 1000)) $((($1 + R) % 1000)))"
}

if [ -z "$ORDER" ]; then
  rnd 2
  ORDER=$([ "$R" = 0 ] && echo fetch-first || echo acknowledge-first)
fi

echo "# soak: seed $SEED (repeat with --seed $SEED$([ "$QUICK" = 1 ] && echo ' --quick')), ReleaseOrder $ORDER, $JOBS jobs, $NFAULTS faults"


#
# The fault list: one line per kind, "name weight handler argument".
#
# Handler "net" arms the emulator fault in the argument (its SPEC syntax,
# see upa-cloudsim(8)); @S@ becomes a random delay in seconds (1..Timeout+3),
# @B@ a random byte count.  Kinds the running emulator does not know are
# skipped with a note, so the [sim] kinds below switch on by themselves.
# The other handlers are the fault_* functions further down.
#

FAULT_KINDS=(
  # Emulator network faults (cloudsim/fault.c)
  "http-500-ipp         2 net http,class=ipp,status=500"
  "http-503-ipp         2 net http,class=ipp,status=503,retry-after=1"
  "http-500-ack         2 net http,class=ipp,op=Acknowledge-Job,status=500"
  "http-500-status      2 net http,class=ipp,op=Update-Job-Status,status=500"
  "http-503-token       1 net http,class=token,status=503,retry-after=1"
  "ipp-busy-fetch       1 net ipp-busy,op=Fetch-Document"
  "ipp-busy-ack         1 net ipp-busy,op=Acknowledge-Job"
  "ipp-busy-status      1 net ipp-busy,op=Update-Job-Status"
  "delay-ack            2 net delay,class=ipp,op=Acknowledge-Job,seconds=@S@"
  "delay-fetch-doc      1 net delay,class=ipp,op=Fetch-Document,seconds=@S@"
  "delay-status         2 net delay,class=ipp,op=Update-Job-Status,seconds=@S@"
  "drop-doc             2 net drop,bytes=@B@"
  "steal                1 net steal"
  # Commit the operation, then damage its answer (issue 14, cases 1 and 7)
  "ack-commit-cut       2 net commit,op=Acknowledge-Job,answer=cut"
  "ack-commit-truncate  1 net commit,op=Acknowledge-Job,answer=truncate"
  "ack-commit-badlength 1 net commit,op=Acknowledge-Job,answer=badlength"
  "ack-commit-garbage   1 net commit,op=Acknowledge-Job,answer=garbage"
  "ack-commit-html      1 net commit,op=Acknowledge-Job,answer=html"
  "ack-commit-noend     1 net commit,op=Acknowledge-Job,answer=noend"
  "ack-commit-503       1 net commit,op=Acknowledge-Job,answer=status,status=503"
  "ack-commit-slow      2 net commit,op=Acknowledge-Job,answer=slow,seconds=@S@"
  "ack-commit-internal  1 net commit,op=Acknowledge-Job,answer=internal-error"
  "status-commit-cut    1 net commit,op=Update-Job-Status,answer=cut"
  "status-commit-500    1 net commit,op=Update-Job-Status,answer=status,status=500"
  "status-commit-slow   1 net commit,op=Update-Job-Status,answer=slow,seconds=@S@"
  "fetchjob-commit-cut  1 net commit,op=Fetch-Job,answer=cut"
  # The same answers without carrying the operation out
  "ack-nocommit-cut     1 net nocommit,op=Acknowledge-Job,answer=cut"
  "ack-nocommit-slow    1 net nocommit,op=Acknowledge-Job,answer=slow,seconds=@S@"
  "status-nocommit-500  1 net nocommit,op=Update-Job-Status,answer=status,status=500"
  "status-nocommit-int  1 net nocommit,op=Update-Job-Status,answer=internal-error"
  # Documents: short but well formed, cut, trickling (cases 3 and 8)
  "doc-short-chunked    2 net doc-short,framing=chunked"
  "doc-short-length     1 net doc-short,framing=length,bytes=@B@"
  "doc-cut-chunked      1 net doc-cut,framing=chunked,bytes=@B@"
  "doc-cut-length       1 net doc-cut,framing=length"
  "trickle-doc          1 net trickle,op=Fetch-Document,bytes-per-second=2000"
  # Get-Jobs with duplicated job groups (case 9)
  "dup-groups           1 net dup-groups,repeat=3"
  "dup-groups-no-id     1 net dup-groups,repeat=2,no-job-id=1"
  # Processes
  "kill-release         4 kill_release -"
  "kill-release-rtt     4 kill_release_rtt Acknowledge-Job|Fetch-Document|Fetch-Job|Update-Job-Status|Get-Jobs"
  "kill-release-step    4 kill_release_step ticket|created|fetching|fetched|acked|released"
  "cupsd-kill9-release  2 cupsd_release KILL"
  "cupsd-term-release   2 cupsd_release TERM"
  "cupsd-kill9-report   2 cupsd_report KILL"
  "cupsd-term-report    2 cupsd_report TERM"
  "sim-crash            2 sim_crash -"
  "kill-sync            3 kill_sync -"
  "sim-crash-rtt        1 sim_crash_rtt Acknowledge-Job|Fetch-Document|Update-Job-Status"
)


#
# Setup: emulator, cups-upa.conf, cupsd, two registered capture queues.
#

# 'cupsd_down()' - kill -SIG cupsd and wait until it is gone.
cupsd_down()
{
  kill "-$1" "$CUPSD_PID" 2>/dev/null
  upa_wait_for 30 upa_pid_gone "$CUPSD_PID" || kill -KILL "$CUPSD_PID" 2>/dev/null
  wait "$CUPSD_PID" 2>/dev/null
}

upa_tmpdir
UPA_SIM_KEEP_PORT=1		# Restarts must come back on the same port
export UPA_SIM_KEEP_PORT
cloudsim_start
upa_write_config "LogLevel debug" "ReleaseOrder $ORDER" "Timeout $TIMEOUT"
cupsd_start

OUT="$BASE/out"
DELIVERIES="$OUT/deliveries.log"
QUEUES=(FloorA FloorB)
DIRECTQ=Direct			# Direct printing on: the connector prints its jobs
: >"$DELIVERIES"
chown lp:lp "$DELIVERIES"
mkdir -p "$BASE/docs" "$BASE/chaos"

for q in "${QUEUES[@]}"; do
  lpadmin -p "$q" -v "capture:$OUT?log=1&keep=0" -E || upa_fatal "lpadmin $q"
  "$UPACTL" register "$q" --admin-token "$UPA_SIM_ADMIN" >"$BASE/chaos/register-$q.log" 2>&1 ||
    { cat "$BASE/chaos/register-$q.log"; upa_fatal "upactl register $q"; }
done
lpadmin -p "$DIRECTQ" -v "capture:$OUT?log=1&keep=0" -E || upa_fatal "lpadmin $DIRECTQ"
"$UPACTL" register --direct "$DIRECTQ" --admin-token "$UPA_SIM_ADMIN" >"$BASE/chaos/register-$DIRECTQ.log" 2>&1 ||
  { cat "$BASE/chaos/register-$DIRECTQ.log"; upa_fatal "upactl register --direct $DIRECTQ"; }
# cupsd saves printers.conf lazily: a clean restart now, so that a kill -9
# later loses what a crashing server loses (jobs), not the queues themselves.
cupsd_down TERM
cupsd_restart || upa_fatal "cupsd did not restart"
OUR_DEVICES=$(lpstat -v 2>/dev/null | sed -n 's,^device for [^:]*: upa://\([^/?]*\).*,\1,p' | sort -u | tr '\n' ' ')
[ "$(wc -w <<<"$OUR_DEVICES")" = 3 ] || upa_fatal "expected three upa:// queues, got: $(lpstat -v 2>&1)"
DIRECT_DEV=$(lpstat -v "$DIRECTQ" 2>/dev/null | sed -n 's,^device for [^:]*: upa://\([^/?]*\).*,\1,p')
[ -n "$DIRECT_DEV" ] || upa_fatal "$DIRECTQ has no upa:// device URI"
upa_log "devices: $OUR_DEVICES(direct printing: $DIRECT_DEV)"

user_name()
{
  echo "soak$1@contoso.com"
}


#
# Which net faults does this emulator know?  Arm each once, then disarm all.
#

# 'net_spec()' - Set SPEC to a net fault's SPEC with its random values filled in.
net_spec()
{
  SPEC=$1
  rnd $((TIMEOUT + 3))
  SPEC=${SPEC//@S@/$((R + 1))}
  rnd 200000
  SPEC=${SPEC//@B@/$((R + 1))}
}

ENABLED=()
SKIPPED=()
for line in "${FAULT_KINDS[@]}"; do
  read -r name weight handler arg <<<"$line"
  if [ "$handler" = net ]; then
    probe=${arg//@S@/1}
    probe=${probe//@B@/1000}
    if ! sim_curl /sim/faults -X POST -H 'Content-Type: text/plain' --data-binary "$probe" >/dev/null 2>&1; then
      SKIPPED+=("$name")
      continue
    fi
  fi
  ENABLED+=("$line")
done
sim_curl /sim/faults -X DELETE >/dev/null || upa_fatal "cannot disarm the probe faults"
[ ${#SKIPPED[@]} -gt 0 ] && upa_log "fault kinds this emulator does not know (skipped): ${SKIPPED[*]}"
TOTAL_WEIGHT=0
for line in "${ENABLED[@]}"; do
  read -r name weight handler arg <<<"$line"
  TOTAL_WEIGHT=$((TOTAL_WEIGHT + weight))
done


#
# Documents: deterministic from the seed; a PDF then a unique tail.
#

SIZES=()

# 'doc_size()' - Choose the size of document I (seeded).
doc_size()
{
  local i=$1

  rnd_stream $((1000000 + i))
  if [ "$BIG_MIB" -gt 0 ] && [ "$i" = 3 ]; then
    SIZE=$((BIG_MIB * 1024 * 1024))
    return
  fi
  rnd 10
  if [ "$R" -lt 6 ]; then
    rnd 20000; SIZE=$((2000 + R))
  elif [ "$R" -lt 9 ]; then
    rnd 1000000; SIZE=$((50000 + R))
  else
    rnd "$MAX_DOC"; SIZE=$((1000000 + R))
  fi
}

# 'doc_make()' - Write document I of SIZE bytes; print its path.
doc_make()
{
  local i=$1
  local size=$2
  local f="$BASE/docs/soak-$i.pdf"
  local head

  {
    cat "$BASEPDF"
    printf '%% soak job %s seed %s\n' "$i" "$SEED"
  } >"$f"
  head=$(stat -c %s "$f")
  if [ "$size" -gt "$head" ]; then
    openssl enc -aes-128-ctr -nosalt -pbkdf2 -iter 1 -pass "pass:soak-$SEED-$i" </dev/zero 2>/dev/null |
      head -c $((size - head)) >>"$f"
  fi
  echo "$f"
}

# The truth: docs.tsv "index user bytes sha256", written before the job is
# submitted; ids.tsv "index cloud-id" for each submission the emulator
# answered.  The verdict maps cloud jobs to documents by their name
# (soak-INDEX.pdf), so a submission whose answer was lost (emulator crash)
# is checked like any other job.
DOCS="$BASE/chaos/docs.tsv"
IDS="$BASE/chaos/ids.tsv"
: >"$DOCS"
: >"$IDS"

# 'submit_one()' - Make and submit job I (retried until the emulator answers).
submit_one()
{
  local i=$1
  local f
  local u
  local id
  local tries

  doc_size "$i"
  rnd "$USERS"
  u=$(user_name $((R + 1)))
  # A fifth are direct jobs for the direct printing queue
  rnd 5
  direct=
  [ "$R" = 0 ] && direct="printer=$DIRECT_DEV"
  f=$(doc_make "$i" "$SIZE")
  printf '%s\t%s\t%s\t%s\n' "$i" "$u" "$(stat -c %s "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)" >>"$DOCS"
  echo "$u" >"$BASE/chaos/last-user"
  for ((tries = 0; tries < 60; tries ++)); do
    if id=$(sim_submit "$u" "soak-$i.pdf" "$f" "$direct" 2>>"$BASE/chaos/submit.err"); then
      printf '%s\t%s\n' "$i" "$id" >>"$IDS"
      break
    fi
    echo "$(date +%T) submit soak-$i try $tries failed" >>"$BASE/chaos/submit.err"
    sleep 1
  done
  # Big documents are not kept twice on disk: the sha256 is what counts.
  [ "$SIZE" -gt $((64 * 1024 * 1024)) ] && rm -f "$f"
  [ -n "$id" ]
}

# 'submitter()' - Submit the jobs, ahead of the faults: a quarter at once,
# the rest in step with $BASE/chaos/progress (per mille of the fault phase
# done, written by the fault loop); everything once it says 1000.
submitter()
{
  local i=0
  local p
  local target

  trap - EXIT INT TERM
  while [ "$i" -lt "$JOBS" ]; do
    p=$(cat "$BASE/chaos/progress" 2>/dev/null)
    target=$(( (JOBS * (250 + 3 * ${p:-0} / 4) + 999) / 1000 ))
    if [ "$i" -lt "$target" ] || [ "${p:-0}" -ge 1000 ]; then
      i=$((i + 1))
      submit_one "$i" || echo "$(date +%T) soak-$i: not submitted" >>"$BASE/chaos/submit.err"
      echo "$i" >"$BASE/chaos/submitted"
    else
      sleep 0.3
    fi
  done
}

submitted()
{
  cat "$BASE/chaos/submitted" 2>/dev/null || echo 0
}


#
# Stations: two loops of "upa-release --all" for random users, one per queue.
#
# Each run's pid and start time are in $BASE/chaos/station-X.pid so faults
# can kill it; $BASE/chaos/station-X.stopat (written by the fault loop)
# makes the next run stop itself at that step (UPA_RELEASE_STOP_AT).
#

STOP="$BASE/chaos/stop"

station()
{
  local name=$1
  local queue=$2
  local runs=0
  local u
  local rc
  local pid
  local stopat
  local stopuser

  trap - EXIT INT TERM
  RANDOM=$((SEED % 32768 + ${#name}))
  while [ ! -e "$STOP" ]; do
    runs=$((runs + 1))
    u=$(user_name $((RANDOM % USERS + 1)))
    stopat=
    if [ -e "$BASE/chaos/station-$name.stopat" ]; then
      # "STEP USER": stop at STEP releasing USER's jobs.
      read -r stopat stopuser <"$BASE/chaos/station-$name.stopat"
      rm -f "$BASE/chaos/station-$name.stopat"
      [ -n "$stopuser" ] && u=$stopuser
    fi
    UPA_RELEASE_STOP_AT=$stopat "$RELEASE" --printer "$queue" --user "$u" --all --json \
      >"$BASE/chaos/station-$name.json" 2>>"$BASE/chaos/station-$name.err" &
    pid=$!
    echo "$pid $SECONDS $stopat" >"$BASE/chaos/station-$name.pid"
    wait "$pid"
    rc=$?
    echo "$(date +%T) run $runs pid $pid user $u stopat ${stopat:--} exit $rc released $(jq -r '.released // "?"' "$BASE/chaos/station-$name.json" 2>/dev/null)" \
      >>"$BASE/chaos/station-$name.log"
    : >"$BASE/chaos/station-$name.pid"
    sleep "0.$((RANDOM % 7 + 2))"
  done
}

# The upa-sync service (systemd restarts it; so does this loop).
sync_service()
{
  local pid

  trap - EXIT INT TERM
  while [ ! -e "$BASE/chaos/sync-stop" ]; do
    # Sweeps every 5 s: a direct job whose event a fault lost prints soon
    "$UPACTL" sync --watch --sweep 5 >>"$BASE/chaos/sync.log" 2>&1 &
    pid=$!
    echo "$pid" >"$BASE/chaos/sync.pid"
    wait "$pid"
    sleep 1
  done
}

# 'station_pid()' - Print the pid of station X's running upa-release (or nothing).
station_pid()
{
  local pid
  local rest

  read -r pid rest <"$BASE/chaos/station-$1.pid" 2>/dev/null
  [ -n "$pid" ] && grep -q upa-release "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

# 'kill_hung()' - Kill (and report) releases that run longer than HANG seconds.
HUNG=0
kill_hung()
{
  local s
  local pid
  local started
  local rest

  for s in A B; do
    read -r pid started rest <"$BASE/chaos/station-$s.pid" 2>/dev/null
    [ -n "$pid" ] || continue
    if ((SECONDS - started > HANG)) && grep -q upa-release "/proc/$pid/cmdline" 2>/dev/null &&
       [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != T ]; then
      upa_log "station $s: upa-release $pid ran for more than ${HANG}s; killed (a hang)"
      echo "$(date +%T) HUNG pid $pid" >>"$BASE/chaos/station-$s.log"
      kill -9 "$pid" 2>/dev/null
      HUNG=$((HUNG + 1))
    fi
  done
}

deliveries()
{
  wc -l <"$DELIVERIES"
}


#
# Fault handlers: fault_<handler> ARG; return 0 when the fault was injected.
# They leave cupsd and the emulator running.
#

FAULT_DESC=

fault_net()
{
  net_spec "$1"
  FAULT_DESC=$SPEC
  sim_curl /sim/faults -X POST -H 'Content-Type: text/plain' --data-binary "$SPEC" >/dev/null
}

# 'pick_station()' - Set ST to a seeded station that is running a release (waits up to 5 s).
pick_station()
{
  local deadline=$((SECONDS + 5))

  rnd 2
  ST=$([ "$R" = 0 ] && echo A || echo B)
  while :; do
    [ -n "$(station_pid "$ST")" ] && return 0
    ST=$([ "$ST" = A ] && echo B || echo A)
    [ -n "$(station_pid "$ST")" ] && return 0
    ((SECONDS >= deadline)) && return 1
    sleep 0.1
  done
}

fault_kill_release()
{
  local pid

  rnd_sleep 0 1500
  FAULT_DESC="no release running"
  pick_station || return 1
  pid=$(station_pid "$ST") || return 1
  FAULT_DESC="station $ST upa-release $pid"
  kill -9 "$pid" 2>/dev/null
}

fault_kill_release_rtt()
{
  local ops
  local op
  local pid

  IFS='|' read -r -a ops <<<"$1"
  rnd ${#ops[@]}
  op=${ops[R]}
  rnd 3
  sim_curl /sim/faults -X POST -H 'Content-Type: text/plain' \
    --data-binary "delay,class=ipp,op=$op,seconds=$((R + 2))" >/dev/null 2>&1 || return 1
  rnd_sleep 200 2500
  FAULT_DESC="no release running ($op delayed)"
  pick_station || return 1
  pid=$(station_pid "$ST") || return 1
  FAULT_DESC="station $ST upa-release $pid, $op delayed"
  kill -9 "$pid" 2>/dev/null
}

fault_kill_release_step()
{
  local steps
  local step
  local pid
  local started
  local stopat
  local taken=0
  local deadline=$((SECONDS + 20))

  IFS='|' read -r -a steps <<<"$1"
  rnd ${#steps[@]}
  step=${steps[R]}
  rnd 2
  ST=$([ "$R" = 0 ] && echo A || echo B)
  # The user of the newest job: someone with a job waiting.
  echo "$step $(cat "$BASE/chaos/last-user" 2>/dev/null)" >"$BASE/chaos/station-$ST.stopat"
  # Wait for the run that took the step file to stop itself there.
  while ((SECONDS < deadline)); do
    pid= started= stopat=
    read -r pid started stopat <"$BASE/chaos/station-$ST.pid" 2>/dev/null
    if [ -n "$pid" ] && [ "$stopat" = "$step" ]; then
      taken=1
      if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ]; then
        FAULT_DESC="station $ST upa-release $pid stopped at $step"
        kill -9 "$pid" 2>/dev/null
        return 0
      fi
    elif [ "$taken" = 1 ]; then
      FAULT_DESC="station $ST: the run never reached $step"
      return 1
    fi
    sleep 0.1
  done
  rm -f "$BASE/chaos/station-$ST.stopat"
  FAULT_DESC="station $ST: no run reached $step in 20s"
  return 1
}

fault_cupsd_release()
{
  pick_station || true
  rnd_sleep 0 1500
  FAULT_DESC="cupsd $CUPSD_PID SIG$1 while releasing"
  cupsd_down "$1"
  rnd_sleep 0 2000
  cupsd_restart || upa_fatal "cupsd did not come back"
}

fault_cupsd_report()
{
  local n0

  n0=$(deliveries)
  rnd 4
  sim_curl /sim/faults -X POST -H 'Content-Type: text/plain' \
    --data-binary "delay,class=ipp,op=Update-Job-Status,seconds=$((R + 2))" >/dev/null 2>&1
  # Wait for a job to reach the printer (its report follows).
  local deadline=$((SECONDS + 8))
  while [ "$(deliveries)" -le "$n0" ] && ((SECONDS < deadline)); do
    sleep 0.1
  done
  rnd_sleep 0 1500
  FAULT_DESC="cupsd $CUPSD_PID SIG$1 while reporting ($(( $(deliveries) - n0 )) new deliveries)"
  cupsd_down "$1"
  rnd_sleep 0 2000
  cupsd_restart || upa_fatal "cupsd did not come back"
}

sim_down_up()
{
  kill -9 "$CLOUDSIM_PID" 2>/dev/null
  wait "$CLOUDSIM_PID" 2>/dev/null
  CLOUDSIM_PID=
  rnd_sleep 0 3000
  cloudsim_start >>"$BASE/chaos/sim-restarts.log"
}

# The upa-sync service (direct printing's connector) killed mid-work;
# sync_service() starts it again, as systemd would.
fault_kill_sync()
{
  local pid

  pid=$(cat "$BASE/chaos/sync.pid" 2>/dev/null)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  rnd_sleep 0 1500
  FAULT_DESC="upactl sync --watch $pid kill -9"
  kill -KILL "$pid" 2>/dev/null
}

fault_sim_crash()
{
  rnd_sleep 0 1500
  FAULT_DESC="upa-cloudsim $CLOUDSIM_PID kill -9"
  sim_down_up
}

fault_sim_crash_rtt()
{
  local ops
  local op

  IFS='|' read -r -a ops <<<"$1"
  rnd ${#ops[@]}
  op=${ops[R]}
  rnd 3
  sim_curl /sim/faults -X POST -H 'Content-Type: text/plain' \
    --data-binary "delay,class=ipp,op=$op,seconds=$((R + 2))" >/dev/null 2>&1 || return 1
  rnd_sleep 300 2500
  FAULT_DESC="upa-cloudsim $CLOUDSIM_PID kill -9, $op delayed"
  sim_down_up
}


#
# The run: submit in batches, inject faults between them.
#

FAULTS=0
FAULTLOG="$BASE/chaos/faults.log"
: >"$FAULTLOG"

# The jobs come from their own loop, ahead of the faults (so the faults hit
# releases and reports in flight); the stations start with a few waiting.
echo 0 >"$BASE/chaos/progress"
submitter </dev/null >/dev/null 2>>"$BASE/chaos/submit.err" &
SUBMITTER=$!
upa_wait_for 120 test -s "$IDS" || upa_fatal "no job could be submitted"

station A "${QUEUES[0]}" </dev/null >/dev/null 2>&1 &
STATION_A=$!
station B "${QUEUES[1]}" </dev/null >/dev/null 2>&1 &
STATION_B=$!
sync_service </dev/null >/dev/null 2>&1 &
SYNC_LOOP=$!
upa_at_exit 'touch "$STOP" "$BASE/chaos/sync-stop"; for s in A B; do p=$(station_pid $s); [ -n "$p" ] && kill -9 "$p"; done; kill -TERM "$(cat "$BASE/chaos/sync.pid" 2>/dev/null)" 2>/dev/null; wait "$STATION_A" "$STATION_B" "$SYNC_LOOP" 2>/dev/null'

phase_start=$SECONDS
attempts=0
# Faults go on until every job is in (submissions are slow on a loaded
# machine), so no job escapes them; --quick stops at its deadline anyway.
while [ "$FAULTS" -lt "$NFAULTS" ] || kill -0 "$SUBMITTER" 2>/dev/null; do
  if [ "$PHASE_END" -gt 0 ] && ((SECONDS >= PHASE_END)); then
    upa_log "fault phase: time is up after $FAULTS faults"
    break
  fi
  attempts=$((attempts + 1))
  if ((attempts > NFAULTS * 4)) && ! kill -0 "$SUBMITTER" 2>/dev/null; then
    upa_log "fault phase: giving up after $attempts attempts ($FAULTS faults injected)"
    break
  fi

  # How far the phase is (per mille): faults done, or time used.
  progress=$((1000 * FAULTS / NFAULTS))
  if [ "$PHASE_END" -gt 0 ]; then
    tp=$((1000 * (SECONDS - phase_start) / (PHASE_END - phase_start + 1)))
    ((tp > progress)) && progress=$tp
  fi
  echo "$progress" >"$BASE/chaos/progress.tmp" && mv "$BASE/chaos/progress.tmp" "$BASE/chaos/progress"
  kill_hung

  # Choose a kind by weight (attempt N is the same for a seed).
  rnd_stream "$attempts"
  rnd "$TOTAL_WEIGHT"
  pick=$R
  for line in "${ENABLED[@]}"; do
    read -r name weight handler arg <<<"$line"
    if [ "$pick" -lt "$weight" ]; then
      break
    fi
    pick=$((pick - weight))
  done

  FAULT_DESC=
  if "fault_$handler" "$arg"; then
    FAULTS=$((FAULTS + 1))
    echo "$(date +%T) fault $FAULTS $name: $FAULT_DESC (deliveries so far $(deliveries))" >>"$FAULTLOG"
    upa_log "fault $FAULTS $name: $FAULT_DESC"
  else
    echo "$(date +%T) not injected: $name ($FAULT_DESC)" >>"$FAULTLOG"
  fi
  rnd_sleep 200 1500
done
echo 1000 >"$BASE/chaos/progress"
upa_log "fault phase done: $FAULTS faults in $((SECONDS - phase_start))s, $(submitted) jobs submitted, $(deliveries) deliveries so far"
wait "$SUBMITTER"
upa_log "all $(submitted) jobs submitted ($(wc -l <"$IDS") answered)"


#
# Recovery, as a server would do it: stop the stations, disarm the faults,
# then "upa-release --recover", "upactl outbox flush" and a clean release of
# whatever is still waiting, while upa-sync runs, until nothing changes.
#

sim_curl /sim/faults >"$BASE/chaos/faults-unfired.json" 2>/dev/null
sim_curl /sim/faults -X DELETE >/dev/null || upa_log "cannot disarm the faults"
touch "$STOP"
deadline=$((SECONDS + STOP_WAIT))
while kill -0 "$STATION_A" 2>/dev/null || kill -0 "$STATION_B" 2>/dev/null; do
  kill_hung
  # A run stopped at a step by a fault that did not kill it yet.
  for s in A B; do
    p=$(station_pid "$s") && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = T ] && kill -9 "$p"
  done
  if ((SECONDS > deadline)); then
    for s in A B; do
      if p=$(station_pid "$s"); then
        kill -9 "$p"
        FAULTS=$((FAULTS + 1))
        echo "$(date +%T) fault $FAULTS kill-release-at-end: station $s upa-release $p still running after ${STOP_WAIT}s" >>"$FAULTLOG"
        upa_log "fault $FAULTS kill-release-at-end: station $s upa-release $p"
      fi
    done
  fi
  sleep 0.5
done
wait "$STATION_A" "$STATION_B" 2>/dev/null

# 'snapshot()' - What could still change: CUPS jobs, outbox, cloud jobs, deliveries.
snapshot()
{
  lpstat -o 2>/dev/null | awk '{print $1}' | sort
  "$UPACTL" outbox list 2>&1
  sim_curl /sim/jobs 2>/dev/null | jq -c '.jobs[] | [.id, .state, .acquiredBy, .isFetchable, .reasons]'
  deliveries
}

# 'quiet()' - Nothing left to do: no CUPS job unfinished, no status update
# waiting, no direct job waiting for the connector.
quiet()
{
  [ -z "$(lpstat -o 2>/dev/null)" ] && "$UPACTL" outbox list 2>/dev/null | grep -q '^0 job status' &&
    sim_curl /sim/jobs 2>/dev/null | jq -e --arg d "$DIRECT_DEV" '[.jobs[] | select(.printer == $d and .isFetchable)] | length == 0' >/dev/null
}

recover_start=$SECONDS
[ "$RECOVER_END" -gt 0 ] && RECOVER_MAX=$((RECOVER_END - SECONDS))
((RECOVER_MAX < 20)) && RECOVER_MAX=20
prev=
quiescent=0
round=0
while :; do
  round=$((round + 1))
  {
    echo "---- recovery round $round ($(date +%T))"
    timeout -s KILL "$CMD_MAX" "$RELEASE" --recover 2>&1
    echo "upa-release --recover: exit $?"
    # As an admin would after an outage: deliver now, not after the back-off
    # (older upactl has no --now: exit 2, then the plain flush).
    timeout -s KILL "$CMD_MAX" "$UPACTL" outbox flush --now 2>&1
    rc=$?
    if [ "$rc" = 2 ]; then
      timeout -s KILL "$CMD_MAX" "$UPACTL" outbox flush 2>&1
      rc=$?
    fi
    echo "upactl outbox flush: exit $rc"
    for ((u = 1; u <= USERS; u ++)); do
      timeout -s KILL "$CMD_MAX" "$RELEASE" --printer "${QUEUES[0]}" --user "$(user_name "$u")" --all 2>&1
      echo "upa-release --all $(user_name "$u"): exit $?"
    done
  } >>"$BASE/chaos/recovery.log"
  snap=$(snapshot)
  if quiet && [ "$snap" = "$prev" ]; then
    quiescent=1
    break
  fi
  prev=$snap
  if ((SECONDS - recover_start > RECOVER_MAX)); then
    break
  fi
  sleep 2
done
if [ "$quiescent" = 1 ]; then
  upa_log "quiescent after $((SECONDS - recover_start))s ($round recovery rounds)"
else
  upa_log "NOT quiescent after $((SECONDS - recover_start))s ($round recovery rounds)"
fi
touch "$BASE/chaos/sync-stop"
kill -TERM "$(cat "$BASE/chaos/sync.pid" 2>/dev/null)" 2>/dev/null
wait "$SYNC_LOOP" 2>/dev/null


#
# The verdict, from the truth table, the capture log and the emulator only.
#

sim_curl /sim/jobs >"$BASE/chaos/final-jobs.json" || upa_fatal "cannot read the emulator's jobs"
jq -r '.jobs[] | [.id, .name, .state, (.isFetchable | tostring), (.acquiredBy // "-"),
                  ((.reasons // []) | map(select(. != "none")) | join(",") | if . == "" then "-" else . end),
                  (if (.message // "") == "" then "-" else "msg" end)] | @tsv' \
  "$BASE/chaos/final-jobs.json" >"$BASE/chaos/cloud.tsv"
lpstat -W not-completed -o 2>/dev/null >"$BASE/chaos/cups-unfinished.txt"
MISSING=
for q in "${QUEUES[@]}"; do
  lpstat -v "$q" >/dev/null 2>&1 || MISSING="$MISSING $q"
done
# cupsd buffers its error_log: stop it so the details below are complete.
cupsd_down TERM

# One line per bad job ("BAD <cloud-id> <what>"), then the totals.
awk -v ours="$OUR_DEVICES" -v unfinished="$(wc -l <"$BASE/chaos/cups-unfinished.txt")" '
  BEGIN {
    FS = "\t"
    n = split(ours, d, " ")
    for (i = 1; i <= n; i ++) our[d[i]] = 1
  }
  FILENAME == ARGV[1] {			# docs: index user bytes sha
    dbytes[$1] = $3; dsha[$1] = $4; ndocs ++
    next
  }
  FILENAME == ARGV[2] {			# ids: index cloud-id (answered submissions)
    answered[$2] = $1
    next
  }
  FILENAME == ARGV[3] {			# cloud: id name state fetchable acquired reasons msg
    seen[$1] = 1
    if ($2 !~ /^soak-[0-9]+\.pdf$/) next
    i = substr($2, 6) + 0
    if (!(i in dsha)) { print "HARNESS " $1 " " $2 ": a job the harness never made"; harness ++; next }
    truth[$1] = 1; idx[$1] = i; bytes[$1] = dbytes[i]; sha[$1] = dsha[i]; order[++ njobs] = $1
    if (!($1 in answered)) { extra ++; print "NOTE " $1 " " $2 " is an extra cloud job (its submission was answered with another id, or not at all); checked like the others" }
    nsub[i] ++
    state[$1] = $3; fetchable[$1] = $4; acq[$1] = $5; reasons[$1] = $6; msg[$1] = $7
    next
  }
  {					# deliveries: epoch cups= cloud= bytes= sha256= printer=
    split($0, f, " ")
    for (k in f) { split(f[k], kv, "="); v[kv[1]] = kv[2] }
    id = v["cloud"]
    if (!(id in truth)) { unknown ++; print "BAD " id " delivery of a job nobody submitted: " $0; next }
    dl[id] ++
    if (v["bytes"] == bytes[id] && v["sha256"] == sha[id]) good[id] ++
    else bad[id] ++
    cups[id] = cups[id] " " v["cups"]
  }
  END {
    # A submission the emulator answered but no longer has.
    for (id in answered)
      if (!(id in seen)) { lost ++; print "BAD " id " soak-" answered[id] " vanished from the emulator" }
    # A document that never became a cloud job (the submitter gave up).
    for (i in dsha)
      if (!(i in nsub)) { harness ++; print "HARNESS soak-" i " was never submitted (see chaos/submit.err)" }
    for (j = 1; j <= njobs; j ++) {
      id = order[j]
      what = ""
      s = state[id]
      stolen = (acq[id] != "-" && !(acq[id] in our))
      waiting = (s == "pending" && fetchable[id] == "true" && acq[id] == "-")
      explained = ((s == "aborted" || s == "canceled") && (reasons[id] != "-" || msg[id] != "-"))
      if (bad[id] > 0) { damaged ++; what = what " damaged(" bad[id] " bad copies)" }
      if (dl[id] > 1) { dup ++; what = what " duplicated(" dl[id] " deliveries, CUPS jobs" cups[id] ")" }
      if (dl[id] == 0 && !stolen && !waiting && !explained) { lost ++; what = what " lost(never printed)" }
      if ((s == "pending" || s == "pending-held" || s == "processing" || s == "processing-stopped") && (acq[id] in our)) {
        stuck ++; what = what " stuck(" s " acquired by us)"
      }
      # The true final state.
      if (dl[id] >= 1) truestate = (s == "completed")
      else truestate = (stolen || waiting || explained)
      if (!truestate) { wrong ++; what = what " wrong-cloud-state" }
      if (waiting) { stillwaiting ++; what = what " still-waiting(a clean release did not print it)" }
      if (stolen) nstolen ++
      if (what != "")
        printf "BAD %s soak-%s state=%s fetchable=%s acquiredBy=%s reasons=%s deliveries=%d:%s\n", id, idx[id], s, fetchable[id], acq[id], reasons[id], dl[id], what
    }
    stuck += unfinished
    printf "TOTAL %d %d %d %d %d %d %d %d %d %d %d\n", njobs, lost + 0, dup + unknown, damaged + 0, stuck + 0, wrong + 0, stillwaiting + 0, nstolen + 0, unfinished + 0, harness + 0, extra + 0
  }
' "$DOCS" "$IDS" "$BASE/chaos/cloud.tsv" "$DELIVERIES" >"$BASE/chaos/verdict.txt"

read -r _ N LOST DUP DAMAGED STUCK WRONG WAITING STOLEN UNFINISHED HARNESS EXTRA < <(grep '^TOTAL ' "$BASE/chaos/verdict.txt")
[ -n "$N" ] || upa_fatal "the accounting produced no totals"


#
# Details of every bad job: journal records, outbox files, cupsd log lines.
#

if [ "$HARNESS" != 0 ]; then
  grep '^HARNESS ' "$BASE/chaos/verdict.txt" | sed 's/^/# /'
fi
if [ -n "$MISSING" ]; then
  echo "# HARNESS: queue(s)$MISSING vanished from cupsd; the last clean release could not run"
fi
if grep -q '^BAD ' "$BASE/chaos/verdict.txt" || [ "$UNFINISHED" != 0 ] || [ "$quiescent" != 1 ]; then
  echo "# ==== bad jobs ===="
  grep '^BAD \|^NOTE ' "$BASE/chaos/verdict.txt" | sed 's/^/# /'
  if [ "$UNFINISHED" != 0 ]; then
    echo "# ==== CUPS jobs not finished after recovery ===="
    sed 's/^/#   /' "$BASE/chaos/cups-unfinished.txt"
  fi
  grep '^BAD ' "$BASE/chaos/verdict.txt" | awk '{print $2}' | sort -un | head -n 40 | while read -r id; do
    echo "# ---- cloud job $id ----"
    echo "#   emulator: $(jq -c --argjson id "$id" '.jobs[] | select(.id == $id) | {state, isFetchable, acquiredBy, reasons, message, history: [.history[] | [.event, .stateCode, .device]]}' "$BASE/chaos/final-jobs.json" 2>/dev/null)"
    echo "#   deliveries:"
    grep " cloud=$id " "$DELIVERIES" | sed 's/^/#     /'
    echo "#   journal records:"
    awk -v id="$id" '$4 == id' "$BASE/state/journal" 2>/dev/null | sed 's/^/#     /'
    echo "#   outbox files:"
    grep -l "\"job\": *$id\b" -r "$BASE/cache/outbox" 2>/dev/null | while read -r f; do
      echo "#     $f: $(tr -d '\n' <"$f")"
    done
    cupsids=$( { awk -v id="$id" '$4 == id {print $5}' "$BASE/state/journal" 2>/dev/null
                 grep " cloud=$id " "$DELIVERIES" | sed -n 's/.* cups=\([0-9]*\) .*/\1/p'; } | sort -un | tr '\n' ' ')
    for c in $cupsids; do
      [ "$c" -gt 0 ] 2>/dev/null || continue
      echo "#   cupsd error_log, [Job $c] (last 15 lines):"
      grep "\[Job $c\]" "$BASE/log/error_log" | grep -v 'DEBUG2\|Discarding unused' | tail -n 15 | sed 's/^/#     /'
    done
  done
fi

echo "# stations: A $(grep -c ' run ' "$BASE/chaos/station-A.log" 2>/dev/null) runs, B $(grep -c ' run ' "$BASE/chaos/station-B.log" 2>/dev/null) runs; hung releases killed: $HUNG"
echo "# deliveries: $(deliveries); still waiting in the cloud after the last clean release: $WAITING; taken by another printer (steal): $STOLEN; aborted with a reason: $(awk -F'\t' '$3 == "aborted" || $3 == "canceled"' "$BASE/chaos/cloud.tsv" | wc -l)"
echo "# cloud jobs: $N ($EXTRA from submissions answered with another id or not at all), of which direct jobs (printed by upa-sync, no release): $(jq --arg d "$DIRECT_DEV" '[.jobs[] | select(.printer == $d)] | length' "$BASE/chaos/final-jobs.json" 2>/dev/null); harness problems: $HARNESS"
echo "# wrong final cloud state: $WRONG; CUPS jobs not finished: $UNFINISHED; quiescent: $([ "$quiescent" = 1 ] && echo yes || echo no)"
echo "# fault kinds: $(awk '/ fault [0-9]+ /{print $4}' "$FAULTLOG" | sed 's/:$//' | sort | uniq -c | awk '{printf "%s%s=%s", sep, $2, $1; sep=" "}')"
[ "${UPA_KEEP:-0}" = 1 ] || echo "# (UPA_KEEP=1 keeps $BASE for a closer look; seed $SEED)"

status=0
# A job still waiting after the last clean release is not lost (the user
# can release it), but a release that prints nothing must not pass either.
if [ "$LOST" != 0 ] || [ "$DUP" != 0 ] || [ "$DAMAGED" != 0 ] || [ "$STUCK" != 0 ] || [ "$WRONG" != 0 ] ||
   [ "$WAITING" != 0 ] || [ -n "$MISSING" ] || [ "$HARNESS" != 0 ]; then
  status=1
fi
# The cleanups (which dump cupsd's and the emulator's logs after a failure)
# run first: the summary must stay the last line.
UPA_EXIT_STATUS=$status
for ((ci = ${#upa_cleanups[@]} - 1; ci >= 0; ci --)); do
  eval "${upa_cleanups[ci]}" 2>&1 | sed 's/^\([^#]\)/# \1/' || true
done
upa_cleanups=()
trap - EXIT
echo "soak: $N jobs, $FAULTS faults, lost $LOST, duplicated $DUP, damaged $DAMAGED, stuck $STUCK"
exit "$status"
