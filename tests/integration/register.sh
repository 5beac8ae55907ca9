#!/bin/bash
#
# register.sh - "upactl register/unregister" against upa-cloudsim and a private cupsd.
#
# Registration with an admin token and with the OAuth device-code sign-in
# (against the emulator's /{tenant}/oauth2/v2.0 endpoints, the code approved,
# declined or slowed down through /sim/devicecode), idempotence, file modes
# of the device store, the bad cases (sign-in declined, expired, timed out,
# unknown app; registration stuck in 202; wrong token) leaving the queue
# exactly as it was, "register --all", "list", "status --json", "doctor"
# (and what it says about a wrong key mode, an unreadable key and a key that
# does not match the certificate), and unregistration: the cloud printer is
# deleted (Graph DELETE; the emulator forgets it and refuses its token), the
# queue restored and the device files and token cache removed; a failed
# cloud delete (wrong token, injected Graph error) changes nothing;
# --keep-cloud leaves the cloud printer alone.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
SIM="${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"

upa_need_program "$UPACTL"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "$SIM"
command -v jq >/dev/null || { echo "SKIP: jq is needed"; exit 77; }

upa_tmpdir
# Only the test's app may sign in (others get invalid_client, as from Entra ID).
cloudsim_start --oauth-client-id upa-test-app
upa_write_config
cupsd_start


#
# Helpers for this test...
#

# device_uri QUEUE: print the queue's device URI.
device_uri()
{
  lpstat -v "$1" 2>/dev/null | sed -n "s/^device for $1: //p"
}

# device_id QUEUE: the cloud id from the queue's upa:// URI.
device_id()
{
  device_uri "$1" | sed -n 's|^upa://\([^/]*\)/.*|\1|p'
}

# expect_fail "DESCRIPTION" PATTERN COMMAND...: the command fails and says PATTERN.
expect_fail()
{
  local desc=$1
  local pattern=$2
  local out
  local rc

  shift 2
  upa_tests_run=$((upa_tests_run + 1))
  out=$("$@" 2>&1 </dev/null)
  rc=$?
  if [ "$rc" != 0 ] && grep -qiE -- "$pattern" <<<"$out"; then
    echo "ok $upa_tests_run - $desc"
  else
    upa_tests_failed=$((upa_tests_failed + 1))
    echo "not ok $upa_tests_run - $desc"
    echo "#   command (exit $rc, wanted failure saying /$pattern/): $*"
    sed 's/^/#   /' <<<"$out"
  fi
}

# mode_is FILE MODE OWNER:GROUP
mode_is()
{
  [ "$(stat -c '%a %U:%G' "$1")" = "$2 $3" ] || { stat -c '%n: %a %U:%G' "$1"; return 1; }
}

# same_uri QUEUE URI
same_uri()
{
  local uri

  uri=$(device_uri "$1")
  [ "$uri" = "$2" ] || { echo "device URI of $1 is \"$uri\", expected \"$2\""; return 1; }
}

# no_devices: the device store holds nothing.
no_devices()
{
  [ -z "$(ls -A "$BASE/state/devices" 2>/dev/null)" ] || { ls -lR "$BASE/state/devices"; return 1; }
}

# sim_has_device ID: the emulator knows the printer.
sim_has_device()
{
  sim_curl "/sim/devices/$1" >/dev/null 2>&1
}


# sim_oauth JQ-FILTER: evaluate a filter on the emulator's GET /sim/oauth.
sim_oauth()
{
  sim_curl /sim/oauth | jq -r "$1"
}

# sim_devicecode CODE ACTION: answer a sign-in as the admin would (approve,
# deny) or make its next poll get slow_down.
sim_devicecode()
{
  sim_curl /sim/devicecode -X POST -H 'Content-Type: application/json' \
    --data "{\"userCode\":\"$1\",\"action\":\"$2\",\"upn\":\"admin@contoso.com\"}" >/dev/null
}

# signin_start OUT ARGS...: run "upactl register ARGS..." in the background
# (no admin token: it signs in with a device code), output to OUT; sets
# SIGNIN_PID.
signin_start()
{
  local out=$1

  shift
  env -u UPA_ADMIN_TOKEN "$UPACTL" register "$@" >"$out" 2>&1 </dev/null &
  SIGNIN_PID=$!
}

# shown_code OUT: the user code upactl printed (waits for it).
shown_code()
{
  upa_wait_for 20 grep -Eqo '[A-Z]{4}-[A-Z]{4}' "$1" || return 1
  grep -Eo '[A-Z]{4}-[A-Z]{4}' "$1" | head -1
}

# signin_done: the background upactl has exited (a zombie counts).
signin_done()
{
  ! kill -0 "$SIGNIN_PID" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$SIGNIN_PID/stat" 2>/dev/null)" = Z ]
}

# signin_wait: wait (bounded) for the background upactl; sets SIGNIN_RC.
signin_wait()
{
  upa_wait_for 90 signin_done || kill "$SIGNIN_PID" 2>/dev/null
  wait "$SIGNIN_PID"
  SIGNIN_RC=$?
}

# failed_saying RC OUT PATTERN: a non-zero exit and PATTERN in the output.
failed_saying()
{
  [ "$1" != 0 ] && grep -qiE -- "$3" "$2" || { echo "exit $1, wanted failure saying /$3/:"; cat "$2"; return 1; }
}

# slow_down_then_approve CODE
slow_down_then_approve()
{
  sim_devicecode "$1" slow_down && sim_devicecode "$1" approve
}

# mint_device_token ID: a device access token for a registered queue, made
# from its device files with openssl and curl (protocol.md §3), not libupa.
mint_device_token()
{
  local dir="$BASE/state/devices/$1"
  local url nonce der header payload sig

  url=$(sed -n 's/^TokenURL //p' "$dir/device.conf")
  nonce=$(curl -sf --cacert "$UPA_SIM_CA" --data grant_type=srv_challenge "$url" | jq -r .Nonce) || return 1
  der=$(openssl x509 -in "$dir/cert.pem" -outform DER | basenc --base64 -w0)
  header=$(printf '{"alg":"RS256","typ":"JWT","x5c":["%s"]}' "$der" | basenc --base64url -w0 | tr -d '=')
  payload=$(printf '{"request_nonce":"%s","grant_type":"device_token","resource":"%s","client_id":"%s","redirect_uri":"%s","iss":"%s"}' \
    "$nonce" "$(sed -n 's/^Resource //p' "$dir/device.conf")" "$(sed -n 's/^ClientId //p' "$dir/device.conf")" \
    "$(sed -n 's/^RedirectURI //p' "$dir/device.conf")" "$1" | basenc --base64url -w0 | tr -d '=')
  sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$dir/key.pem" | basenc --base64url -w0 | tr -d '=')
  curl -sf --cacert "$UPA_SIM_CA" --data-urlencode 'grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer' \
    --data-urlencode "request=$header.$payload.$sig" "$url" | jq -er .access_token
}

# ipp_status TOKEN: HTTP status of an IPP POST (a garbage body: 400 when the
# token is accepted, 401 when it is not).
ipp_status()
{
  curl -s -o /dev/null -w '%{http_code}' --cacert "$UPA_SIM_CA" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/ipp' --data-binary 'not ipp' "$UPA_SIM_URL/printers"
}

SIGNIN=(--client-id upa-test-app)

# A second emulator that keeps registrations in 202 forever and whose
# sign-in codes live 3 s (same CA).
STUCK_PORT=$(upa_free_port) || upa_fatal "no free port"
mkdir -p "$BASE/sim-stuck"
"$SIM" --listen "127.0.0.1:$STUCK_PORT" --ca-dir "$BASE/ca" --state-dir "$BASE/sim-stuck" \
  --admin-token "$UPA_SIM_ADMIN" --register-polls 100000 --devicecode-lifetime 3 >"$BASE/log/cloudsim-stuck.log" 2>&1 &
STUCK_PID=$!
upa_at_exit 'kill $STUCK_PID 2>/dev/null; wait $STUCK_PID 2>/dev/null'
upa_wait_for 15 curl -sf --cacert "$UPA_SIM_CA" "https://127.0.0.1:$STUCK_PORT/sim/health" || upa_fatal "second emulator did not start"
STUCK="https://127.0.0.1:$STUCK_PORT"


#
# Queues...
#

check "lpadmin creates Floor3, Floor4, Floor5 (raw, capture backend)" \
  sh -c "lpadmin -p Floor3 -v 'capture:$BASE/out' -E && lpadmin -p Floor4 -v 'capture:$BASE/out/f4' -E && lpadmin -p Floor5 -v 'capture:$BASE/out/f5' -E"
F3_URI=$(device_uri Floor3)
F4_URI=$(device_uri Floor4)
F5_URI=$(device_uri Floor5)


#
# Bad input first: every failure leaves the queue and the device store alone.
#

expect_fail "register without any admin sign-in says how to sign in" "client-id|admin-token" \
  env -u UPA_ADMIN_TOKEN -u UPA_CLIENT_ID "$UPACTL" register Floor3
expect_fail "register with a wrong admin token: sign-in refused" "refused|401" \
  "$UPACTL" register --admin-token wrong-token --no-sync Floor3
check "... Floor3 unchanged" same_uri Floor3 "$F3_URI"
check "... device store empty" no_devices
expect_fail "register an unknown queue" "no queue named" \
  "$UPACTL" register --admin-token "$UPA_SIM_ADMIN" NoSuchQueue
signin_start "$BASE/deny.out" "${SIGNIN[@]}" Floor4
CODE=$(shown_code "$BASE/deny.out")
check "device-code sign-in: upactl shows a code" test -n "$CODE"
check "... the admin declines it (/sim/devicecode deny)" sim_devicecode "$CODE" deny
signin_wait
check "... upactl fails: declined" failed_saying "$SIGNIN_RC" "$BASE/deny.out" "declined"
expect_fail "device-code sign-in expired (3 s codes)" "expired" \
  env -u UPA_ADMIN_TOKEN "$UPACTL" register "${SIGNIN[@]}" --authority "$STUCK" Floor4
check "... the emulator saw it polled with the app's client id until it expired" \
  sh -c "curl -sf --cacert '$UPA_SIM_CA' -H 'Authorization: Bearer $UPA_SIM_ADMIN' '$STUCK/sim/oauth' | jq -e '.deviceCodes[0] | .state == \"expired\" and .clientId == \"upa-test-app\" and .polls >= 1' >/dev/null"
expect_fail "device-code sign-in timed out (--signin-timeout)" "within 3 s" \
  env -u UPA_ADMIN_TOKEN "$UPACTL" register "${SIGNIN[@]}" --signin-timeout 3 Floor4
expect_fail "device-code sign-in with an unknown app" "invalid_client" \
  env -u UPA_ADMIN_TOKEN "$UPACTL" register --client-id other-app Floor4
check "... Floor4 unchanged" same_uri Floor4 "$F4_URI"
check "... device store still empty" no_devices

# A registration that stays in 202 (the second emulator).
sed -e "s|^RegisterURL .*|RegisterURL https://127.0.0.1:$STUCK_PORT|" "$BASE/cups-upa.conf" >"$BASE/stuck.conf"
SECONDS_BEFORE=$SECONDS
expect_fail "registration stuck in 202 gives up after --max-wait" "still pending" \
  "$UPACTL" -c "$BASE/stuck.conf" register --admin-token "$UPA_SIM_ADMIN" --max-wait 4 Floor5
check "... within a few seconds of --max-wait" test $((SECONDS - SECONDS_BEFORE)) -le 10
check "... Floor5 unchanged" same_uri Floor5 "$F5_URI"
check "... device store still empty" no_devices


#
# Registration with an admin token.
#

check "register Floor3 (admin token, 202 polling)" \
  "$UPACTL" register --admin-token "$UPA_SIM_ADMIN" --no-sync Floor3
F3_ID=$(device_id Floor3)
check "... device URI wraps the old one" same_uri Floor3 "upa://$F3_ID/$F3_URI"
check "... the emulator knows printer $F3_ID" sim_has_device "$F3_ID"
DEV="$BASE/state/devices/$F3_ID"
check "... device folder 0750 root:lp" mode_is "$DEV" 750 root:lp
check "... key.pem 0640 root:lp" mode_is "$DEV/key.pem" 640 root:lp
check "... cert.pem 0644" sh -c "[ \"\$(stat -c %a '$DEV/cert.pem')\" = 644 ]"
check "... device.conf 0640 root:lp, PreviousURI recorded" \
  sh -c "mode_ok=\$(stat -c '%a %U:%G' '$DEV/device.conf'); [ \"\$mode_ok\" = '640 root:lp' ] && grep -qx 'PreviousURI $F3_URI' '$DEV/device.conf'"
check "... key and certificate match" \
  sh -c "[ \"\$(openssl pkey -in '$DEV/key.pem' -pubout)\" = \"\$(openssl x509 -in '$DEV/cert.pem' -noout -pubkey)\" ]"

OUT=$("$UPACTL" register --admin-token "$UPA_SIM_ADMIN" Floor3 2>&1)
check "register Floor3 again says it is registered" grep -q "already registered as $F3_ID" <<<"$OUT"
check "... and changes nothing" same_uri Floor3 "upa://$F3_ID/$F3_URI"
check "... still one device" test "$(ls "$BASE/state/devices" | wc -l)" = 1


#
# Registration with the device-code sign-in.
#

TOKEN_POLLS=$(sim_oauth .tokenRequests)
signin_start "$BASE/signin.out" "${SIGNIN[@]}" --no-sync Floor4
CODE=$(shown_code "$BASE/signin.out")
check "register Floor4 with a device-code sign-in: shows the code" test -n "$CODE"
check "... and where to enter it" grep -qF "$UPA_SIM_URL/devicelogin" "$BASE/signin.out"
# The next poll gets slow_down; RFC 8628 wants 5 s more between polls from then on.
check "... the service asks it to slow down, then the admin approves" slow_down_then_approve "$CODE"
signin_wait
check "... registered" test "$SIGNIN_RC" = 0
[ "$SIGNIN_RC" = 0 ] || sed 's/^/#   /' "$BASE/signin.out"
F4_ID=$(device_id Floor4)
check "... device URI wrapped" same_uri Floor4 "upa://$F4_ID/$F4_URI"
check "... polled with the device_code grant and the app's client id" \
  test "$(sim_oauth ".deviceCodes[] | select(.userCode == \"$CODE\") | \"\(.state) \(.clientId)\"")" = "redeemed upa-test-app" -a "$(sim_oauth .tokenRequests)" -gt "$TOKEN_POLLS"
# Poll times as the emulator saw them: every gap >= the 1 s interval, the
# last one (after slow_down) >= 6 s, and only one slow_down needed.
check "... honoured slow_down (>= 5 s more before the next poll)" \
  sh -c "curl -sf --cacert '$UPA_SIM_CA' -H 'Authorization: Bearer $UPA_SIM_ADMIN' '$UPA_SIM_URL/sim/oauth' | jq -e --arg c '$CODE' '.deviceCodes[] | select(.userCode == \$c) | .slowDowns == 1 and (.pollTimes | length >= 2) and ([range(1; .pollTimes | length) as \$i | .pollTimes[\$i] - .pollTimes[\$i - 1]] | (.[-1] >= 5.5 and min >= 0.8))' >/dev/null"


#
# register --all, list, status --json.
#

check "register --all registers Floor5 and leaves the others" \
  sh -c "'$UPACTL' register --all --admin-token '$UPA_SIM_ADMIN' --no-sync | grep -q '1 queue registered now, 0 failed, 2 already registered'"
F5_ID=$(device_id Floor5)
check "... Floor5 wrapped" same_uri Floor5 "upa://$F5_ID/$F5_URI"
check "list shows three registered queues" \
  sh -c "test \"\$('$UPACTL' list | grep -c ' registered ')\" = 3"
check "status --json lists the three with their ids" \
  sh -c "'$UPACTL' status --json | jq -e '[.printers[] | select(.deviceURIState == \"ok\") | .id] | sort == ([\"$F3_ID\", \"$F4_ID\", \"$F5_ID\"] | sort)'"


#
# doctor: healthy, then with broken device files.
#

check "doctor finds no problems" "$UPACTL" doctor
chmod 0644 "$DEV/key.pem"
expect_fail "doctor: a world-readable key" "key.pem has mode 0644.*others may read it" "$UPACTL" doctor --offline
chmod 0600 "$DEV/key.pem"
expect_fail "doctor: a key the DeviceGroup cannot read" "group lp cannot (read the key|read it)" "$UPACTL" doctor --offline
chmod 0640 "$DEV/key.pem"
cp "$DEV/cert.pem" "$BASE/cert.save"
cp "$BASE/state/devices/$F4_ID/cert.pem" "$DEV/cert.pem"
expect_fail "doctor: certificate of another key" "does not match" "$UPACTL" doctor --offline
cp "$BASE/cert.save" "$DEV/cert.pem"
check "doctor is happy again" "$UPACTL" doctor --offline

# doctor reads files as each program's user: the backend (lp after its drop)
# cannot read a CAFile in a 0700 folder, as the emulator makes its own.
chmod 0700 "$BASE/ca"
expect_fail "doctor: the backend cannot read a CAFile in a 0700 folder" \
  "backend.*running as lp.*cannot read CAFile $BASE/ca/ca.pem" "$UPACTL" doctor --offline
expect_fail "doctor: ... and says how to fix it" "fix: copy the certificate where lp can read it" "$UPACTL" doctor --offline
chmod 0755 "$BASE/ca"
check "doctor: the CAFile is readable again" "$UPACTL" doctor --offline

# status --check and doctor ask the cloud itself, not the cached token.
check "status --check: the cloud answers" "$UPACTL" status --check
cloudsim_kill
expect_fail "status --check with the emulator down: unreachable, non-zero exit" \
  "Cloud: +FAILED: unreachable" "$UPACTL" status --check
expect_fail "doctor with the emulator down: the cloud check fails" "FAIL +cloud: unreachable" "$UPACTL" doctor
cloudsim_start --oauth-client-id upa-test-app
check "status --check: the cloud answers again" "$UPACTL" status --check


#
# Unregistration.
#

# The cloud delete really happens: afterwards the emulator answers 404 for
# the printer and refuses the token it had.
F4_TOKEN=$(mint_device_token "$F4_ID")
check "Floor4's device token works before unregistering (IPP 400 for a garbage body, not 401)" \
  test "$(ipp_status "$F4_TOKEN")" = 400
OUT=$("$UPACTL" unregister --admin-token "$UPA_SIM_ADMIN" Floor4 2>&1)
RC=$?
check "unregister Floor4 (admin token, Graph DELETE)" test "$RC" = 0
[ "$RC" = 0 ] || sed 's/^/#   /' <<<"$OUT"
check "... says it deleted cloud printer $F4_ID" grep -q "Deleted cloud printer $F4_ID" <<<"$OUT"
check "... the emulator forgot printer $F4_ID (/sim/devices 404)" \
  test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$UPA_SIM_CA" -H "Authorization: Bearer $UPA_SIM_ADMIN" "$UPA_SIM_URL/sim/devices/$F4_ID")" = 404
check "... Graph says 404 for it" \
  test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$UPA_SIM_CA" -H "Authorization: Bearer $UPA_SIM_ADMIN" "$UPA_SIM_URL/v1.0/print/printers/$F4_ID")" = 404
check "... its device token no longer works (IPP 401)" test "$(ipp_status "$F4_TOKEN")" = 401
check "... device URI restored" same_uri Floor4 "$F4_URI"
check "... device folder removed" test ! -e "$BASE/state/devices/$F4_ID"
check "... token cache removed" test ! -e "$BASE/cache/tokens/$F4_ID.json"
OUT=$("$UPACTL" unregister --admin-token "$UPA_SIM_ADMIN" Floor4 2>&1)
check "unregister Floor4 again: nothing to do" grep -q "not registered" <<<"$OUT"

# Failed cloud deletes change nothing.
expect_fail "unregister Floor3 with a wrong admin token fails" "cannot delete cloud printer.*nothing was changed" \
  "$UPACTL" unregister --admin-token wrong-token Floor3
check "... Floor3 still registered" same_uri Floor3 "upa://$F3_ID/$F3_URI"
check "... its device still there" test -f "$DEV/device.conf"
check "arm a Graph fault (HTTP 500 until cleared)" sim_curl /sim/faults -X POST --data 'http,class=graph,status=500,count=-1' -o /dev/null
expect_fail "unregister Floor3 while Graph fails" "cannot delete cloud printer.*nothing was changed" \
  "$UPACTL" unregister --admin-token "$UPA_SIM_ADMIN" Floor3
check "clear the fault" sim_curl /sim/faults -X DELETE -o /dev/null
check "... Floor3 still registered" same_uri Floor3 "upa://$F3_ID/$F3_URI"
check "... its device still there" test -f "$DEV/device.conf"
check "... and the cloud printer too" sim_has_device "$F3_ID"

check "unregister --keep-cloud Floor3" "$UPACTL" unregister --keep-cloud Floor3
check "... device URI restored" same_uri Floor3 "$F3_URI"
check "... device removed" test ! -e "$DEV"
check "... the cloud printer is left alone" sim_has_device "$F3_ID"

finish
