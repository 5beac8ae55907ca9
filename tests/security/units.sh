#!/bin/bash
#
# units.sh - the systemd units are hardened as the man pages say (issue 15).
#
# upa-release-helper(8), upa-release(1) and upa(8) claim what the shipped
# units restrict.  "systemd-analyze security --offline=yes" (systemd 250 and
# later) reads a unit file without a running systemd and says, per setting,
# whether the service is protected ("+" in the C locale) or not ("-").  Each
# claim is checked on the units as built; a copy of the helper's unit with
# settings removed must then show them missing (the check can fail).
# Skipped when systemd-analyze or its offline mode is not there.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

export LC_ALL=C				# "+" and "-" marks, no pager, no colours
export SYSTEMD_COLORS=0

failed=0
tmp=

units="$top_builddir/systemd"
for unit in upa-release-helper.service upa-kiosk@.service upa-sync.service; do
  [ -f "$units/$unit" ] || make -s -C "$top_builddir" "systemd/$unit" >/dev/null 2>&1 ||
    { echo "FAIL: $units/$unit is not built"; exit 1; }
done

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not installed"; exit 77; }
systemd-analyze security --offline=yes --no-pager "$units/upa-sync.service" 2>/dev/null | grep -q 'NoNewPrivileges=' ||
  { echo "SKIP: this systemd-analyze has no offline security mode (systemd 250 or later)"; exit 77; }

trap 'rm -rf "$tmp"' EXIT
tmp=$(mktemp -d "${TMPDIR:-/tmp}/units.XXXXXX") || exit 1


#
# 'report()' - systemd-analyze's table for a unit file, cached in $tmp.
#

report()
{
  local out

  out="$tmp/$(echo "$1" | tr '/' '_').txt"
  [ -s "$out" ] || systemd-analyze security --offline=yes --no-pager "$1" >"$out" 2>&1
  cat "$out"
}


#
# 'protected()' - Check that a unit passes each named test ("+ NAME ...").
#
# protected UNIT-FILE CLAIM NAME...
#

protected()
{
  local file=$1
  local claim=$2
  local name
  local missing=

  shift 2
  for name in "$@"; do
    report "$file" | grep -qF -- "+ $name " || missing="$missing $name"
  done

  if [ -z "$missing" ]; then
    echo "PASS: $(basename "$file"): $claim"
  else
    echo "FAIL: $(basename "$file"): $claim (not protected:$missing)"
    failed=$((failed + 1))
  fi
}


#
# 'says()' - Check that a unit's line for a test holds a text.
#

says()
{
  local file=$1
  local name=$2
  local text=$3

  if report "$file" | grep -F -- " $name " | grep -qF -- "$text"; then
    echo "PASS: $(basename "$file"): $name $text"
  else
    echo "FAIL: $(basename "$file"): $name does not say \"$text\""
    failed=$((failed + 1))
  fi
}


#
# upa-release-helper.service: root with NoNewPrivileges, a minimal
# CapabilityBoundingSet, ProtectSystem=strict, PrivateTmp, PrivateDevices,
# RestrictAddressFamilies, a system call filter (upa-release-helper(8)).
#

helper="$units/upa-release-helper.service"
protected "$helper" "NoNewPrivileges" "NoNewPrivileges="
protected "$helper" "a minimal CapabilityBoundingSet" \
  "CapabilityBoundingSet=~CAP_SYS_ADMIN" "CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)" \
  "CapabilityBoundingSet=~CAP_SYS_PTRACE" "CapabilityBoundingSet=~CAP_SYS_MODULE" \
  "CapabilityBoundingSet=~CAP_NET_ADMIN" "CapabilityBoundingSet=~CAP_SYS_RAWIO"
protected "$helper" "ProtectSystem, ProtectHome, PrivateTmp, PrivateDevices" \
  "ProtectSystem=" "ProtectHome=" "PrivateTmp=" "PrivateDevices="
says "$helper" "ProtectSystem=" "strict"
protected "$helper" "RestrictAddressFamilies (no packet, netlink or other sockets)" \
  "RestrictAddressFamilies=~AF_PACKET" "RestrictAddressFamilies=~AF_NETLINK" "RestrictAddressFamilies=~…"
protected "$helper" "a system call filter" \
  "SystemCallFilter=~@mount" "SystemCallFilter=~@module" "SystemCallFilter=~@reboot" \
  "SystemCallFilter=~@swap" "SystemCallFilter=~@raw-io" "SystemCallFilter=~@debug" "SystemCallArchitectures="
protected "$helper" "kernel, namespaces, SUID/SGID, W^X memory" \
  "ProtectKernelTunables=" "ProtectKernelModules=" "ProtectKernelLogs=" "ProtectControlGroups=" \
  "RestrictSUIDSGID=" "MemoryDenyWriteExecute=" "LockPersonality=" "RestrictRealtime="


#
# upa-kiosk@.service: a station as user upa-kiosk, never root, no
# capabilities, only AF_UNIX (upa-release(1), KIOSK SERVICE).
#

kiosk="$units/upa-kiosk@.service"
protected "$kiosk" "not root, no new privileges" "User=/DynamicUser=" "NoNewPrivileges="
protected "$kiosk" "no capabilities" \
  "CapabilityBoundingSet=~CAP_SYS_ADMIN" "CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)" \
  "CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)" "CapabilityBoundingSet=~CAP_(CHOWN|FSETID|SETFCAP)" \
  "CapabilityBoundingSet=~CAP_KILL" "AmbientCapabilities="
protected "$kiosk" "only local sockets" "RestrictAddressFamilies=~AF_(INET|INET6)" "RestrictAddressFamilies=~AF_PACKET"
protected "$kiosk" "ProtectSystem, ProtectHome, PrivateTmp" "ProtectSystem=" "ProtectHome=" "PrivateTmp="
says "$kiosk" "ProtectSystem=" "strict"


#
# upa-sync.service: root, NoNewPrivileges, ProtectSystem=strict with the
# state and cache folders writable, ProtectHome, PrivateTmp.
#

sync="$units/upa-sync.service"
protected "$sync" "NoNewPrivileges, ProtectSystem, ProtectHome, PrivateTmp" \
  "NoNewPrivileges=" "ProtectSystem=" "ProtectHome=" "PrivateTmp="
says "$sync" "ProtectSystem=" "strict"


#
# The check can fail: the helper's unit without NoNewPrivileges,
# PrivateDevices and its system call filter.
#

mkdir -p "$tmp/weak"
grep -vE '^(NoNewPrivileges|PrivateDevices|SystemCallFilter)=' "$helper" >"$tmp/weak/upa-release-helper.service"
weak=$(failed=0; protected "$tmp/weak/upa-release-helper.service" "weakened copy" \
  "NoNewPrivileges=" "PrivateDevices=" "SystemCallFilter=~@mount")
case "$weak" in
  *"not protected: NoNewPrivileges= PrivateDevices= SystemCallFilter=~@mount)"*)
      echo "PASS: a copy of the helper's unit without NoNewPrivileges, PrivateDevices and SystemCallFilter fails the checks" ;;
  *)
      echo "FAIL: a weakened copy of the helper's unit was not caught: $weak"
      failed=$((failed + 1)) ;;
esac

[ "$failed" = 0 ]
