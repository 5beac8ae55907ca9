#!/bin/bash
#
# proxy.sh - all cloud traffic through an HTTP(S) proxy (cups-upa.conf "Proxy").
#
# A real proxy (tinyproxy) on loopback, allowed to CONNECT only to the
# emulator's port.  Registration (upactl), the release (upa-release) and the
# backend's status report (run by a private cupsd) all go through it: the
# proxy's log shows the tunnels and the cloud job ends completed.  Then the
# bad cases: the proxy down, and a proxy that wants credentials (wrong ones
# refused with a clear message naming the proxy, right ones accepted, and
# never written to any log).
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
ALICE=alice@contoso.com
PDF="$top_srcdir/tests/data/hello.pdf"

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"
command -v tinyproxy >/dev/null || { echo "SKIP: tinyproxy is not installed (scripts/deps.sh installs it)"; exit 77; }

upa_tmpdir
cloudsim_start

SIM_PORT=${UPA_SIM_URL##*:}


#
# Helpers for this test...
#

# proxy_start NAME [CONFIG LINE...]: a tinyproxy on a free port; sets PORT_NAME.
proxy_start()
{
  local name=$1 port dir
  shift

  port=$(upa_free_port) || upa_fatal "no free port"
  dir="$BASE/proxy-$name"
  mkdir -p "$dir"
  chown nobody "$dir"

  {
    echo "User nobody"
    echo "Group nogroup"
    echo "Port $port"
    echo "Listen 127.0.0.1"
    echo "Timeout 60"
    echo "LogFile \"$dir/log\""
    echo "LogLevel Connect"
    echo "MaxClients 50"
    echo "Allow 127.0.0.1"
    echo "ConnectPort $SIM_PORT"
    for line in "$@"; do
      echo "$line"
    done
  } >"$dir/tinyproxy.conf"

  tinyproxy -d -c "$dir/tinyproxy.conf" >"$dir/stdout" 2>&1 &
  echo $! >"$dir/pid"
  upa_at_exit "kill $(cat "$dir/pid") 2>/dev/null"
  upa_wait_for 10 sh -c "ss -ltn | grep -q '127.0.0.1:$port '" || upa_fatal "tinyproxy ($name) did not start: $(cat "$dir/stdout")"
  eval "PORT_$name=$port"
}

# tunnels NAME: how many CONNECT tunnels to the emulator the proxy opened.
tunnels()
{
  grep -c "CONNECT 127.0.0.1:$SIM_PORT\|Established connection to host \"127.0.0.1\"" "$BASE/proxy-$1/log" 2>/dev/null || true
}

# Run a program, keeping its output in $BASE/run.out and status in $RC.
run()
{
  "$@" >"$BASE/run.out" 2>&1
  RC=$?
  sed 's/^/# /' "$BASE/run.out"
}



#
# A proxy, and a configuration that uses it for everything...
#

proxy_start open
PROXY_URL="http://127.0.0.1:$PORT_open"
upa_write_config "Proxy $PROXY_URL"
cupsd_start

# The proxy must really be the only way: it refuses a port it was not told of.
check "the proxy refuses a CONNECT to another port" \
  sh -c "! curl -sf -o /dev/null --max-time 10 --proxy '$PROXY_URL' --cacert '$UPA_SIM_CA' https://127.0.0.1:1/"
check "... and tunnels to the emulator" \
  curl -sf -o /dev/null --max-time 10 --proxy "$PROXY_URL" --cacert "$UPA_SIM_CA" "$UPA_SIM_URL/sim/health"
base_tunnels=$(tunnels open)

check "lpadmin creates Floor3 (capture backend)" lpadmin -p Floor3 -v "capture:$BASE/out" -E
run "$UPACTL" register Floor3 --admin-token "$UPA_SIM_ADMIN" --no-sync
check "upactl register Floor3 through the proxy" test "$RC" = 0
after_register=$(tunnels open)
check "... went through the proxy" test "$after_register" -gt "$base_tunnels"

job=$(sim_submit "$ALICE" hello.pdf "$PDF")
run "$RELEASE" --printer Floor3 --user "$ALICE" --all
check "upa-release releases alice's job through the proxy" test "$RC" = 0
after_release=$(tunnels open)
check "... through the proxy" test "$after_release" -gt "$after_register"
check "the backend (run by cupsd) reports completed through the proxy" \
  upa_wait_for 60 sim_job_is "$job" state completed
check "... its tunnels are in the proxy's log too" test "$(tunnels open)" -gt "$after_release"
check "... and printed the document" cmp "$PDF" "$BASE/out/job-1.out"


#
# The proxy is down: a clear message that names it, nothing lost.
#

kill "$(cat "$BASE/proxy-open/pid")" 2>/dev/null
upa_wait_for 10 sh -c "! ss -ltn | grep -q '127.0.0.1:$PORT_open '"
job2=$(sim_submit "$ALICE" second.pdf "$PDF")
run "$RELEASE" --printer Floor3 --user "$ALICE" --all
check "with the proxy down upa-release fails" test "$RC" != 0
check "... saying the proxy cannot be reached" grep -q "through proxy 127.0.0.1:$PORT_open" "$BASE/run.out"
check "... and the job is still waiting in the cloud" sim_job_is "$job2" isFetchable true


#
# A proxy that wants credentials...
#

proxy_start auth "BasicAuth upa s3cret-proxy-pw"
upa_write_config "Proxy http://upa:wrong-pw@127.0.0.1:$PORT_auth"
run "$UPACTL" jobs Floor3
check "wrong proxy credentials are refused" test "$RC" != 0
# (tinyproxy answers 401 where RFC 9110 says 407)
check "... with a message naming the proxy and its answer" grep -qE "through proxy 127.0.0.1:$PORT_auth.*40[17]" "$BASE/run.out"

upa_write_config "Proxy http://upa:s3cret-proxy-pw@127.0.0.1:$PORT_auth"
run "$RELEASE" --printer Floor3 --user "$ALICE" --all
check "the right proxy credentials work" test "$RC" = 0
check "... the second job is completed" upa_wait_for 60 sim_job_is "$job2" state completed
check "no proxy password in any log" \
  sh -c "! grep -rqa -e 's3cret-proxy-pw' -e 'wrong-pw' '$BASE/run.out' '$BASE/log' 2>/dev/null"

finish
