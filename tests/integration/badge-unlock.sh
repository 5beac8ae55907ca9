#!/bin/bash
#
# badge-unlock.sh - "upactl badge unlock" ends a badge's lockout: pam_upa
# (the built module, in a PAM stack through pam_wrapper and pamtester) locks
# a badge out after MaxFailures, says so at the next tap, and after the
# unlock resolves that badge again.  No root needed.  Skipped (77) when
# pam_wrapper, pamtester or the openssl command are missing.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/integration/lib.sh"

module="$top_builddir/pam_module/.libs/pam_upa.so"
upactl="$top_builddir/tools/upactl"
wrapper="$(pkg-config --libs pam_wrapper 2>/dev/null | tr -d ' ')"
case "$wrapper" in
  /*) ;;
  *) wrapper="$(pkg-config --variable=libdir pam_wrapper 2>/dev/null)/libpam_wrapper.so" ;;
esac

for need in pamtester openssl; do
  command -v "$need" >/dev/null 2>&1 || { echo "SKIP: $need not installed"; exit 77; }
done
[ -f "$wrapper" ] || { echo "SKIP: libpam_wrapper.so not found"; exit 77; }
[ -f "$module" ] || upa_fatal "$module not built"

upa_tmpdir
dir=$BASE
mkdir "$dir/services"

key="$(openssl rand -hex 32)"
(umask 077; echo "$key" >"$dir/badge.key")
hmac()
{
  printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -r | cut -d' ' -f1
}
(umask 077; echo "$(hmac 4242) alice@contoso.com" >"$dir/badges")

cat >"$dir/badge.conf" <<EOC
Store $dir/badges
KeyFile $dir/badge.key
StateDir $dir/state
UpaConfig $dir/none.conf
DebounceTime 0
MaxFailures 2
FailureWindow 600
LockoutTime 600
EOC

cat >"$dir/services/upa-wrap" <<EOC
auth required $module config=$dir/badge.conf
EOC

preload="$wrapper"
if grep -qa __asan_init "$module"; then
  preload="$(${CC:-cc} -print-file-name=libasan.so) $(${CC:-cc} -print-file-name=libubsan.so) $wrapper"
  export PAM_WRAPPER_DISABLE_DEEPBIND=1
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi


#
# 'tap()' - Authenticate BADGE through pam_upa; output in $dir/out.
#

tap()
{
  printf '%s\n' "$1" | LD_PRELOAD="$preload" PAM_WRAPPER=1 \
    PAM_WRAPPER_SERVICE_DIR="$dir/services" pamtester -v upa-wrap nobody authenticate >"$dir/out" 2>&1
}


#
# 'says()' - Succeed when the last tap's output matches PATTERN.
#

says()
{
  grep -qiE -- "$1" "$dir/out" || { cat "$dir/out"; return 1; }
}

tap 999
check "an unknown badge is refused" says 'not recognised'
tap 999
check "... twice (MaxFailures 2)" says 'not recognised'
tap 999
check "the third tap is locked out" says 'Too many failed attempts'
check "upactl badge unlock says the badge was locked out at station local" \
  bash -c "echo 999 | '$upactl' badge -C '$dir/badge.conf' unlock | grep -q 'was locked out at station local until .*: unlocked'"
tap 999
check "after the unlock the badge is looked up again (not recognised, not locked)" says 'not recognised'
check "unlocking a badge that is not locked says so and succeeds" \
  bash -c "echo 4242 | '$upactl' badge -C '$dir/badge.conf' unlock --station local | grep -q 'was not locked out'"
check "unlock without a badge on stdin fails" bash -c "! '$upactl' badge -C '$dir/badge.conf' unlock </dev/null"
finish
