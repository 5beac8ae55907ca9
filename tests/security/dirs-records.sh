#!/bin/bash
#
# dirs-records.sh - no DeviceGroup member writes a record root acts on
# (issue 15, item 2: "lines appended to the group-writable journal made
# root's --recover cancel one user's job and release another's").
#
# Root (dirs-helper: libupa as upa-release and the backend call it) records a
# release in the journal and queues a job state in the outbox, in folders
# made as the packages make them (root:DeviceGroup 3770).  A member of
# DeviceGroup (throwaway user) then tries to append to, replace and plant
# those records.  Root must see only its own records; the journal is
# root:DeviceGroup 0640 and the outbox's files belong to the backend's
# account (a second throwaway user, UPA_TEST_BACKEND_USER), mode 0640.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

. "$top_srcdir/tests/security/dirs-lib.sh"

sec_member_setup
BACKEND=$(sec_name b)
sec_user "$BACKEND" "$GROUP"
export UPA_TEST_BACKEND_USER=$BACKEND

DEV_A=0a0a0a0a-0000-4000-8000-0000000000a1
DEV_B=0a0a0a0a-0000-4000-8000-0000000000b1

# config STATEDIR: a configuration with that StateDir (and a CacheDir in it)
config()
{
  cat >"$1.conf" <<EOT
Cloud custom
RegisterURL https://127.0.0.1:9
PrintURL https://127.0.0.1:9
GraphURL https://127.0.0.1:9/v1.0
AuthorityURL https://127.0.0.1:9
StateDir $1
CacheDir $1/cache
DeviceGroup $GROUP
EOT
  "$HELPER" shared-dir "$1" "$GROUP" && "$HELPER" shared-dir "$1/cache" "$GROUP"
}

# as_mallory COMMAND: a shell command as the member, DeviceGroup her only group
as_mallory()
{
  sec_as "$MALLORY" "$GROUP" sh -c "$1" 2>/dev/null
}

# refused COMMAND: the member's command fails
refused()
{
  ! as_mallory "$1"
}

STATE=$SEC_TMP/state
config "$STATE" || { echo "Bail out! shared folders"; exit 99; }
check "root records a release (upa-release's journal)" "$HELPER" journal-add "$STATE.conf" "$DEV_A" 100 7
check "... the journal is root:$GROUP 0640" test "$(stat -c '%U:%G:%a' "$STATE/journal")" = "root:$GROUP:640"
echo "$(date +%s) acked $DEV_A 200 8 mailto:bob@contoso.com" >"$SEC_TMP/forged"
chmod 0644 "$SEC_TMP/forged"
check "the member cannot append an \"acked\" record to it" refused "cat '$SEC_TMP/forged' >>'$STATE/journal'"
check "... nor put her own journal in its place (sticky folder)" \
  refused "cp '$SEC_TMP/forged' '$STATE/j' && mv -f '$STATE/j' '$STATE/journal'"
check "... nor remove it" refused "rm -f '$STATE/journal'"
check "(control: the member may write a file of her own there)" as_mallory "test -f '$STATE/j'"
check "root's recovery sees only root's release" \
  test "$("$HELPER" journal-pending "$STATE.conf")" = "created $DEV_A 100 7"

# A journal a member planted before root ever wrote one.
STATE2=$SEC_TMP/state2
config "$STATE2" || { echo "Bail out! shared folders"; exit 99; }
as_mallory "cp '$SEC_TMP/forged' '$STATE2/journal'"
check "(the member planted a journal in a fresh StateDir)" test "$(stat -c %U "$STATE2/journal")" = "$MALLORY"
"$HELPER" journal-pending "$STATE2.conf" >"$SEC_TMP/pending2.out" 2>"$SEC_TMP/pending2.err"
check "root's recovery refuses it" test "$?" = 1 -a ! -s "$SEC_TMP/pending2.out"
check "... saying whose it is" grep -q "neither root nor the backend account" "$SEC_TMP/pending2.err"
check "root records nothing in it" sh -c "! '$HELPER' journal-add '$STATE2.conf' '$DEV_A' 101 9 2>/dev/null && [ \"\$(wc -l <'$STATE2/journal')\" = 1 ]"

# The outbox: what root queues for the cloud, and what the backend's
# decision "already completed, do not print again" reads.
check "root queues job 5 completed (the backend's report)" "$HELPER" outbox-add "$STATE.conf" "$DEV_A" 5 9
check "... the backend's print decision sees it" test "$("$HELPER" outbox-state "$STATE.conf" "$DEV_A" 5)" = 9
files=$(find "$STATE/cache/outbox/$DEV_A" -type f)
check "... its files belong to the backend account, mode 0640" \
  sh -c "[ -n '$files' ] && ! find '$STATE/cache/outbox/$DEV_A' -type f ! -user '$BACKEND' | grep -q . && ! find '$STATE/cache/outbox/$DEV_A' -type f -perm /0137 | grep -q ."
writable=0
for f in $files; do
  as_mallory "echo '6 9' >>'$f'" && writable=$((writable + 1))
done
check "the member can write none of them" test "$writable" = 0
check "... so job 6 is not \"completed\" to the backend" test "$("$HELPER" outbox-state "$STATE.conf" "$DEV_A" 6)" = 0
# A device folder the member seeds before the backend writes its ledger.
"$HELPER" outbox-add "$STATE.conf" "$DEV_B" 1 5 || { echo "Bail out! outbox-add $DEV_B"; exit 99; }
rm -f "$STATE/cache/outbox/$DEV_B/states"
as_mallory "echo '6 9' >'$STATE/cache/outbox/$DEV_B/states'"
check "(the member planted a ledger saying job 6 is completed)" grep -q '^6 9' "$STATE/cache/outbox/$DEV_B/states"
check "... the backend's print decision does not believe it" test "$("$HELPER" outbox-state "$STATE.conf" "$DEV_B" 6)" = 0

finish
