#!/bin/sh
#
# check.sh - install the dependencies, then build and run every test.
#
#   sh scripts/check.sh
#
# Two out-of-tree builds: build/plain (-Werror) and build/asan (-Werror,
# AddressSanitizer + UndefinedBehaviorSanitizer, any sanitizer report is a
# failure), "make check" in both (the plain build also runs the quick chaos
# soak, tests/chaos/soak.sh --quick, as one test), then "make distcheck" in build/plain, then
# (as root) tests/integration/packages.sh: the .deb packages built,
# installed, a job released through the installed files, purged.
# Ends with one line "N passed, M failed" (the automake test results of both
# builds; a failed configure, build or distcheck counts as one failure) and
# exits non-zero on any failure.  Integration tests need root.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
# No single test may hang the run: each gets this many seconds (then TERM,
# KILL 15 s later).  Passed on make's command line, so distcheck's inner
# "make check" gets it too.
test_timeout=${UPA_TEST_TIMEOUT:-600}
log_compiler="timeout -k 15 $test_timeout"
passed=0
failed=0
skipped=0
problems=

# Automake: plain text summaries, no colors.
AM_COLOR_TESTS=no
export AM_COLOR_TESTS


#
# 'step()' - Print a banner for a step.
#

step()
{
  echo
  echo "=== $* ==="
}


#
# 'fail_step()' - Count a failed step (configure, build, distcheck).
#

fail_step()
{
  echo "*** FAILED: $*"
  failed=$((failed + 1))
  problems="$problems
  $*"
}


#
# 'count_results()' - Add the "# PASS:" ... lines of a make check log.
#

count_results()
{
  log=$1
  name=$2

  if ! grep -q '^# TOTAL:' "$log"; then
    fail_step "$name: make check printed no test summary"
    return
  fi
  p=$(sed -n 's/^# PASS: *\([0-9]*\).*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
  f=$(sed -n 's/^# \(FAIL\|ERROR\|XPASS\): *\([0-9]*\).*/\2/p' "$log" | awk '{s += $1} END {print s + 0}')
  s=$(sed -n 's/^# SKIP: *\([0-9]*\).*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
  echo "$name: $p passed, $f failed, $s skipped"
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
  if [ "$f" != 0 ]; then
    problems="$problems
  $name: $f test(s) failed"
  fi
  if [ "$s" != 0 ]; then
    grep '^SKIP: ' "$log" | sed "s/^/  $name: /"
  fi
}


#
# 'show_test_logs()' - Print test-suite.log of a build after failures.
#

show_test_logs()
{
  if [ -f "$1/test-suite.log" ]; then
    echo "--- $1/test-suite.log ---"
    cat "$1/test-suite.log"
  fi
}


#
# 'build()' - Configure, build and check one tree: build NAME [configure args].
#

build()
{
  name=$1
  shift
  dir="$top/build/$name"

  step "$name: configure $*"
  mkdir -p "$dir"
  if ! (cd "$dir" && "$top/configure" -q "$@") >"$top/build/$name-configure.log" 2>&1; then
    cat "$top/build/$name-configure.log"
    tail -n 60 "$dir/config.log" 2>/dev/null
    fail_step "$name: configure"
    return 1
  fi

  step "$name: make"
  if ! (cd "$dir" && make -j"$jobs") >"$top/build/$name-make.log" 2>&1; then
    cat "$top/build/$name-make.log"
    fail_step "$name: make"
    return 1
  fi
  echo "built ($(grep -c 'CC\|CCLD' "$top/build/$name-make.log") compile/link steps, log: build/$name-make.log)"

  step "$name: make check"
  (cd "$dir" && make -j"$jobs" check LOG_COMPILER="$log_compiler") >"$top/build/$name-check.log" 2>&1
  rc=$?
  grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): |^# [A-Z]+: ' "$top/build/$name-check.log"
  count_results "$top/build/$name-check.log" "$name"
  if [ "$rc" != 0 ]; then
    if ! grep -q '^# TOTAL:' "$top/build/$name-check.log"; then
      tail -n 60 "$top/build/$name-check.log"
    fi
    show_test_logs "$dir"
    if ! grep -qE '^# (FAIL|ERROR|XPASS): *[1-9]' "$top/build/$name-check.log"; then
      fail_step "$name: make check (exit $rc)"
    fi
    return 1
  fi
  return 0
}


#
# Dependencies and the build system...
#

step "dependencies"
if [ "$(id -u)" = 0 ]; then
  sh "$top/scripts/deps.sh" || fail_step "deps.sh"
else
  echo "not root: skipping scripts/deps.sh (integration tests will skip too)"
fi

step "autoreconf"
mkdir -p "$top/build"
# The lock keeps concurrent checkouts' users (several builds) from racing.
if ! flock /tmp/upa-autoreconf.lock autoreconf -fi >"$top/build/autoreconf.log" 2>&1; then
  cat "$top/build/autoreconf.log"
  fail_step "autoreconf"
  echo
  echo "$passed passed, $failed failed"
  exit 1
fi
echo "ok"

#
# Plain build...
#

build plain --enable-werror
plain_ok=$?

#
# The chaos soak, quick mode (tests/chaos/soak.sh --quick): the plain build's
# programs under kill -9, cupsd and emulator restarts and network faults;
# one test, passed only when no job was lost, duplicated, damaged or stuck.
#

step "plain: chaos soak (tests/chaos/soak.sh --quick)"
if [ "$(id -u)" != 0 ]; then
  skipped=$((skipped + 1))
  echo "soak: skipped (needs root)"
elif [ ! -x "$top/build/plain/release/upa-release" ]; then
  fail_step "plain: chaos soak not run (the plain build failed)"
else
  soak_rc=0
  top_srcdir="$top" top_builddir="$top/build/plain" timeout -k 15 300 bash "$top/tests/chaos/soak.sh" --quick \
    >"$top/build/soak.log" 2>&1 || soak_rc=$?
  case "$soak_rc" in
    0)
        passed=$((passed + 1))
        tail -n 1 "$top/build/soak.log"
        ;;
    77)
        skipped=$((skipped + 1))
        echo "soak: skipped ($(grep -m1 SKIP "$top/build/soak.log"))"
        ;;
    *)
        grep '^# BAD \|^# seed\|^# soak: seed' "$top/build/soak.log" | head -n 40
        tail -n 1 "$top/build/soak.log"
        fail_step "plain: tests/chaos/soak.sh --quick (exit $soak_rc, log: build/soak.log)"
        ;;
  esac
fi

#
# The compiled tests of the plain build again under valgrind (memcheck):
# any invalid access or definite leak fails them.  The scripts are left out:
# their programs run under cupsd, PAM and tmux, where the sanitizer build
# watches them instead.
#

if [ "$plain_ok" = 0 ]; then
  step "valgrind: compiled tests under memcheck"
  vtests=$(printf 'print-tests:\n\t@echo $(TESTS)\n' | make -s -C "$top/build/plain" -f Makefile -f - print-tests | tr ' ' '\n' | grep -v '\.sh$' | tr '\n' ' ')
  (cd "$top/build/plain" && make -j"$jobs" check TESTS="$vtests" LOG_COMPILER="$log_compiler valgrind" \
     AM_LOG_FLAGS="-q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --child-silent-after-fork=yes --suppressions=$top/tests/valgrind.supp") \
     >"$top/build/valgrind-check.log" 2>&1
  grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): ' "$top/build/valgrind-check.log"
  count_results "$top/build/valgrind-check.log" valgrind
  if grep -qE '^# (FAIL|ERROR): *[1-9]' "$top/build/valgrind-check.log"; then
    show_test_logs "$top/build/plain"
  fi
fi

#
# Sanitizer build: reports go to files (the backends run under cupsd as lp,
# whose stderr is not ours), so the log directory is world-writable and
# outside the source tree (which lp may not be able to traverse).
#

sanlogs=$(mktemp -d /tmp/upa-sanitizer.XXXXXX)
chmod 1777 "$sanlogs"
ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$sanlogs/asan"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$sanlogs/ubsan"
export ASAN_OPTIONS UBSAN_OPTIONS
build asan --enable-sanitizer --enable-werror
unset ASAN_OPTIONS UBSAN_OPTIONS

reports=$(ls "$sanlogs" 2>/dev/null)
if [ -n "$reports" ]; then
  for f in $reports; do
    echo "--- sanitizer report $f ---"
    head -n 80 "$sanlogs/$f"
  done
  fail_step "asan: $(echo $reports | wc -w) sanitizer report(s)"
fi
rm -rf "$sanlogs"

#
# distcheck (the tarball builds and passes its tests out of tree)...
#

if [ "$plain_ok" = 0 ]; then
  step "plain: make distcheck"
  if (cd "$top/build/plain" && make -j"$jobs" distcheck LOG_COMPILER="$log_compiler") >"$top/build/plain-distcheck.log" 2>&1; then
    grep -E '^cups-upa-.*archives ready' -A 2 "$top/build/plain-distcheck.log" | head -n 3
    echo "distcheck: ok"
  else
    tail -n 80 "$top/build/plain-distcheck.log"
    for log in $(find "$top/build/plain" -path '*_build*' -name test-suite.log 2>/dev/null); do
      echo "--- $log ---"
      cat "$log"
    done
    fail_step "plain: make distcheck"
  fi
else
  fail_step "plain: make distcheck not run (the plain build or its tests failed)"
fi

#
# The Debian packages: build, install, release through them, purge...
#

step "packages: build, install, release, purge (tests/integration/packages.sh)"
pkg_rc=0
top_srcdir="$top" top_builddir="$top/build/plain" timeout -k 15 1200 bash "$top/tests/integration/packages.sh" \
  >"$top/build/packages.log" 2>&1 || pkg_rc=$?
grep -E '^(not ok|[0-9]+ passed)' "$top/build/packages.log"
case "$pkg_rc" in
  0)
      passed=$((passed + 1))
      echo "packages: ok"
      ;;
  77)
      skipped=$((skipped + 1))
      echo "packages: skipped ($(grep -m1 SKIP "$top/build/packages.log"))"
      ;;
  *)
      tail -n 60 "$top/build/packages.log"
      fail_step "packages: tests/integration/packages.sh (exit $pkg_rc)"
      ;;
esac

echo
if [ -n "$problems" ]; then
  echo "Failures:$problems"
fi
if [ "$skipped" != 0 ]; then
  echo "skipped: $skipped test(s)"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
