#!/bin/bash
#
# bench-xps.sh - pages per second and peak memory of upa-xpstopdf converting
# a 100-page XPS document (text with an embedded font and an image on every
# page).  Prints figures only; asserts nothing about time.
#
# Usage: tests/bench/bench-xps.sh [PAGES] [RUNS]
#   top_builddir (default: the source tree) must hold filter/upa-xpstopdf.
#
# Peak RSS is the converting child's (the filter forks one), as reported by
# the filter from getrusage/wait4; /usr/bin/time, when present, adds the
# whole process tree's maximum.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

pages=${1:-100}
runs=${2:-3}
filter="$top_builddir/filter/upa-xpstopdf"

if [ ! -x "$filter" ]; then
  echo "bench-xps: $filter is not built" >&2
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-xps.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$top_srcdir/tests/data/filter/mkxps.sh" good "$work/bench.xps" xps "$pages"
size=$(stat -c %s "$work/bench.xps")
echo "document: $pages pages, $size bytes"

for ((run = 1; run <= runs; run ++)); do
  start=$(date +%s%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "TIME %M" -o "$work/time" "$filter" 1 bench bench 1 "" "$work/bench.xps" >"$work/out.pdf" 2>"$work/err"
    tree_kb=$(sed -n 's/^TIME //p' "$work/time")
  else
    "$filter" 1 bench bench 1 "" "$work/bench.xps" >"$work/out.pdf" 2>"$work/err"
    tree_kb=n/a
  fi
  ns=$(( $(date +%s%N) - start ))
  out_pages=$(grep -c '^PAGE: ' "$work/err")
  child_kb=$(sed -n 's/.*Converter used \([0-9]*\) KiB peak RSS.*/\1/p' "$work/err")
  awk -v r="$run" -v p="$out_pages" -v ns="$ns" -v ck="$child_kb" -v tk="$tree_kb" -v sz="$(stat -c %s "$work/out.pdf")" 'BEGIN {
    s = ns / 1e9;
    printf "run %d: %d pages in %.3f s = %.1f pages/s, converter peak RSS %.1f MiB, max RSS (time -v) %s KiB, PDF %d bytes\n",
           r, p, s, (s > 0 ? p / s : 0), ck / 1024, tk, sz
  }'
done
