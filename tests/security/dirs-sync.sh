#!/bin/bash
#
# dirs-sync.sh - "upactl sync" does not chown what StateDir/sync points to
# (issue 15, item 2).
#
# A DeviceGroup member (throwaway user and group) puts a symbolic link
# StateDir/sync -> a root-only folder in a group-writable StateDir (2770, as
# earlier packages made it).  Root then records a sync attempt of a
# registered device (dirs-helper sync: libupa's upaSyncDevice(), as upactl
# sync and upa-sync call it, against a cupsd that hangs up).  The folder
# must keep its group and mode, and nothing may be written in it.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

. "$top_srcdir/tests/security/dirs-lib.sh"

sec_member_setup

ID=0a0a0a0a-0000-4000-8000-0000000000c1
STATE="$SEC_TMP/state"
DEV="$STATE/devices/$ID"
VICTIM="$SEC_TMP/victim"

mkdir -p "$DEV" "$SEC_TMP/cache" "$VICTIM"
chown "root:$GROUP" "$STATE" "$SEC_TMP/cache" "$DEV"
chmod 2770 "$STATE" "$SEC_TMP/cache"
chmod 0750 "$DEV"
chown root:root "$VICTIM"
chmod 0700 "$VICTIM"

cat >"$DEV/device.conf" <<EOT
Queue q1
Name q1
TokenURL https://127.0.0.1:9/token
ClientId c
RedirectURI https://127.0.0.1:9/
Resource r
PrinterURI ipps://127.0.0.1:9/printers/q1
Registered 1
EOT
chown "root:$GROUP" "$DEV/device.conf"
chmod 0640 "$DEV/device.conf"

cat >"$SEC_TMP/cups-upa.conf" <<EOT
Cloud custom
RegisterURL https://127.0.0.1:9
PrintURL https://127.0.0.1:9
GraphURL https://127.0.0.1:9/v1.0
AuthorityURL https://127.0.0.1:9
StateDir $STATE
CacheDir $SEC_TMP/cache
DeviceGroup $GROUP
EOT

# Control: without the link, the attempt is recorded (the test reaches the code).
"$HELPER" sync "$SEC_TMP/cups-upa.conf" "$ID" 2>&1 | sed 's/^/# /'
check "control: the sync attempt is recorded in StateDir/sync" test -f "$STATE/sync/$ID.json"
rm -rf "$STATE/sync"

# The attack: no race needed.
sec_as "$MALLORY" "$GROUP" ln -s "$VICTIM" "$STATE/sync"
"$HELPER" sync "$SEC_TMP/cups-upa.conf" "$ID" 2>&1 | sed 's/^/# /'

check "the linked root-only folder keeps owner, group and mode" test "$(stat -c '%U:%G:%a' "$VICTIM")" = "root:root:700"
check "nothing was written in it" test -z "$(ls -A "$VICTIM")"
check "StateDir/sync is still the member's link" test -L "$STATE/sync"

finish
