#!/bin/bash
#
# sec-credentials.sh - printer and proxy passwords are never shown (issue 15, items 4 and 9).
#
# Item 4: a queue whose device URI carries "user:password@" inside upa://
# is not registered: there the password shows in "lpstat -v" for every
# user, in "ps" (the backend's argv[0]) and in the error_log, since CUPS
# hides the credentials of the URIs it can parse only.  "upactl register"
# (one queue and --all) refuses with a message that says what to do and
# never contains the password; the device store stays as it was.  A plain
# ipp://user:password@ queue never gets its password into the wrapped URI.
#
# Item 9: "upactl doctor" shows the Proxy URL with "***" for its password.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
SECRET=Hunter2Secret
PROXY_SECRET=Pr0xyS3cret

upa_need_program "$UPACTL"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"

upa_tmpdir
cloudsim_start
upa_write_config
cupsd_start

# The private cupsd has no ipp backend: a copy of capture stands in for it
# (nothing is printed here, cupsd only wants the scheme to exist).
upa_install_backend "$top_srcdir/tests/integration/capture" ipp


#
# Helpers for this test...
#

# Run a program, keeping its stdout+stderr and exit status in $BASE/run.*.
run()
{
  "$@" >"$BASE/run.out" 2>&1 </dev/null
  echo $? >"$BASE/run.rc"
  sed 's/^/# output: /' "$BASE/run.out"
}

run_rc()
{
  cat "$BASE/run.rc"
}

# The device URI of a queue.
device_uri()
{
  lpstat -v "$1" 2>/dev/null | sed -n "s/^device for $1: //p"
}

# Succeed when the device store holds no device.
no_devices()
{
  [ -z "$(ls -A "$BASE/state/devices" 2>/dev/null)" ]
}


#
# Item 4: no password inside a upa:// URI...
#
# CUPS hides the credentials of a device URI it can parse ("ipp://u:p@h"
# is shown as "ipp://h"), but "upa://<id>/ipp://u:p@h/..." has no user
# info of its own, so a queue wrapped by hand (upa(8) shows lpadmin -v
# upa://...) shows the password to everyone.  "upactl register" must refuse
# such a queue, and never wrap credentials itself.
#

ID=00000000-0000-4000-8000-000000000099
URI="upa://$ID/ipp://bob:$SECRET@127.0.0.1:9/ipp/print"
check "lpadmin wraps queue Vault by hand with a password inside" \
  lpadmin -p Vault -v "$URI" -E
check "(the leak: lpstat -v shows that password to any user)" \
  bash -c "setpriv --reuid=nobody --regid=nogroup --clear-groups lpstat -v Vault | grep -qF '$SECRET'"

run "$UPACTL" register Vault --admin-token "$UPA_SIM_ADMIN"
check "upactl register Vault fails" test "$(run_rc)" != 0
check "it says the device URI contains a password and how to remove it" \
  grep -q "contains a password.*lpadmin -p Vault -v" "$BASE/run.out"
check "its message shows the URI with *** instead of the password" \
  grep -qF "ipp://bob:***@127.0.0.1:9/ipp/print" "$BASE/run.out"
check "the password is not in its output" \
  bash -c "! grep -qF '$SECRET' '$BASE/run.out'"
check "nothing was added to the device store" no_devices

check "lpadmin creates queue Open without credentials" \
  lpadmin -p Open -v "capture:$BASE/out" -E

run "$UPACTL" register --all --admin-token "$UPA_SIM_ADMIN"
check "upactl register --all reports a failure (Vault)" test "$(run_rc)" != 0
check "--all registers Open" grep -q '^upa://' <<<"$(device_uri Open)"
check "--all does not show the password" \
  bash -c "! grep -qF '$SECRET' '$BASE/run.out'"

# A queue with credentials in a URI CUPS can parse: registration sees only
# the sanitized URI; the password must not end up in the wrapped URI or in
# the device store.
check "lpadmin creates queue Plain with ipp://bob:password@..." \
  lpadmin -p Plain -v "ipp://bob:$SECRET@127.0.0.1:9/ipp/print" -E
run "$UPACTL" register Plain --admin-token "$UPA_SIM_ADMIN"
check "the wrapped URI of Plain does not contain the password" \
  bash -c "! lpstat -v Plain | grep -qF '$SECRET'"
check "the device store does not contain the password" \
  bash -c "! grep -rqF '$SECRET' '$BASE/state'"

#
# Item 9: doctor never shows the proxy password...
#

sed '/^Proxy /d' "$UPA_CONFIG" >"$BASE/proxy.conf"
echo "Proxy http://proxyuser:$PROXY_SECRET@127.0.0.1:1" >>"$BASE/proxy.conf"
chmod 0644 "$BASE/proxy.conf"

run "$UPACTL" -c "$BASE/proxy.conf" doctor --offline
check "doctor names the proxy with *** for the password" \
  grep -qF "http://proxyuser:***@127.0.0.1:1" "$BASE/run.out"
check "doctor does not show the proxy password" \
  bash -c "! grep -qF '$PROXY_SECRET' '$BASE/run.out'"

run "$UPACTL" -v -c "$BASE/proxy.conf" doctor
check "doctor -v (online, proxy down) does not show it either" \
  bash -c "! grep -qF '$PROXY_SECRET' '$BASE/run.out'"

finish
