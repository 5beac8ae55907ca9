#!/bin/bash
#
# packages.sh - build the Debian packages, install them, release a job with
# the installed programs, purge them, and check that nothing is left.
#
#   sudo tests/integration/packages.sh        (from a git checkout; ~3 min)
#
# Not part of "make check": it rebuilds the whole tree with
# dpkg-buildpackage and installs packages on the machine it runs on.  CI
# runs it after the other tests (see doc/install.md, "Testing the packages").
#
# Steps:
#   1. copy the source (git ls-files) to a scratch dir under a 0700 parent
#      (the layout of a clone in /root) and run "dpkg-buildpackage -us -uc -b"
#      there with its unit tests, then lintian on the result;
#   2. install them with doc/install.md §2's commands and check what the maintainer scripts did
#      (group, directories, modes, no queue, PAM profile not enabled);
#   3. tests/integration/release.sh against the INSTALLED programs: a fake
#      top_builddir of symlinks to /usr/sbin/upactl, /usr/bin/upa-release,
#      /usr/lib/cups/backend/upa and /usr/sbin/upa-cloudsim; then the same
#      path once more with the packages' own /var/lib/cups-upa,
#      /var/cache/cups-upa and group cups-upa;
#   3b. tests/integration/kiosk-service.sh: the kiosk as a systemd service
#      (upa-kiosk@.service, upa-release-helper.socket) in a container booted
#      from this machine's root (systemd-nspawn; skipped without it);
#   4. doc/install.md's lab (the blocks marked "run: lab", §3a to §5a) and
#      removal ("run: remove", §6) as written, against a private cupsd and a
#      local socket printer; "run: install" (§2) is what step 2 installs with;
#   5. check that no file of the packages, none of
#      /etc/cups-upa, /var/lib/cups-upa, /var/cache/cups-upa, no systemd
#      enablement link and not the cups-upa group is left;
#   6. when rpmbuild is installed: "make dist", "rpmbuild -bb --nodeps
#      rpm/cups-upa.spec" (with %check as nobody) and rpmlint.
#
# While it runs, /usr/sbin/policy-rc.d is replaced by one that logs and
# denies, so the machine's own cupsd is never reloaded and the test sees
# when the maintainer scripts ask for a reload (restored on exit).
#
# Skips (77) when not root, when dpkg-buildpackage or debhelper is missing,
# or when one of the packages is installed already (purging it would destroy
# a real installation; UPA_PKG_FORCE=1 overrides).  UPA_KEEP=1 keeps the
# scratch directory.  UPA_PKG_DEBS=DIR skips the build and uses the packages
# in DIR (a shortcut while working on the later steps; CI never sets it).
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"

PACKAGES="cups-upa libpam-upa upa-release upa-cloudsim"
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)

tests_run=0
tests_failed=0


#
# 'log()' - Print a diagnostic line (TAP comment).
#

log()
{
  echo "# $*"
}


#
# 'check()' - Run a command; print "ok N - DESCRIPTION" or "not ok N - ...".
#

check()
{
  local desc=$1
  local out
  local rc

  shift
  tests_run=$((tests_run + 1))
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" = 0 ]; then
    echo "ok $tests_run - $desc"
  else
    tests_failed=$((tests_failed + 1))
    echo "not ok $tests_run - $desc"
    echo "#   command (exit $rc): $*"
    [ -n "$out" ] && sed 's/^/#   /' <<<"$out" | head -n 60
  fi
  return "$rc"
}


#
# 'finish()' - Print "N passed, M failed" and exit.
#

finish()
{
  echo "$((tests_run - tests_failed)) passed, $tests_failed failed"
  [ "$tests_failed" = 0 ] && [ "$tests_run" -gt 0 ] && exit 0
  exit 1
}


#
# 'installed_packages()' - Print those of our packages dpkg knows (any state but "not-installed").
#

installed_packages()
{
  local pkg
  local status

  for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) || continue
    [ -n "$status" ] && [ "$status" != not-installed ] && echo "$pkg"
  done
}


#
# 'restore_policy_rc_d()' - Put the original /usr/sbin/policy-rc.d back (or none).
#

restore_policy_rc_d()
{
  [ "${policy_replaced:-0}" = 1 ] || return 0
  if [ -e "$WORK/policy-rc.d.orig" ]; then
    mv -f "$WORK/policy-rc.d.orig" /usr/sbin/policy-rc.d
  else
    rm -f /usr/sbin/policy-rc.d
  fi
  policy_replaced=0
}


#
# 'cleanup()' - EXIT trap: purge what we installed if a step failed, remove the scratch dir.
#

cleanup()
{
  local rc=$?
  local left

  trap - EXIT
  if [ "${we_installed:-0}" = 1 ]; then
    left=$(installed_packages)
    if [ -n "$left" ]; then
      log "cleanup: purging $(echo $left)"
      # shellcheck disable=SC2086
      apt-get purge -y -qq $left >/dev/null 2>&1 || dpkg --purge $left >/dev/null 2>&1
    fi
  fi
  restore_policy_rc_d
  if [ -n "${WORK:-}" ]; then
    if [ "${UPA_KEEP:-0}" = 1 ]; then
      log "UPA_KEEP=1: kept $WORK"
    else
      rm -rf "$WORK"
    fi
  fi
  exit "$rc"
}


#
# 'copy_source()' - Copy the source tree (no build output) to a directory.
#

copy_source()
{
  local dest=$1

  mkdir -p "$dest"
  if git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked and new (not ignored) files that exist: what a clone would have
    # once the work is committed.
    (cd "$top_srcdir" && git ls-files -z -co --exclude-standard |
       while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
       tar --null -T - -cf -) | tar -xf - -C "$dest"
  else
    # A release tarball: it holds no build output except the generated
    # autotools files, which dh_autoreconf regenerates.
    (cd "$top_srcdir" && tar --exclude-vcs --exclude='./build*' --exclude='./_build' \
       --exclude='./debian/.debhelper' -cf - .) | tar -xf - -C "$dest"
    [ -f "$dest/config.status" ] && return 1
  fi
  [ -f "$dest/debian/control" ] && [ -f "$dest/configure.ac" ]
}


#
# 'no_pam_upa_in_stacks()' - Succeed when no common-* PAM file uses pam_upa.
#

no_pam_upa_in_stacks()
{
  ! grep -l 'pam_upa' /etc/pam.d/common-* 2>/dev/null
}


#
# 'mode_is()' - Succeed when a file has this "mode owner:group" (stat %a %U:%G).
#

mode_is()
{
  local want=$1
  local path=$2
  local got

  got=$(stat -c '%a %U:%G' "$path" 2>&1)
  [ "$got" = "$want" ] || { echo "$path: $got, wanted $want"; return 1; }
}


#
# 'cups_reloads()' - Print how many times a maintainer script asked to reload cupsd.
#

cups_reloads()
{
  grep -c 'cups force-reload' "$WORK/invoke.log" 2>/dev/null || true
}


#
# 'log_invoke_rc_d()' - Replace policy-rc.d by one that logs and denies.
#
# invoke-rc.d asks /usr/sbin/policy-rc.d before it touches a service: ours
# records the request (so the test sees when the maintainer scripts reload
# cupsd) and answers 101 ("denied"), so that installing never reloads or
# starts the machine's own cupsd.  The original is restored on exit.
#

log_invoke_rc_d()
{
  local policy=/usr/sbin/policy-rc.d

  if [ -e "$policy" ]; then
    cp -p "$policy" "$WORK/policy-rc.d.orig" || return 1
  fi
  # From here on the EXIT trap puts the original back (or removes ours).
  policy_replaced=1
  {
    echo '#!/bin/sh'
    echo '# Installed by cups-upa tests/integration/packages.sh (restored on exit).'
    echo "echo \"\$*\" >>'$WORK/invoke.log'"
    echo 'exit 101'
  } >"$policy.upa-test"
  chmod 0755 "$policy.upa-test" && mv -f "$policy.upa-test" "$policy"
}


#
# 'leftovers()' - Print every path of ours still on the system after purge.
#

leftovers()
{
  local f

  while IFS= read -r f; do
    [ "$f" = /. ] && continue
    if [ -d "$f" ]; then
      # A directory is ours only when no other package owns it
      # (/usr/share/doc/cups-upa yes, /usr/lib/cups/backend or /lib no).
      dpkg -S "$f" >/dev/null 2>&1 || echo "$f"
    elif [ -e "$f" ] || [ -L "$f" ]; then
      echo "$f"
    fi
  done <"$WORK/files.list"
  for f in /etc/cups-upa /var/lib/cups-upa /var/cache/cups-upa /run/upa-backend \
           /etc/systemd/system/multi-user.target.wants/upa-sync.service \
           /var/lib/systemd/deb-systemd-helper-enabled/upa-sync.service.dsh-also \
           /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/upa-sync.service \
           /usr/share/cups/mime/cups-upa.types /usr/share/cups/mime/cups-upa.convs; do
    if [ -e "$f" ] || [ -L "$f" ]; then
      echo "$f"
    fi
  done
  pgrep -f '^upa-backend --warm' >/dev/null && echo "a warm guardian (upa-backend --warm) still runs"
  getent group cups-upa >/dev/null && echo "group cups-upa"
  getent passwd cups-upa >/dev/null && echo "user cups-upa"
  dpkg-statoverride --list 2>/dev/null | grep -w 'cups-upa'
  for f in /var/lib/dpkg/info/cups-upa[.:]* /var/lib/dpkg/info/libpam-upa[.:]* \
           /var/lib/dpkg/info/upa-release[.:]* /var/lib/dpkg/info/upa-cloudsim[.:]*; do
    [ -e "$f" ] && echo "$f"
  done
  return 0
}


#
# doc/install.md's blocks: doc_blocks PHASE, and doc_script PHASE (a script
# that fails on the first failing command).  apt answers yes and installs no
# recommends (APT_CONFIG); the lab (step 4) replaces the printer's address,
# 10.0.0.5:9100, by its test printer's.
#

. "$top_srcdir/tests/integration/install-doc.sh"


#
# Preconditions...
#

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: needs root (installs and purges Debian packages)"
  exit 77
fi
for tool in dpkg-buildpackage dh apt-get dpkg-query; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not found (apt-get install dpkg-dev debhelper)"
    exit 77
  fi
done
if [ -n "$(installed_packages)" ] && [ "${UPA_PKG_FORCE:-0}" != 1 ]; then
  echo "SKIP: already installed: $(installed_packages | tr '\n' ' ')(purging them would destroy that installation; UPA_PKG_FORCE=1 overrides)"
  exit 77
fi

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d /tmp/upa-pkg.XXXXXX) || exit 99
chmod 0755 "$WORK"
export DEBIAN_FRONTEND=noninteractive
log "scratch directory $WORK"
# What an admin answers at apt's prompts in install.md's commands.
cat >"$WORK/apt.conf" <<'EOF'
APT::Get::Assume-Yes "true";
APT::Install-Recommends "false";
Dpkg::Use-Pty "0";
EOF
export APT_CONFIG="$WORK/apt.conf"
for phase in install lab remove; do
  doc_script "$phase" >"$WORK/doc-$phase.sh"
  check "doc/install.md has commands marked \"run: $phase\"" test "$(doc_blocks "$phase" | wc -l)" -gt 1 || finish
done


#
# 1. Build the packages from a copy of the source...
#

version=$(sed -n '1s/^cups-upa (\([^)]*\)).*/\1/p' "$top_srcdir/debian/changelog")
upstream=${version%-*}
# Built as root from under a 0700 parent, like a clone in /root: the build's
# own tests (the backend runs the real backend as lp) must not need lp to reach the tree.
home="$WORK/root"
mkdir -m 0700 "$home"
src="$home/cups-upa-$upstream"
if ! check "the source tree copies to $src" copy_source "$src"; then
  finish
fi

if [ -n "${UPA_PKG_DEBS:-}" ]; then
  # A developer's shortcut for the later steps: packages built before.
  log "UPA_PKG_DEBS=$UPA_PKG_DEBS: not building, using the packages there"
  cp "$UPA_PKG_DEBS"/*.deb "$UPA_PKG_DEBS"/*.changes "$UPA_PKG_DEBS"/*.buildinfo "$home/"
  build_rc=$?
else
  log "dpkg-buildpackage -us -uc -b in $src (a 0700 parent, unit tests on; log: $WORK/build.log)"
  start=$SECONDS
  (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc 2>/dev/null || echo 2)" \
     dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1
  build_rc=$?
  log "dpkg-buildpackage took $((SECONDS - start)) s"
fi
# The packages and .changes go to the parent; move them next to the log.
mv "$home"/*.deb "$home"/*.changes "$home"/*.buildinfo "$WORK/" 2>/dev/null
if ! check "dpkg-buildpackage -us -uc -b succeeds from under a 0700 parent (its unit tests too)" test "$build_rc" = 0; then
  tail -n 60 "$WORK/build.log" | sed 's/^/# /'
  finish
fi

debs=()
for pkg in $PACKAGES; do
  debs+=("$WORK/${pkg}_${version}_$(dpkg --print-architecture).deb")
done
check "four binary packages were built" ls "${debs[@]}" || finish
check "no package ships a libtool .la file" \
  bash -c "! for d in ${debs[*]}; do dpkg-deb -c \"\$d\"; done | grep '\\.la\$'"

if command -v lintian >/dev/null 2>&1; then
  changes=$(ls "$WORK"/cups-upa_"${version}"_*.changes 2>/dev/null | head -n 1)
  # Errors and warnings fail; every override in debian/ carries a comment.
  check "lintian finds no errors or warnings" \
    lintian --fail-on error,warning "$changes"
else
  log "lintian not installed: not run"
fi


#
# 2. Install them...
#

printers_before=$(md5sum /etc/cups/printers.conf 2>/dev/null)
policy_before=$(md5sum /usr/sbin/policy-rc.d 2>/dev/null)
# Not inside check(): that runs its command in a subshell, and the EXIT trap
# must know that policy-rc.d was replaced.
log_invoke_rc_d
policy_rc=$?
check "invoke-rc.d requests are logged (and denied) during the test" test "$policy_rc" = 0 || finish
: >"$WORK/invoke.log"
# Without an init script invoke-rc.d stops before asking policy-rc.d.
if [ -f /etc/init.d/cups ] || [ -d /run/systemd/system ]; then
  see_reloads=1
else
  see_reloads=0
  log "no /etc/init.d/cups: cupsd reloads cannot be observed"
fi
we_installed=1
log "doc/install.md §2, from $WORK:"
sed 's/^/#   /' "$WORK/doc-install.sh"
(cd "$WORK" && bash -x "$WORK/doc-install.sh") >"$WORK/doc-install.log" 2>&1
install_rc=$?
if ! check "install.md §2's commands install the packages" test "$install_rc" = 0; then
  tail -n 40 "$WORK/doc-install.log" | sed 's/^/#   /'
  finish
fi
check "all four packages are installed" test "$(installed_packages | wc -l)" = 4 || finish

for pkg in $PACKAGES; do
  dpkg -L "$pkg" >>"$WORK/files.list"
done

check "the backend is installed 0700 root:root (cupsd runs it as root)" mode_is "700 root:root" /usr/lib/cups/backend/upa
check "the backend's signal relay is installed 0755 root:root" mode_is "755 root:root" /usr/libexec/cups-upa/upa-sigrelay
check "... where the backend looks for it" grep -qa /usr/libexec/cups-upa/upa-sigrelay /usr/libexec/cups-upa/upa-backend
check "the backend proper is installed 0755 root:root" mode_is "755 root:root" /usr/libexec/cups-upa/upa-backend
check "... where the launcher cupsd runs looks for it" grep -qa /usr/libexec/cups-upa/upa-backend /usr/lib/cups/backend/upa
check "the launcher links the C library only" eval '[ "$(ldd /usr/lib/cups/backend/upa | grep -c "=>")" = 1 ]'
check "the filters are installed" test -x /usr/lib/cups/filter/upa-xpstopdf -a -x /usr/lib/cups/filter/upa-pclmtopdf
check "the MIME rules are installed" test -f /usr/share/cups/mime/cups-upa.types -a -f /usr/share/cups/mime/cups-upa.convs
check "pam_upa.so is in /lib/$MULTIARCH/security (libpam-modules' dir)" \
  test -f "/lib/$MULTIARCH/security/pam_upa.so" -a -f "$(dpkg -L libpam-modules | grep '/pam_unix.so$' | head -n 1)" \
       -a "$(dirname "$(dpkg -L libpam-modules | grep '/pam_unix.so$' | head -n 1)")" = "/lib/$MULTIARCH/security"
check "the pam-auth-update profile says Default: no" grep -qx 'Default: no' /usr/share/pam-configs/upa
check "installing changed no PAM stack (profile not enabled)" no_pam_upa_in_stacks
check "the kiosk PAM service /etc/pam.d/upa-release is a conffile" \
  bash -c "dpkg-query -W -f='\${Conffiles}' upa-release | grep -q '/etc/pam.d/upa-release'"
check "the sync service unit is installed" test -f /lib/systemd/system/upa-sync.service
check "the sync service is enabled" test -L /etc/systemd/system/multi-user.target.wants/upa-sync.service
check "group cups-upa exists" getent group cups-upa
check "the backend's account cups-upa exists, in group cups-upa" bash -c "id -gn cups-upa | grep -qx cups-upa"
check "lp is not a member of cups-upa (every CUPS filter runs as lp)" bash -c "! id -nG lp | grep -qw cups-upa"
check "/etc/cups-upa is 0755 root:root" mode_is "755 root:root" /etc/cups-upa
check "/var/lib/cups-upa is 3770 root:cups-upa" mode_is "3770 root:cups-upa" /var/lib/cups-upa
check "/var/cache/cups-upa is 3770 root:cups-upa" mode_is "3770 root:cups-upa" /var/cache/cups-upa
check "no print queue was created or changed" \
  test "$(md5sum /etc/cups/printers.conf 2>/dev/null)" = "$printers_before"
check "upactl --version names $upstream" bash -c "/usr/sbin/upactl --version 2>&1 | grep -qF '$upstream'"
check "upa-release --version names $upstream" bash -c "/usr/bin/upa-release --version 2>&1 | grep -qF '$upstream'"
check "upa-cloudsim --version names $upstream" bash -c "/usr/sbin/upa-cloudsim --version 2>&1 | grep -qF '$upstream'"
check "the socket backend that install.md's queue uses is installed (Depends: cups)" \
  test -x /usr/lib/cups/backend/socket
check "the driver that install.md's queue uses is installed" test -f /usr/share/cups/drv/sample.drv
check "curl, which install.md's lab uses, is installed (upa-cloudsim Depends)" command -v curl
check "no man page cites upa-release(8) (it is in section 1)" \
  bash -c "! zgrep -l 'upa\\\\-release (8)' /usr/share/man/man*/*upa*"
check "cups-upa.conf(5), upa-cloudsim(8) and install.md use the same emulator address" \
  bash -c "zcat /usr/share/man/man5/cups-upa.conf.5.gz | grep -q 'https://127.0.0.1:8443' &&
           zcat /usr/share/man/man8/upa-cloudsim.8.gz | grep -q '127.0.0.1:8443' &&
           ! zcat /usr/share/man/man8/upa-cloudsim.8.gz /usr/share/man/man5/cups-upa.conf.5.gz | grep -q 8631"
check "cups-upa.conf(5)'s emulator CAFile is the one install.md installs" \
  bash -c "zcat /usr/share/man/man5/cups-upa.conf.5.gz | sed 's/\\\\-/-/g' | grep -q 'CAFile /etc/cups-upa/cloudsim-ca.pem' &&
           grep -q 'CAFile /etc/cups-upa/cloudsim-ca.pem' '$WORK/doc-lab.sh'"
check "the installed backend prints its discovery line" \
  bash -c "/usr/lib/cups/backend/upa </dev/null | grep -q '^network upa '"

# Reinstalling the same version must not fail (maintainer scripts are idempotent).
if [ "$see_reloads" = 1 ]; then
  check "installing reloaded cupsd once (new MIME rules)" test "$(cups_reloads)" = 1
fi
check "running the postinsts again changes nothing and succeeds" \
  dpkg-reconfigure -f noninteractive cups-upa libpam-upa
check "reinstalling the same packages succeeds" \
  apt-get install -y -q --reinstall --no-install-recommends -o Dpkg::Use-Pty=0 "${debs[@]}"
if [ "$see_reloads" = 1 ]; then
  check "unchanged MIME rules: no further cupsd reload" test "$(cups_reloads)" = 1
fi


#
# 3. The end-to-end release test against the installed files...
#

fake="$WORK/installed"
mkdir -p "$fake/tools" "$fake/release" "$fake/backend" "$fake/cloudsim"
ln -s /usr/sbin/upactl "$fake/tools/upactl"
ln -s /usr/bin/upa-release "$fake/release/upa-release"
ln -s /usr/lib/cups/backend/upa "$fake/backend/upa"
ln -s /usr/sbin/upa-cloudsim "$fake/cloudsim/upa-cloudsim"

log "tests/integration/release.sh with top_builddir=$fake (symlinks to the installed files)"
export top_srcdir
top_builddir="$fake" UPA_CLOUDSIM=/usr/sbin/upa-cloudsim \
  bash "$top_srcdir/tests/integration/release.sh" >"$WORK/release.log" 2>&1
release_rc=$?
sed 's/^/#   release.sh: /' "$WORK/release.log"
check "release.sh passes against the installed programs" test "$release_rc" = 0

# release.sh keeps its state under its own /tmp dir with DeviceGroup lp.  The
# same path once more with the directories and the group that the
# maintainer scripts created (the cups-upa.conf defaults): the device key
# lands 0640 root:cups-upa in /var/lib/cups-upa and the backend, run by
# cupsd as lp, must read it through its membership in cups-upa.
cat >"$WORK/system-dirs.sh" <<'EOF'
. "$top_srcdir/tests/integration/lib.sh"
upa_tmpdir
cloudsim_start
upa_write_config "StateDir /var/lib/cups-upa" "CacheDir /var/cache/cups-upa" "DeviceGroup cups-upa"
cupsd_start
check "lpadmin creates queue Lobby" lpadmin -p Lobby -v "capture:$BASE/out" -E
check "upactl register Lobby succeeds" "$top_builddir/tools/upactl" register Lobby --admin-token "$UPA_SIM_ADMIN"
id=$(lpstat -v Lobby | sed -n 's,^device for Lobby: upa://\([^/]*\)/.*,\1,p')
check "the device key is 0640 root:cups-upa under /var/lib/cups-upa" \
  test "$(stat -c '%a %U:%G' "/var/lib/cups-upa/devices/$id/key.pem" 2>&1)" = "640 root:cups-upa"
job=$(sim_submit carol@contoso.com hello.pdf "$top_srcdir/tests/data/hello.pdf")
check "upa-release releases carol's job" \
  "$top_builddir/release/upa-release" --printer Lobby --user carol@contoso.com --all
cups_job=$(lpstat -W all -o Lobby | awk '{print $1}' | sed 's/.*-//' | tail -n 1)
check "the CUPS job completes (the backend read the key as its cups-upa account)" \
  wait_cups_job Lobby "$cups_job" completed 30 ||
  grep -h 'upa: error' "$BASE/log/error_log" | head -n 3 | sed 's/^/#   /'
check "the printed file is byte-identical" cmp "$top_srcdir/tests/data/hello.pdf" "$BASE/out/job-$cups_job.out"
sim_completed() { [ "$(sim_job "$job" state)" = completed ]; }
check "the cloud job is completed" upa_wait_for 15 sim_completed
# Leave /var/lib/cups-upa as the install guide's lab (step 4) expects it.
check "upactl unregister Lobby succeeds" "$top_builddir/tools/upactl" unregister Lobby --admin-token "$UPA_SIM_ADMIN"
finish
EOF
log "the release path with /var/lib/cups-upa, /var/cache/cups-upa and DeviceGroup cups-upa"
top_builddir="$fake" UPA_CLOUDSIM=/usr/sbin/upa-cloudsim \
  bash "$WORK/system-dirs.sh" >"$WORK/system-dirs.log" 2>&1
sysdirs_rc=$?
grep -E '^(ok|not ok|#   )|passed, ' "$WORK/system-dirs.log" | sed 's/^/#   system dirs: /'
# The backend is installed 0700, so cupsd runs it as root; it runs the real
# backend as lp and drops to its own account cups-upa, with group cups-upa
# only, for its cloud work (backend/privs.c); lp is in no cups-upa group.
check "the release path works with the packages' directories and group" test "$sysdirs_rc" = 0


#
# 3b. The release station as a systemd service: tests/integration/kiosk-service.sh
#     boots this machine's root (with the packages just installed) under a
#     throwaway overlay with its own systemd, runs install.md's lab and §5's
#     station block there, and releases a job with a badge tap at
#     upa-kiosk@.service's terminal.  Skipped (not failed) where no
#     systemd-nspawn or systemd is installed...
#

log "the release station as a service (tests/integration/kiosk-service.sh, log: $WORK/kiosk-service.log)"
bash "$top_srcdir/tests/integration/kiosk-service.sh" >"$WORK/kiosk-service.log" 2>&1
kiosk_rc=$?
grep -E '^(ok|not ok|#   |SKIP|Bail)|passed, ' "$WORK/kiosk-service.log" | sed 's/^/#   kiosk-service.sh: /'
if [ "$kiosk_rc" = 77 ]; then
  log "SKIP the kiosk service: $(grep -m1 SKIP "$WORK/kiosk-service.log")"
else
  check "upa-kiosk@.service releases a job under a booted systemd" test "$kiosk_rc" = 0 ||
    kiosk_failed=$( (grep -A12 '^not ok' "$WORK/kiosk-service.log"; grep -B40 '^Bail out' "$WORK/kiosk-service.log") | head -n 60)
fi


#
# 4. install.md's lab (§3a, §4, §5a) and removal (§6), literally, against a
#    private cupsd (CUPS_SERVER) whose backends read /etc/cups-upa/cups-upa.conf,
#    with a local socket printer in place of 10.0.0.5:9100...
#

cat >"$WORK/lab.sh" <<'EOF'
. "$top_srcdir/tests/integration/lib.sh"
upa_tmpdir
# install.md's printer: a socket listener that keeps what it receives.
port=$(upa_free_port) || upa_fatal "no free port"
python3 -c '
import socket, sys
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(4)
n = 0
while True:
    conn, _ = srv.accept()
    n += 1
    with open("%s.%d" % (sys.argv[2], n), "wb") as f:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            f.write(data)
    conn.close()
    open("%s.done.%d" % (sys.argv[2], n), "w").close()
' "$port" "$BASE/out/printed" </dev/null >/dev/null 2>&1 &
sink=$!
upa_at_exit "kill $sink 2>/dev/null"
# The private cupsd gives backends UPA_CONFIG=$BASE/cups-upa.conf: make that
# the file install.md writes.
ln -s /etc/cups-upa/cups-upa.conf "$BASE/cups-upa.conf"
cupsd_start
upa_install_backend /usr/lib/cups/backend/socket socket
# The emulator install.md starts is stopped and its files removed, whatever happens.
upa_at_exit 'kill "$(cat /run/upa-cloudsim.pid 2>/dev/null)" 2>/dev/null; rm -rf /var/lib/upa-cloudsim /var/log/upa-cloudsim.log'

sed "s/10\\.0\\.0\\.5:9100/127.0.0.1:$port/g" "$WORK/doc-lab.sh" >"$BASE/doc-lab.sh"
(cd "$WORK" && bash -x "$BASE/doc-lab.sh") >"$BASE/doc-lab.log" 2>&1
lab_rc=$?
sed 's/^/#   lab: /' "$BASE/doc-lab.log"
check "install.md's lab commands (§3a, §4, §5a) succeed" test "$lab_rc" = 0
check "the lab's queue prints through upa:// (register rewrote it)" \
  bash -c "lpstat -v Floor3 | grep -q 'upa://.*/socket://127.0.0.1:$port'"
printed() { ls "$BASE"/out/printed.done.* >/dev/null 2>&1; }
check "the printer received alice's job" upa_wait_for 30 printed
check "what it received is PostScript (generic.ppd's filters ran)" \
  bash -c "head -c 100 '$BASE'/out/printed.1 | grep -q '%!PS'"
check "CUPS shows the job completed" bash -c "lpstat -W completed -o Floor3 | grep -q '^Floor3-'"

# §6 on a server that does not have all four packages: purge upa-cloudsim
# first (the running emulator stays up for unregister), then the documented
# purge must not stop at the name of the missing package.
check "apt-get purge upa-cloudsim (as on a server without the emulator)" \
  apt-get purge -y -q upa-cloudsim
(cd "$WORK" && bash -x "$WORK/doc-remove.sh") >"$BASE/doc-remove.log" 2>&1
remove_rc=$?
sed 's/^/#   remove: /' "$BASE/doc-remove.log"
check "install.md §6's commands unregister the queue and purge the packages" test "$remove_rc" = 0
check "Floor3 has its real device URI again" \
  bash -c "lpstat -v Floor3 | grep -q 'device for Floor3: socket://127.0.0.1:$port'"
finish
EOF
log "doc/install.md's lab and removal (log: $WORK/lab.log)"
WORK="$WORK" top_builddir="$fake" bash "$WORK/lab.sh" >"$WORK/lab.log" 2>&1
lab_rc=$?
grep -E '^(ok|not ok|#   )|passed, ' "$WORK/lab.log" | sed 's/^/#   lab.sh: /'
check "install.md's lab and removal work as written" test "$lab_rc" = 0


#
# 5. Purge and look for leftovers...
#

if [ -n "$(installed_packages)" ]; then
  check "apt-get purge removes what install.md's removal left" \
    apt-get purge -y -q -o Dpkg::Use-Pty=0 $(installed_packages)
fi
check "dpkg knows none of the packages any more" test -z "$(installed_packages)"
if [ "$see_reloads" = 1 ]; then
  check "removing reloaded cupsd (MIME rules gone)" test "$(cups_reloads)" = 2
fi
# A warm guardian gives up within a second of its program's removal
for ((wait_i = 0; wait_i < 50; wait_i ++)); do
  pgrep -f '^upa-backend --warm' >/dev/null || break
  sleep 0.2
done
check "nothing of ours is left (files, state dirs, unit links, group, statoverrides, processes)" \
  test -z "$(leftovers)" || leftovers | sed 's/^/#   left: /'
we_installed=0
restore_policy_rc_d
check "/usr/sbin/policy-rc.d is as before the test" \
  test "$(md5sum /usr/sbin/policy-rc.d 2>/dev/null)" = "$policy_before"


#
# 6. The RPM spec, when rpmbuild is installed (Debian's "rpm" package): a
#    release tarball from "make dist", "rpmbuild -bb --nodeps", rpmlint.
#    %check ("make check") runs as nobody when possible: as root it would
#    start the integration tests inside the package build.
#

if command -v rpmbuild >/dev/null 2>&1; then
  rsrc="$WORK/rpm-src"
  rtop="$WORK/rpmbuild"
  tarball="$rsrc/cups-upa-$upstream.tar.xz"
  copy_source "$rsrc" &&
    (cd "$rsrc" && autoreconf -fi && ./configure -q && make -s dist) >"$WORK/dist.log" 2>&1
  if check "make dist writes cups-upa-$upstream.tar.xz" test -f "$tarball"; then
    mkdir -p "$rtop/SOURCES"
    cp "$tarball" "$rtop/SOURCES/"
    cp "$top_srcdir/rpm/cups-upa.spec" "$rtop/"
    if command -v runuser >/dev/null 2>&1 && getent passwd nobody >/dev/null; then
      chown -R nobody "$rtop"
      log "rpmbuild -bb --nodeps as nobody, with %check (log: $rtop/rpmbuild.log)"
      (cd "$rtop" && HOME="$rtop" runuser -u nobody -- \
         rpmbuild --define "_topdir $rtop" --nodeps -bb "$rtop/cups-upa.spec") >"$rtop/rpmbuild.log" 2>&1
    else
      log "rpmbuild -bb --nodeps --nocheck as root (no runuser/nobody; log: $rtop/rpmbuild.log)"
      (cd "$rtop" && rpmbuild --define "_topdir $rtop" --nodeps --nocheck -bb "$rtop/cups-upa.spec") \
        >"$rtop/rpmbuild.log" 2>&1
    fi
    rpm_rc=$?
    if ! check "rpmbuild -bb --nodeps rpm/cups-upa.spec succeeds" test "$rpm_rc" = 0; then
      tail -n 40 "$rtop/rpmbuild.log" | sed 's/^/# /'
    fi
    check "rpmbuild made cups-upa, pam-upa, upa-release and upa-cloudsim" \
      ls "$rtop"/RPMS/*/cups-upa-"$upstream"-*.rpm "$rtop"/RPMS/*/pam-upa-"$upstream"-*.rpm \
         "$rtop"/RPMS/*/upa-release-"$upstream"-*.rpm "$rtop"/RPMS/*/upa-cloudsim-"$upstream"-*.rpm
    if command -v rpmlint >/dev/null 2>&1; then
      # Errors fail (exit 64); each filter in rpm/cups-upa.rpmlintrc says why.
      check "rpmlint finds no errors" \
        rpmlint -r "$top_srcdir/rpm/cups-upa.rpmlintrc" "$top_srcdir/rpm/cups-upa.spec" "$rtop"/RPMS/*/*.rpm
    fi
  else
    tail -n 30 "$WORK/dist.log" | sed 's/^/# /'
  fi
else
  log "rpmbuild not installed: the RPM spec is not built"
fi

# CI shows the end of this log: a failed kiosk-service.sh says what again
if [ -n "${kiosk_failed:-}" ]; then
  echo "# kiosk-service.sh failed (log: $WORK/kiosk-service.log):"
  sed 's/^/#   /' <<<"$kiosk_failed"
fi

finish
