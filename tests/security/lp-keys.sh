#!/bin/bash
#
# lp-keys.sh - no device key is reachable from lp (issue 15, item 1).
#
# Runs the account lines of the real packages (debian/cups-upa.postinst and
# the RPM %pre) with a throwaway name in place of "cups-upa", starting from
# an earlier install that had lp in the group, then tries what every CUPS
# filter could do:  sg GROUP -c 'cat key.pem'  as lp.  It must fail, and the
# backend account must exist with the group as its primary group.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

. "$top_srcdir/tests/security/dirs-lib.sh"

sec_tmpdir
getent passwd lp >/dev/null || { echo "# SKIP: no lp user"; exit 77; }


#
# 'accounts_script()' - The account lines of a package script, renamed.
#

accounts_script()
{
  case "$1" in
    deb)
      # From the group creation to the first blank line of "configure)".
      awk '/getent group cups-upa/ && !done { on = 1 } on && /^[[:space:]]*$/ { on = 0; done = 1 } on' \
        "$top_srcdir/debian/cups-upa.postinst"
      ;;
    rpm)
      awk '/^%pre$/ { on = 1; next } on && /^%/ { on = 0 } on' "$top_srcdir/rpm/cups-upa.spec"
      ;;
  esac | sed "s/cups-upa/$2/g"
}


#
# 'try_package()' - Package-like setup with the scripts of one format.
#

try_package()
{
  local fmt=$1 name key

  name=$(sec_name "$fmt")
  key="$SEC_TMP/$fmt-key.pem"

  # An earlier version's install: the group, with lp in it.
  sec_group "$name"
  sec_users+=("$name")
  gpasswd -a lp "$name" >/dev/null

  accounts_script "$fmt" "$name" >"$SEC_TMP/$fmt-accounts.sh"
  check "$fmt: account lines found in the package script" test -s "$SEC_TMP/$fmt-accounts.sh"
  check "$fmt: account lines run" sh -e "$SEC_TMP/$fmt-accounts.sh"

  # A device key as upactl register leaves it: 0640 root:DeviceGroup.
  echo "-----BEGIN PRIVATE KEY----- secret-$fmt" >"$key"
  chown "root:$name" "$key"
  chmod 0640 "$key"

  check "$fmt: lp is not a member of the key group" sh -c "! id -nG lp | tr ' ' '\n' | grep -qx '$name'"
  check "$fmt: sg $name -c 'cat key.pem' as lp is refused" \
    sh -c "! sec_out=\$(setpriv --reuid=lp --regid=lp --clear-groups -- sg '$name' -c 'cat $key' </dev/null 2>/dev/null) && ! printf '%s' \"\$sec_out\" | grep -q secret"
  check "$fmt: the backend account exists, primary group $name" \
    test "$(id -gn "$name" 2>/dev/null)" = "$name"
  check "$fmt: the backend account has no login shell" \
    sh -c "getent passwd '$name' | cut -d: -f7 | grep -q nologin"
  check "$fmt: the backend account can read the key" \
    sh -c "setpriv --reuid='$name' --regid='$name' --clear-groups -- cat '$key' | grep -q secret-$fmt"
}

command -v adduser >/dev/null && command -v deluser >/dev/null && try_package deb
try_package rpm

finish
