#!/bin/sh
#
# Run the built pam_upa.so in a PAM stack with pam_wrapper + pamtester (no
# root, no /etc/pam.d).  Skipped (77) when pam_wrapper, pamtester or the
# openssl command are missing.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

top_builddir="${top_builddir:-$(pwd)}"
module="$top_builddir/pam_module/.libs/pam_upa.so"
wrapper="$(pkg-config --libs pam_wrapper 2>/dev/null | tr -d ' ')"

case "$wrapper" in
    /*) ;;
    *) wrapper="$(pkg-config --variable=libdir pam_wrapper 2>/dev/null)/libpam_wrapper.so" ;;
esac

for need in pamtester openssl; do
    if ! command -v $need >/dev/null 2>&1; then
        echo "SKIP: $need not installed"
        exit 77
    fi
done

if test ! -f "$wrapper"; then
    echo "SKIP: libpam_wrapper.so not found"
    exit 77
fi

if test ! -f "$module"; then
    echo "FAIL: $module not built"
    exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/pamwrap.XXXXXX")" || exit 1
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/services"

# Site key and store: HMAC-SHA-256(key, badge), never the badge itself.
key="$(openssl rand -hex 32)"
(umask 077; echo "$key" >"$dir/badge.key")
hmac() {
    printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -r | cut -d' ' -f1
}
(umask 077; {
    echo "$(hmac 12345678) alice@contoso.com"
    echo "$(hmac 777) carol@contoso.com disabled"
} >"$dir/badges")

cat >"$dir/badge.conf" <<EOC
Store $dir/badges
KeyFile $dir/badge.key
StateDir $dir/state
UpaConfig $dir/none.conf
StripPrefix ;
StripSuffix ?
InputFormat decimal
StripLeadingZeros yes
DebounceTime 0
EOC

cat >"$dir/services/upa-wrap" <<EOC
auth required $module config=$dir/badge.conf
account required $module config=$dir/badge.conf
EOC

run() {
    # run BADGE OPERATIONS...
    badge="$1"; shift
    printf '%s\n' "$badge" | LD_PRELOAD="$preload" PAM_WRAPPER=1 \
        PAM_WRAPPER_SERVICE_DIR="$dir/services" pamtester -v upa-wrap nobody "$@" >"$dir/out" 2>&1
    status=$?
    cat "$dir/out"
    return $status
}

# pamtester is not a sanitizer build: when the module is, the sanitizer
# runtimes must be loaded first, and pam_wrapper must not use RTLD_DEEPBIND
# (its documentation says so for sanitizers and valgrind).
preload="$wrapper"
if grep -qa __asan_init "$module"; then
    preload="$(${CC:-cc} -print-file-name=libasan.so) $(${CC:-cc} -print-file-name=libubsan.so) $wrapper"
    export PAM_WRAPPER_DISABLE_DEEPBIND=1
    # pamtester's own allocations are not ours to judge.
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi

failures=0

if run ';0012345678?' authenticate acct_mgmt && grep -q 'successfully authenticated' "$dir/out"; then
    echo "PASS: known badge"
else
    echo "FAIL: known badge"; failures=$((failures + 1))
fi

if run '999' authenticate; then
    echo "FAIL: unknown badge accepted"; failures=$((failures + 1))
elif grep -q 'not recognised' "$dir/out"; then
    echo "PASS: unknown badge refused"
else
    echo "FAIL: unknown badge without message"; failures=$((failures + 1))
fi

if run '777' authenticate acct_mgmt; then
    echo "FAIL: disabled badge passed account management"; failures=$((failures + 1))
elif grep -q 'disabled' "$dir/out"; then
    echo "PASS: disabled badge refused by acct_mgmt"
else
    echo "FAIL: disabled badge without message"; failures=$((failures + 1))
fi

exit $failures
