#!/bin/bash
#
# register.sh - "upactl register/unregister" against upa-cloudsim and a private cupsd.
#
# Registration with an admin token and with the OAuth device-code sign-in
# (against a small fake authority written below: the emulator has no
# device-code endpoint), idempotence, file modes of the device store, the
# bad cases (sign-in refused, declined, timed out; registration stuck in
# 202; wrong token) leaving the queue exactly as it was, "register --all",
# "list", "status --json", "doctor" (and what it says about a wrong key
# mode, an unreadable key and a key that does not match the certificate),
# and unregistration (cloud delete, queue restored, device removed).
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
command -v python3 >/dev/null || { echo "SKIP: python3 is needed for the fake sign-in authority"; exit 77; }

upa_tmpdir
cloudsim_start
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


#
# The fake sign-in authority (OAuth 2.0 device authorization grant as the
# Microsoft identity platform answers it).  The tenant in the path picks a
# behaviour: ok (pending, slow_down, then a token), deny, expire, pending.
#

cat >"$BASE/authority.py" <<'PYEOF'
import http.server, json, ssl, sys, time, urllib.parse

port, cert, key, log, token = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
polls = {}

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        parts = self.path.strip("/").split("/")
        tenant = parts[0]
        with open(log, "a") as f:
            f.write("%.2f %s %s %s %s\n" % (time.time(), tenant, parts[-1], form.get("grant_type", ["-"])[0], form.get("client_id", ["-"])[0]))
        if parts[1:] == ["oauth2", "v2.0", "devicecode"]:
            if form.get("client_id") != ["upa-test-app"] or not form.get("scope"):
                return self.reply(400, {"error": "invalid_client", "error_description": "unknown client"})
            return self.reply(200, {"device_code": "dc-" + tenant, "user_code": "UPA-" + tenant.upper(),
                                    "verification_uri": "https://microsoft.com/devicelogin",
                                    "interval": 1, "expires_in": 4 if tenant == "expire" else 120})
        if parts[1:] == ["oauth2", "v2.0", "token"]:
            if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:device_code"] or form.get("device_code") != ["dc-" + tenant]:
                return self.reply(400, {"error": "invalid_grant", "error_description": "bad device code"})
            n = polls[tenant] = polls.get(tenant, 0) + 1
            if tenant == "deny":
                return self.reply(400, {"error": "access_denied", "error_description": "The user declined."})
            if tenant == "ok" and n >= 3:
                return self.reply(200, {"token_type": "Bearer", "access_token": token, "expires_in": 3600})
            if tenant == "ok" and n == 2:
                return self.reply(400, {"error": "slow_down"})
            return self.reply(400, {"error": "authorization_pending", "error_description": "waiting"})
        self.reply(404, {"error": "not_found"})

srv = http.server.HTTPServer(("127.0.0.1", int(port)), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PYEOF

AUTH_PORT=$(upa_free_port) || upa_fatal "no free port"
python3 "$BASE/authority.py" "$AUTH_PORT" "$BASE/ca/server.pem" "$BASE/ca/server.key" "$BASE/authority.log" "$UPA_SIM_ADMIN" \
  >"$BASE/log/authority.log" 2>&1 &
AUTH_PID=$!
upa_at_exit 'kill $AUTH_PID 2>/dev/null; wait $AUTH_PID 2>/dev/null'
AUTHORITY="https://127.0.0.1:$AUTH_PORT"
upa_wait_for 10 curl -s --cacert "$UPA_SIM_CA" -o /dev/null "$AUTHORITY/x" || upa_fatal "fake authority did not start"

SIGNIN=(--client-id upa-test-app --authority "$AUTHORITY")


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
expect_fail "device-code sign-in declined" "declined" \
  "$UPACTL" register "${SIGNIN[@]}" --tenant deny Floor4
expect_fail "device-code sign-in expired" "expired" \
  "$UPACTL" register "${SIGNIN[@]}" --tenant expire Floor4
expect_fail "device-code sign-in timed out (--signin-timeout)" "within 3 s" \
  "$UPACTL" register "${SIGNIN[@]}" --tenant pending --signin-timeout 3 Floor4
expect_fail "device-code sign-in with an unknown app" "invalid_client" \
  "$UPACTL" register --client-id other-app --authority "$AUTHORITY" --tenant ok Floor4
check "... Floor4 unchanged" same_uri Floor4 "$F4_URI"
check "... device store still empty" no_devices

# A registration that stays in 202: a second emulator answers 202 forever.
STUCK_PORT=$(upa_free_port) || upa_fatal "no free port"
mkdir -p "$BASE/sim-stuck"
"$SIM" --listen "127.0.0.1:$STUCK_PORT" --ca-dir "$BASE/ca" --state-dir "$BASE/sim-stuck" \
  --admin-token "$UPA_SIM_ADMIN" --register-polls 100000 >"$BASE/log/cloudsim-stuck.log" 2>&1 &
STUCK_PID=$!
upa_at_exit 'kill $STUCK_PID 2>/dev/null; wait $STUCK_PID 2>/dev/null'
upa_wait_for 15 curl -sf --cacert "$UPA_SIM_CA" "https://127.0.0.1:$STUCK_PORT/sim/health" || upa_fatal "second emulator did not start"
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

: >"$BASE/authority.log"
OUT=$(env -u UPA_ADMIN_TOKEN "$UPACTL" register "${SIGNIN[@]}" --tenant ok --no-sync Floor4 2>&1)
RC=$?
check "register Floor4 with a device-code sign-in" test "$RC" = 0
check "... shows the code and where to enter it" grep -q "UPA-OK.*\|microsoft.com/devicelogin" <<<"$OUT"
[ "$RC" = 0 ] || sed 's/^/#   /' <<<"$OUT"
F4_ID=$(device_id Floor4)
check "... device URI wrapped" same_uri Floor4 "upa://$F4_ID/$F4_URI"
check "... polled with the device_code grant and the app's client id" \
  grep -q "ok token urn:ietf:params:oauth:grant-type:device_code upa-test-app" "$BASE/authority.log"
# slow_down (2nd poll) adds 5 s to the 1 s interval before the 3rd poll.
check "... honoured slow_down (>= 5 s before the next poll)" \
  awk '$2 == "ok" && $3 == "token" { t[++n] = $1 } END { exit !(n == 3 && t[3] - t[2] >= 5.5 && t[2] - t[1] >= 0.9) }' "$BASE/authority.log"


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


#
# Unregistration.
#

# Graph DELETE /v1.0/print/printers/{id}: an emulator without it (405, or
# 404 without a Graph error) must make the cloud delete fail cleanly.
OUT=$("$UPACTL" unregister --admin-token "$UPA_SIM_ADMIN" Floor4 2>&1)
RC=$?
if [ "$RC" = 0 ]; then
  check "unregister Floor4 (admin token, Graph DELETE)" grep -q "Deleted cloud printer $F4_ID" <<<"$OUT"
  check "... the emulator forgot printer $F4_ID" sh -c "! curl -sf --cacert '$UPA_SIM_CA' -H 'Authorization: Bearer $UPA_SIM_ADMIN' '$UPA_SIM_URL/sim/devices/$F4_ID' >/dev/null"
elif grep -Eq "HTTP 405|404 without a Graph error" <<<"$OUT"; then
  upa_log "the emulator has no Graph DELETE for printers: checking that a failed cloud delete changes nothing"
  check "unregister Floor4: cloud delete fails, says nothing was changed" grep -q "cannot delete cloud printer.*nothing was changed" <<<"$OUT"
  check "... Floor4 still registered" same_uri Floor4 "upa://$F4_ID/$F4_URI"
  check "... its device still there" test -f "$BASE/state/devices/$F4_ID/device.conf"
  check "unregister --force Floor4 (cloud delete fails, local state cleaned)" "$UPACTL" unregister --admin-token "$UPA_SIM_ADMIN" --force Floor4
else
  check "unregister Floor4 (admin token)" false
  sed 's/^/#   /' <<<"$OUT"
fi
check "... device URI restored" same_uri Floor4 "$F4_URI"
check "... device folder removed" test ! -e "$BASE/state/devices/$F4_ID"
check "... token cache removed" test ! -e "$BASE/cache/tokens/$F4_ID.json"
OUT=$("$UPACTL" unregister --admin-token "$UPA_SIM_ADMIN" Floor4 2>&1)
check "unregister Floor4 again: nothing to do" grep -q "not registered" <<<"$OUT"
expect_fail "unregister Floor3 with a wrong admin token fails" "cannot delete cloud printer.*nothing was changed" \
  "$UPACTL" unregister --admin-token wrong-token Floor3
check "... Floor3 still registered" same_uri Floor3 "upa://$F3_ID/$F3_URI"
check "... its device still there" test -f "$DEV/device.conf"
check "unregister --keep-cloud Floor3" "$UPACTL" unregister --keep-cloud Floor3
check "... device URI restored" same_uri Floor3 "$F3_URI"
check "... device removed" test ! -e "$DEV"

finish
