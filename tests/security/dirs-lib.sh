#!/bin/bash
#
# dirs-lib.sh - helpers for tests/security/{dirs,lp}-*.sh (source from bash).
#
# Each test makes its own throwaway group and users (removed at exit), acts
# as them with setpriv --clear-groups, and expects the attack to be refused.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

sec_run=0
sec_failed=0
sec_users=()
sec_groups=()
SEC_TMP=

if [ "$(id -u)" != 0 ]; then
  echo "# SKIP: needs root (throwaway accounts, setpriv)"
  exit 77
fi

for tool in setpriv sg useradd groupadd userdel groupdel gpasswd; do
  command -v "$tool" >/dev/null || { echo "# SKIP: $tool missing"; exit 77; }
done


#
# 'sec_cleanup()' - Remove the throwaway accounts and the temporary folder.
#

sec_cleanup()
{
  local name

  for name in "${sec_users[@]}"; do
    userdel "$name" >/dev/null 2>&1
  done
  for name in "${sec_groups[@]}"; do
    gpasswd -d lp "$name" >/dev/null 2>&1
    groupdel "$name" >/dev/null 2>&1
  done
  [ -n "$SEC_TMP" ] && [ -z "$UPA_KEEP" ] && rm -rf "$SEC_TMP"
}
trap sec_cleanup EXIT


#
# 'sec_name()' - A throwaway account or group name (at most 16 characters).
#

sec_name()
{
  echo "upat$1$$" | cut -c1-16
}


#
# 'sec_tmpdir()' - A temporary folder reachable by every user (0755).
#

sec_tmpdir()
{
  SEC_TMP=$(mktemp -d /tmp/upa-sec.XXXXXX) || exit 99
  chmod 0755 "$SEC_TMP"
}


#
# 'sec_group()' - Make a throwaway group; 'sec_user NAME GROUP' a user in it.
#

sec_group()
{
  groupadd -r "$1" || { echo "Bail out! groupadd $1"; exit 99; }
  sec_groups+=("$1")
}

sec_user()
{
  useradd -r -M -d /nonexistent -s /usr/sbin/nologin -g "$2" "$1" || { echo "Bail out! useradd $1"; exit 99; }
  sec_users+=("$1")
}


#
# 'sec_member_setup()' - The common cast of the dirs-*.sh attacks: HELPER
# (dirs-helper, built), a temporary folder, a throwaway DeviceGroup (GROUP)
# and a member of it (MALLORY).
#

sec_member_setup()
{
  HELPER="$top_builddir/tests/security/dirs-helper"
  [ -x "$HELPER" ] || { echo "Bail out! $HELPER not built"; exit 99; }
  sec_tmpdir
  GROUP=$(sec_name g)
  MALLORY=$(sec_name m)
  sec_group "$GROUP"
  sec_user "$MALLORY" "$GROUP"
}


#
# 'sec_as()' - Run a command as USER with GROUP as its only group.
#

sec_as()
{
  local user=$1 group=$2

  shift 2
  setpriv --reuid="$user" --regid="$group" --clear-groups -- "$@"
}


#
# 'check()' - Run a check, report "ok N - what" or "not ok N - what".
#

check()
{
  local what=$1

  shift
  sec_run=$((sec_run + 1))
  if "$@"; then
    echo "ok $sec_run - $what"
  else
    echo "not ok $sec_run - $what"
    sec_failed=$((sec_failed + 1))
  fi
}


#
# 'finish()' - Summary and exit status.
#

finish()
{
  echo "1..$sec_run"
  echo "# $((sec_run - sec_failed)) passed, $sec_failed failed"
  [ "$sec_failed" = 0 ]
  exit $?
}
