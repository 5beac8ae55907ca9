#!/bin/bash
#
# dirs-device.sh - devices/<id>/device.conf as a symbolic link to a
# root-only file is refused, never read (issue 15, item 2).
#
# A DeviceGroup member (throwaway user and group) makes StateDir/devices/<id>
# in a group-writable StateDir (2770, as earlier packages made it) with
# device.conf -> a root-only file whose first line reads "Queue <secret>".
# Root loads the device two ways: libupa's upaDeviceLoad() (dirs-helper
# device, as upactl and upa-release do) and the backend started as cupsd
# starts it, with the device id taken from the job.  Neither may show the
# secret.  A link that root itself left there is refused too.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

. "$top_srcdir/tests/security/dirs-lib.sh"

BACKEND="$top_builddir/backend/upa"
sec_member_setup

ID=0a0a0a0a-0000-4000-8000-0000000000d1
STATE="$SEC_TMP/state"
SECRET="$SEC_TMP/root-only"
WORD="SeCrEt$$"

mkdir -p "$STATE" "$SEC_TMP/cache" "$SEC_TMP/sb/backend"
chown "root:$GROUP" "$STATE" "$SEC_TMP/cache"
chmod 2770 "$STATE" "$SEC_TMP/cache"
chmod 0755 "$SEC_TMP/sb" "$SEC_TMP/sb/backend"
printf 'Queue %s\nTokenURL https://127.0.0.1:9/t\nPrinterURI ipps://127.0.0.1:9/p\n' "$WORD" >"$SECRET"
chown root:root "$SECRET"
chmod 0600 "$SECRET"

cat >"$SEC_TMP/cups-upa.conf" <<EOT
Cloud custom
RegisterURL https://127.0.0.1:9
PrintURL https://127.0.0.1:9
GraphURL https://127.0.0.1:9/v1.0
AuthorityURL https://127.0.0.1:9
StateDir $STATE
CacheDir $SEC_TMP/cache
DeviceGroup $GROUP
LogLevel debug
EOT
chmod 0644 "$SEC_TMP/cups-upa.conf"

# The member plants the device.
sec_as "$MALLORY" "$GROUP" mkdir -p "$STATE/devices/$ID"
sec_as "$MALLORY" "$GROUP" ln -s "$SECRET" "$STATE/devices/$ID/device.conf"

out=$("$HELPER" device "$SEC_TMP/cups-upa.conf" "$ID" 2>&1)
status=$?
echo "$out" | sed 's/^/# /'
check "upaDeviceLoad() as root refuses the member's device" test "$status" != 0
check "... and never shows the root-only file" sh -c "! printf '%s' '$out' | grep -q '$WORD'"

# The backend, as cupsd starts it, with the device id from the job.
if [ -x "$BACKEND" ]; then
  printf '#!/bin/sh\ncat >/dev/null\nexit 0\n' >"$SEC_TMP/sb/backend/fake"
  chmod 0755 "$SEC_TMP/sb/backend/fake"
  echo hello | env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEVICE_URI="upa://0a0a0a0a-0000-4000-8000-0000000000d2/fake://printer" \
    CUPS_SERVERBIN="$SEC_TMP/sb" UPA_CONFIG="$SEC_TMP/cups-upa.conf" \
    timeout 60 "$BACKEND" 1 mallory title 1 "upa-job-id=100000 upa-device-id=$ID" >"$SEC_TMP/backend.out" 2>&1
  grep -E "^(ERROR|DEBUG: upa: error)" "$SEC_TMP/backend.out" | sed 's/^/# /'
  check "the backend never shows the root-only file" sh -c "! grep -q '$WORD' '$SEC_TMP/backend.out'"
fi

# Even a link that root left in a device folder of root's is not followed.
rm -rf "$STATE/devices"
mkdir -p "$STATE/devices/$ID"
chmod 0755 "$STATE/devices"
chown "root:$GROUP" "$STATE/devices/$ID"
chmod 0750 "$STATE/devices/$ID"
ln -s "$SECRET" "$STATE/devices/$ID/device.conf"
out=$("$HELPER" device "$SEC_TMP/cups-upa.conf" "$ID" 2>&1)
status=$?
echo "$out" | sed 's/^/# /'
check "a device.conf link in root's device folder is refused" test "$status" != 0
check "... and never shows the root-only file" sh -c "! printf '%s' '$out' | grep -q '$WORD'"

# Control: a real device.conf there is read.
rm -f "$STATE/devices/$ID/device.conf"
printf 'Queue q1\nTokenURL https://127.0.0.1:9/t\nPrinterURI ipps://127.0.0.1:9/p\n' >"$STATE/devices/$ID/device.conf"
check "control: a regular device.conf of root's is read" sh -c "'$HELPER' device '$SEC_TMP/cups-upa.conf' '$ID' | grep -qx queue=q1"

finish
