#!/bin/bash
#
# lp-backend.sh - the backend's cloud work runs as its own account, not as
# lp (issue 15, item 1), while the real backend still runs as cupsd would.
#
# The built backend is started as cupsd starts a 0700 backend (as root, with
# DEVICE_URI, CUPS_SERVERBIN, argv), with a throwaway backend account
# (UPA_TEST_BACKEND_USER, primary group = DeviceGroup, another throwaway
# group) and a registered device.  The fake real backend records its uid;
# what the backend writes in CacheDir after its drop (token lock, outbox
# folders) must belong to the backend account, never to lp or root.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

. "$top_srcdir/tests/security/dirs-lib.sh"

BACKEND="$top_builddir/backend/upa"
[ -x "$BACKEND" ] || { echo "Bail out! $BACKEND not built"; exit 99; }
getent passwd lp >/dev/null || { echo "# SKIP: no lp user"; exit 77; }

sec_tmpdir
GROUP=$(sec_name g)
USER_=$(sec_name u)
sec_group "$GROUP"
sec_user "$USER_" "$GROUP"

ID=0a0a0a0a-0000-4000-8000-0000000000b1
DEV="$SEC_TMP/state/devices/$ID"

# Package-like folders: root:DeviceGroup, setgid.
mkdir -p "$SEC_TMP/sb/backend" "$DEV" "$SEC_TMP/cache" "$SEC_TMP/out"
chown "root:$GROUP" "$SEC_TMP/state" "$SEC_TMP/cache" "$SEC_TMP/state/devices" "$DEV"
chmod 3770 "$SEC_TMP/state" "$SEC_TMP/cache"
chmod 0755 "$SEC_TMP/state/devices" "$SEC_TMP/sb" "$SEC_TMP/sb/backend"
chmod 0750 "$DEV"
chmod 1777 "$SEC_TMP/out"

# A registered device (the key only has to be readable: no cloud here).
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
echo "not a key" >"$DEV/key.pem"
chown "root:$GROUP" "$DEV/device.conf" "$DEV/key.pem"
chmod 0640 "$DEV/device.conf" "$DEV/key.pem"

cat >"$SEC_TMP/cups-upa.conf" <<EOT
Cloud custom
RegisterURL https://127.0.0.1:9
PrintURL https://127.0.0.1:9
GraphURL https://127.0.0.1:9/v1.0
AuthorityURL https://127.0.0.1:9
StateDir $SEC_TMP/state
CacheDir $SEC_TMP/cache
DeviceGroup $GROUP
LogLevel debug
EOT
chmod 0644 "$SEC_TMP/cups-upa.conf"

# The real backend (world-executable: cupsd runs it as lp) records its uid.
cat >"$SEC_TMP/sb/backend/fake" <<EOT
#!/bin/sh
id -u >"$SEC_TMP/out/real-uid"
echo "STATE: +media-empty-error" >&2
cat >/dev/null
exit 0
EOT
chmod 0755 "$SEC_TMP/sb/backend/fake"

# run_backend JOB-ID STDERR: the backend as cupsd runs it (root, a clean
# environment), one copy of "hello" on standard input
run_backend()
{
  echo "hello" | env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEVICE_URI="upa://$ID/fake://printer" CUPS_SERVERBIN="$SEC_TMP/sb" \
    UPA_CONFIG="$SEC_TMP/cups-upa.conf" UPA_TEST_BACKEND_USER="$USER_" \
    UPA_BACKEND_PROGRAM="$top_builddir/backend/upa-backend" UPA_WARM_DIR="$SEC_TMP/warm" \
    timeout 60 "$BACKEND" "$1" alice title 1 "" >"$SEC_TMP/out/stdout" 2>"$2"
}

run_backend 1 "$SEC_TMP/out/stderr"
status=$?
sed 's/^/# /' "$SEC_TMP/out/stderr" | grep -E "Running as|Account|ERROR" 

check "backend exits 0" test "$status" = 0
check "the real backend ran as lp, as cupsd would run it" test "$(cat "$SEC_TMP/out/real-uid" 2>/dev/null)" = "$(id -u lp)"
check "the backend wrote in CacheDir after its drop" sh -c "find '$SEC_TMP/cache' -mindepth 1 | grep -q ."
check "what it wrote belongs to the backend account" \
  sh -c "[ -z \"\$(find '$SEC_TMP/cache' -mindepth 1 ! -user '$USER_')\" ]"
check "nothing of it belongs to lp" sh -c "[ -z \"\$(find '$SEC_TMP/cache' '$SEC_TMP/state' -user lp)\" ]"
find "$SEC_TMP/cache" -mindepth 1 -printf '# %M %u:%g %P\n'
check "it read the shared state as the backend account, not as root" \
  grep -q "Reading shared state as uid $(id -u "$USER_")," "$SEC_TMP/out/stderr"

# A device.conf only root may read: the backend, root until the real backend
# starts, still cannot read it (the kernel checks the backend account).
chown root:root "$DEV/device.conf"
chmod 0600 "$DEV/device.conf"
run_backend 2 "$SEC_TMP/out/stderr2"
status=$?
sed 's/^/# /' "$SEC_TMP/out/stderr2" | grep -E "device.conf|No cloud" | head -3
check "a root-only device.conf: the job still prints" test "$status" = 0
check "... but the backend could not read it" grep -q "No cloud reporting for this job.*Permission denied" "$SEC_TMP/out/stderr2"

finish
