#!/bin/bash
#
# dirs-shared.sh - upaMakeSharedDir() cannot be turned against root (issue
# 15, item 2): the /etc/shadow chgrp race, on a copy of a root-only file.
#
# A DeviceGroup member (throwaway user and group) watches a group-writable
# StateDir (2770, as earlier packages made it); whenever root's new folder
# appears it exchanges it (renameat2 RENAME_EXCHANGE) with a symbolic link
# to the root-only file.  Root (dirs-helper, i.e. libupa as upactl and upa-release
# call it) keeps making the shared folder.  The file must keep its owner,
# group and mode.  A link or a foreign folder planted before root runs is
# refused too.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

. "$top_srcdir/tests/security/dirs-lib.sh"

: "${UPA_SEC_TRIES:=60}"
sec_member_setup

STATE="$SEC_TMP/state"
VICTIM="$SEC_TMP/secret/shadow-copy"
mkdir -p "$STATE" "$SEC_TMP/secret"
chown "root:$GROUP" "$STATE"
chmod 2770 "$STATE"
chmod 0755 "$SEC_TMP/secret"
printf 'root:$6$notreal$x:19000:0:99999:7:::\n' >"$VICTIM"
chown root:root "$VICTIM"
chmod 0600 "$VICTIM"
before=$(stat -c '%u:%g:%a' "$VICTIM")

# The watcher (the attacker, as a group member): whenever root's fresh
# folder is there, exchange it atomically with a link to the victim.
# (A copy of the helper: the build tree may not be reachable by the member.)
install -m 0755 "$HELPER" "$SEC_TMP/watch-helper"
sec_as "$MALLORY" "$GROUP" "$SEC_TMP/watch-helper" watch "$STATE/locks" "$VICTIM" "$SEC_TMP/stop" >"$SEC_TMP/watch.out" 2>&1 &
watcher=$!

won=0
refused=0
for ((try = 1; try <= UPA_SEC_TRIES; try ++)); do
  "$HELPER" shared-dir "$STATE/locks" "$GROUP" 2>/dev/null || refused=$((refused + 1))
  if [ "$(stat -c '%u:%g:%a' "$VICTIM")" != "$before" ]; then
    won=$try
    break
  fi
  rm -rf "$STATE/locks" "$STATE/locks.lnk"
done

touch "$SEC_TMP/stop"
wait "$watcher"
echo "# $((try > UPA_SEC_TRIES ? UPA_SEC_TRIES : try)) tries, $refused refused, victim now $(stat -c '%U:%G %a' "$VICTIM")"

sed 's/^/# watcher: /' "$SEC_TMP/watch.out"
check "the watcher ran and swapped links in (the attack happened)" grep -Eq '^swapped [1-9]' "$SEC_TMP/watch.out"
check "the race never gives the root-only file to the group (won at try $won)" test "$won" = 0
check "the root-only file keeps owner, group and mode" test "$(stat -c '%u:%g:%a' "$VICTIM")" = "$before"

# Planted before root runs: a link, and a member's own folder.
rm -rf "$STATE/locks" "$STATE/locks.lnk"
sec_as "$MALLORY" "$GROUP" ln -s "$SEC_TMP/secret" "$STATE/locks"
check "a planted link is refused" sh -c "! '$HELPER' shared-dir '$STATE/locks' '$GROUP' 2>/dev/null"
check "the linked folder keeps its group and mode" test "$(stat -c '%U:%G:%a' "$SEC_TMP/secret")" = "root:root:755"

rm -f "$STATE/locks"
sec_as "$MALLORY" "$GROUP" mkdir "$STATE/locks"
check "a member's folder in the group-writable StateDir is refused" sh -c "! '$HELPER' shared-dir '$STATE/locks' '$GROUP' 2>/dev/null"

# And what root makes itself: root:DeviceGroup 03770.
rm -rf "$STATE/locks"
check "root makes the shared folder" "$HELPER" shared-dir "$STATE/locks" "$GROUP"
check "... root:$GROUP 3770 (setgid + sticky)" test "$(stat -c '%U:%G:%a' "$STATE/locks")" = "root:$GROUP:3770"

finish
