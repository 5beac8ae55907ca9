#!/bin/bash
#
# filter.sh - the cups-upa filter plugin (upa-xpstopdf, upa-pclmtopdf,
# cups-upa.types, cups-upa.convs) through a real private cupsd, plus the
# filters run directly on malformed input and the XPS fuzz corpus replay.
#
# Documents are made at test time: XPS/OXPS packages with real Glyphs text,
# a PNG image, a landscape and an empty page (tests/data/filter/mkxps.sh),
# an XPS written by Ghostscript's xpswrite from a known PDF, PCLm,
# PWG-Raster and URF from Ghostscript.  Two queues print into the capture
# backend: "direct" accepts application/pdf as is (so the captured PDF is
# exactly what the filter wrote) and "chain" takes application/vnd.cups-pdf
# (the full cups-filters chain through pdftopdf).
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

upa_need_root

for tool in gs zip zipnote pdfinfo pdftotext pdfimages qpdf ipptool lpadmin lp timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed"
    exit 77
  fi
done
if [ ! -r "${UPA_XPS_FONT:=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}" ]; then
  echo "SKIP: no $UPA_XPS_FONT (install fonts-dejavu-core)"
  exit 77
fi
export UPA_XPS_FONT

XPSTOPDF="$top_builddir/filter/upa-xpstopdf"
PCLMTOPDF="$top_builddir/filter/upa-pclmtopdf"
REPLAY="$top_builddir/filter/fuzz-xps-replay"
MKXPS="$top_srcdir/tests/data/filter/mkxps.sh"
upa_need_program "$XPSTOPDF"
upa_need_program "$PCLMTOPDF"

upa_tmpdir
DOCS="$BASE/docs"
mkdir -p "$DOCS"
chmod 0755 "$DOCS"

# Bounds for every direct filter run on hostile input.
LIMIT_SECS=60
LIMIT_KB=4194304

# ASan reserves terabytes of address space at start-up, so ulimit -v cannot
# apply to a sanitizer build (the filter then relies on its own size checks).
if grep -qa __asan_init "$XPSTOPDF"; then
  LIMIT_KB=unlimited
fi


#
# Documents.
#

gen()
{
  "$@" >"$BASE/gen.log" 2>&1 || { cat "$BASE/gen.log"; upa_fatal "cannot generate a test document: $*"; }
}

gen "$MKXPS" good "$DOCS/doc.oxps" oxps
gen "$MKXPS" good "$DOCS/doc.xps" xps
for kind in truncated bomb bomb-stream bomb-lying nofdseq norels hugepage garbage; do
  gen "$MKXPS" "$kind" "$DOCS/bad-$kind.xps"
done

# A known PDF (portrait A4 with text and an image, landscape A4, Letter),
# then XPS and PCLm made from it by Ghostscript.
cat >"$DOCS/known.ps" <<'EOF'
%!PS
/Helvetica findfont 24 scalefont setfont
<< /PageSize [595 842] >> setpagedevice
72 700 moveto (Known page one) show
100 300 translate 200 100 scale 4 2 8 [4 0 0 2 0 0] {<ff000000ff000000ffffff00>} false 3 colorimage
showpage
<< /PageSize [842 595] >> setpagedevice
/Helvetica findfont 24 scalefont setfont 72 500 moveto (Known page two landscape) show showpage
<< /PageSize [612 792] >> setpagedevice
/Helvetica findfont 24 scalefont setfont 72 700 moveto (Known page three) show showpage
EOF
gen gs -q -dBATCH -dNOPAUSE -dSAFER -sDEVICE=pdfwrite -o "$DOCS/known.pdf" "$DOCS/known.ps"
gen gs -q -dBATCH -dNOPAUSE -dSAFER -sDEVICE=xpswrite -o "$DOCS/gs.xps" "$DOCS/known.pdf"
gen gs -q -dBATCH -dNOPAUSE -dSAFER -sDEVICE=pclm -r100 -o "$DOCS/known.pclm" "$DOCS/known.pdf"
gen gs -q -dBATCH -dNOPAUSE -dSAFER -sDEVICE=pwgraster -r100 -o "$DOCS/known.pwg" "$DOCS/known.pdf"
gen gs -q -dBATCH -dNOPAUSE -dSAFER -sDEVICE=urf -r150 -o "$DOCS/known.urf" "$DOCS/known.pdf"
head -c 20000 "$DOCS/known.pclm" >"$DOCS/bad-truncated.pclm"
printf '%%PDF-1.7\n%%PCLm 1.0\nthis is not a PDF body\n' >"$DOCS/bad-body.pclm"
head -c 4096 /dev/urandom >"$DOCS/raw.bin"
chmod 0644 "$DOCS"/*


#
# Helpers.
#

# page_sizes PDF: "WxH" per page, rounded to whole points.
page_sizes()
{
  pdfinfo -f 1 -l 9999 "$1" 2>/dev/null |
    awk '/^Page +[0-9]+ size:/ {printf "%.0fx%.0f ", $4, $6}' | sed 's/ $//'
}

pages_of()
{
  pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ {print $2}'
}

expect_eq()
{
  if [ "$1" != "$2" ]; then
    echo "expected \"$2\", got \"$1\""
    return 1
  fi
}

expect_text()
{
  local text

  text=$(pdftotext "$1" - 2>&1) || { echo "$text"; return 1; }
  shift
  for want in "$@"; do
    if ! grep -qF "$want" <<<"$text"; then
      echo "text \"$want\" not found in:"
      echo "$text"
      return 1
    fi
  done
}

# bad_input FILTER FILE: exit 1, exactly one ERROR: line, bounded time and memory.
bad_input()
{
  local filter=$1 file=$2 rc start elapsed errors

  start=$(date +%s%N)
  (ulimit -v "$LIMIT_KB"; exec timeout -s KILL "$LIMIT_SECS" "$filter" 1 tester title 1 "" "$file") \
    >"$BASE/bad.out" 2>"$BASE/bad.err"
  rc=$?
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  errors=$(grep -c '^ERROR: ' "$BASE/bad.err")
  grep '^ERROR: ' "$BASE/bad.err"
  echo "exit $rc after ${elapsed} ms"
  [ "$rc" = 1 ] || { echo "want exit 1"; cat "$BASE/bad.err"; return 1; }
  [ "$errors" = 1 ] || { echo "want exactly one ERROR: line, got $errors"; cat "$BASE/bad.err"; return 1; }
  return 0
}

# bad_input_msg FILTER FILE PATTERN: bad_input and the ERROR line matches.
bad_input_msg()
{
  bad_input "$1" "$2" || return 1
  grep '^ERROR: ' "$BASE/bad.err" | grep -qiE "$3" || { echo "ERROR line does not match /$3/"; return 1; }
}

# run_filter FILTER COPIES OUT [FILE|<stdin]: run a filter like cupsd does.
run_filter()
{
  local filter=$1 copies=$2 out=$3

  shift 3
  "$filter" 1 tester title "$copies" "" "$@" >"$out" 2>"$BASE/run.err"
}


#
# Direct filter runs.
#

check "upa-xpstopdf: OXPS file argument gives 3 pages" run_filter "$XPSTOPDF" 1 "$BASE/d1.pdf" "$DOCS/doc.oxps"
check "  page sizes Letter, Letter landscape, A4-ish empty" expect_eq "$(page_sizes "$BASE/d1.pdf")" "612x792 792x612 596x842"
check "  text is extractable" expect_text "$BASE/d1.pdf" "UPA test page 1" "quick brown fox" "UPA test page 2"
check "  the image is there" test "$(pdfimages -list "$BASE/d1.pdf" 2>/dev/null | tail -n +3 | wc -l)" -ge 1
check "  one PAGE: line per page" expect_eq "$(grep -c '^PAGE: ' "$BASE/run.err")" 3
check "upa-xpstopdf: XPS on stdin" run_filter "$XPSTOPDF" 1 "$BASE/d2.pdf" <"$DOCS/doc.xps"
check "  3 pages" expect_eq "$(pages_of "$BASE/d2.pdf")" 3
check "upa-xpstopdf: file argument + copies=2 makes 6 pages" run_filter "$XPSTOPDF" 2 "$BASE/d3.pdf" "$DOCS/doc.xps"
check "  6 pages" expect_eq "$(pages_of "$BASE/d3.pdf")" 6
check "upa-xpstopdf: stdin + copies=2 leaves copies to others (3 pages)" run_filter "$XPSTOPDF" 2 "$BASE/d4.pdf" <"$DOCS/doc.xps"
check "  3 pages" expect_eq "$(pages_of "$BASE/d4.pdf")" 3
check "upa-xpstopdf: Ghostscript xpswrite document" run_filter "$XPSTOPDF" 1 "$BASE/d5.pdf" "$DOCS/gs.xps"
# Ghostscript 10.0's xpswrite drops blank pages and renders text as
# rectangles: only the sizes of the 3 known pages can be compared.
check "  3 pages A4, A4 landscape, Letter" expect_eq "$(page_sizes "$BASE/d5.pdf")" "$(page_sizes "$DOCS/known.pdf")"

check "bad XPS: truncated package" bad_input_msg "$XPSTOPDF" "$DOCS/bad-truncated.xps" "truncated|corrupt"
check "bad XPS: zip bomb (declared size)" bad_input_msg "$XPSTOPDF" "$DOCS/bad-bomb.xps" "too large|zip bomb"
check "bad XPS: zip bomb (streamed, Zip64)" bad_input_msg "$XPSTOPDF" "$DOCS/bad-bomb-stream.xps" "too large|zip bomb"
check "bad XPS: zip bomb (lying size, caught while inflating)" bad_input_msg "$XPSTOPDF" "$DOCS/bad-bomb-lying.xps" "zip bomb"
check "bad XPS: missing FixedDocumentSequence" bad_input_msg "$XPSTOPDF" "$DOCS/bad-nofdseq.xps" "fixedrepresentation|FixedDocumentSequence"
check "bad XPS: no package relationships" bad_input_msg "$XPSTOPDF" "$DOCS/bad-norels.xps" "relationships"
check "bad XPS: huge page dimensions" bad_input_msg "$XPSTOPDF" "$DOCS/bad-hugepage.xps" "too large"
check "bad XPS: random bytes" bad_input_msg "$XPSTOPDF" "$DOCS/bad-garbage.xps" "not .*XPS|ZIP"
check "bad XPS: empty input on stdin" bad_input_msg "$XPSTOPDF" /dev/null "not .*XPS|ZIP"
# bad_with_env VAR=VALUE ARGS...: bad_input_msg with one more environment variable.
bad_with_env()
{
  (export "$1"; shift; bad_input_msg "$@")
}
check "bad XPS: too many pages (UPA_XPS_MAX_PAGES=2)" bad_with_env UPA_XPS_MAX_PAGES=2 "$XPSTOPDF" "$DOCS/doc.xps" "more than 2 pages"

# Starve the converter of address space at several sizes: wherever it runs
# out (libarchive failing politely, GLib aborting in g_malloc), the result is
# exit 1 with exactly one ERROR: line, or a complete PDF.
memory_sweep()
{
  local mb rc errors

  for mb in 8 16 32 48 56 60 64 66 68 69 70 72 76 80 96; do
    UPA_FILTER_MAX_MEMORY=$mb "$XPSTOPDF" 1 tester title 1 "" "$DOCS/doc.xps" >"$BASE/mem.pdf" 2>"$BASE/mem.err"
    rc=$?
    errors=$(grep -c '^ERROR: ' "$BASE/mem.err")
    echo "${mb} MiB: exit $rc, $errors ERROR lines $(grep '^ERROR: ' "$BASE/mem.err" | cut -c1-100)"
    case "$rc:$errors" in
      1:1) ;;
      0:0) [ "$(pages_of "$BASE/mem.pdf")" = 3 ] || { echo "incomplete PDF"; return 1; } ;;
      *) cat "$BASE/mem.err"; return 1 ;;
    esac
  done
}
check "bad XPS: any memory limit gives one ERROR line + exit 1, or a full PDF" memory_sweep

# A 1000-page document (libgxps rescans the ZIP for every part, so this takes
# seconds): the CPU limit stops it, and so does SIGTERM.
gen "$MKXPS" good "$DOCS/big.xps" xps 1000
check "bad XPS: CPU limit (UPA_FILTER_MAX_CPU=1) gives one ERROR line" bad_with_env UPA_FILTER_MAX_CPU=1 "$XPSTOPDF" "$DOCS/big.xps" "processing time"

sigterm_stops()
{
  local pid rc start tmp="$BASE/sigterm-tmp"

  mkdir -p "$tmp"
  TMPDIR=$tmp "$XPSTOPDF" 1 tester title 1 "" <"$DOCS/big.xps" >"$BASE/term.pdf" 2>"$BASE/term.err" &
  pid=$!
  upa_wait_for 20 grep -q '^PAGE: 2 ' "$BASE/term.err" || { echo "no page converted"; return 1; }
  start=$SECONDS
  kill -TERM "$pid"
  wait "$pid"
  rc=$?
  echo "exit $rc after $((SECONDS - start)) s, $(grep -c '^PAGE:' "$BASE/term.err") pages"
  [ "$rc" = 1 ] || return 1
  [ $((SECONDS - start)) -le 10 ] || return 1
  ! grep -q '^ERROR:' "$BASE/term.err" || return 1
  [ "$(grep -c '^PAGE:' "$BASE/term.err")" -lt 1000 ] || return 1
  # The spooled copy of stdin is gone.
  [ -z "$(ls -A "$tmp")" ] || { ls -l "$tmp"; return 1; }
}
check "upa-xpstopdf: SIGTERM stops it cleanly (exit 1, no ERROR, temp file removed)" sigterm_stops

check "upa-pclmtopdf: valid PCLm passes through unchanged" run_filter "$PCLMTOPDF" 1 "$BASE/p1.pdf" "$DOCS/known.pclm"
check "  byte-identical" cmp "$BASE/p1.pdf" "$DOCS/known.pclm"
check "  3 PAGE: lines" expect_eq "$(grep -c '^PAGE: ' "$BASE/run.err")" 3
check "upa-pclmtopdf: plain PDF is accepted as not-strict PCLm" run_filter "$PCLMTOPDF" 1 "$BASE/p2.pdf" "$DOCS/known.pdf"
check "  with an INFO line" grep -q '^INFO: .*not strict PCLm' "$BASE/run.err"
check "bad PCLm: truncated" bad_input "$PCLMTOPDF" "$DOCS/bad-truncated.pclm"
check "bad PCLm: PDF header, garbage body" bad_input "$PCLMTOPDF" "$DOCS/bad-body.pclm"
check "bad PCLm: not a PDF" bad_input_msg "$PCLMTOPDF" "$DOCS/raw.bin" "not a PDF"

if [ -x "$REPLAY" ]; then
  mkdir -p "$BASE/corpus"
  cp "$DOCS"/doc.xps "$DOCS"/doc.oxps "$DOCS"/gs.xps "$DOCS"/bad-*.xps "$BASE/corpus/"
  check "fuzz target replays the XPS corpus" timeout 300 "$REPLAY" "$BASE/corpus"
fi


#
# The real cupsd: filters in ServerBin/filter, types/convs in ServerRoot.
#

mkdir -p "$BASE/bin/filter" "$BASE/etc"
install -o root -g root -m 0755 "$XPSTOPDF" "$BASE/bin/filter/upa-xpstopdf"
install -o root -g root -m 0755 "$PCLMTOPDF" "$BASE/bin/filter/upa-pclmtopdf"
install -o root -g root -m 0644 "$top_srcdir/filter/cups-upa.types" "$BASE/etc/cups-upa.types"
install -o root -g root -m 0644 "$top_srcdir/filter/cups-upa.convs" "$BASE/etc/cups-upa.convs"

cupsd_start

# make_ppd NAME CUPSFILTER2: a minimal PPD for a PDF printer.
make_ppd()
{
  cat >"$BASE/$1.ppd" <<EOF
*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "UPATEST.PPD"
*Manufacturer: "cups-upa"
*Product: "(cups-upa test)"
*ModelName: "cups-upa PDF capture $1"
*ShortNickName: "cups-upa PDF $1"
*NickName: "cups-upa PDF capture $1"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: True
*DefaultColorSpace: RGB
*FileSystem: False
*Throughput: "1"
*LandscapeOrientation: Plus90
*TTRasterizer: Type42
*cupsFilter2: "$2"
*OpenUI *PageSize/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageSize
*DefaultPageSize: Letter
*PageSize Letter/US Letter: ""
*PageSize A4/A4: ""
*CloseUI: *PageSize
*OpenUI *PageRegion: PickOne
*OrderDependency: 10 AnySetup *PageRegion
*DefaultPageRegion: Letter
*PageRegion Letter/US Letter: ""
*PageRegion A4/A4: ""
*CloseUI: *PageRegion
*DefaultImageableArea: Letter
*ImageableArea Letter/US Letter: "0 0 612 792"
*ImageableArea A4/A4: "0 0 595 842"
*DefaultPaperDimension: Letter
*PaperDimension Letter/US Letter: "612 792"
*PaperDimension A4/A4: "595 842"
EOF
}

make_ppd direct "application/pdf application/pdf 0 -"
make_ppd chain "application/vnd.cups-pdf application/pdf 0 -"
for q in direct chain; do
  lpadmin -p "$q" -E -v "capture:$BASE/out" -P "$BASE/$q.ppd" >"$BASE/lpadmin.log" 2>&1 ||
    { cat "$BASE/lpadmin.log"; upa_fatal "lpadmin $q failed"; }
done

# print QUEUE FILE [lp options...]: print, wait, echo the captured file.
print()
{
  local queue=$1 file=$2 reply id

  shift 2
  reply=$(lp -d "$queue" "$@" "$file" 2>&1) || { echo "lp: $reply" >&2; return 1; }
  id=$(sed -n 's/^request id is [^ ]*-\([0-9]*\) .*/\1/p' <<<"$reply")
  [ -n "$id" ] || { echo "lp: $reply" >&2; return 1; }
  LAST_JOB=$id
  if ! wait_cups_job "$queue" "$id" completed 90 >&2; then
    grep -E "\[Job $id\]" "$BASE/log/error_log" | grep -E "ERROR|PAGE|Started|exit" | tail -n 20 >&2
    return 1
  fi
  echo "$BASE/out/job-$id.out"
}

# printed QUEUE FILE [lp options...]: check-able print; the captured file's
# path goes to $BASE/last (check runs it in a subshell).
printed()
{
  local queue=$1 file=$2 out

  shift 2
  : >"$BASE/last"
  out=$(print "$queue" "$file" "$@") || return 1
  [ -s "$out" ] || { echo "no capture for job $LAST_JOB"; return 1; }
  echo "$out" >"$BASE/last"
}

job_attr()
{
  local test="$BASE/get-job-attr.test"

  cat >"$test" <<EOF
{
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri \$uri
  ATTR integer job-id $2
  ATTR name requesting-user-name root
  ATTR keyword requested-attributes $3
  STATUS successful-ok
  DISPLAY $3
}
EOF
  ipptool -c "$(cups_printer_uri "$1")" "$test" 2>/dev/null | sed -n '2p'
}

for q in direct chain; do
  check "$q: OXPS prints" printed "$q" "$DOCS/doc.oxps" -o document-format=application/oxps
  OUT=$(cat "$BASE/last")
  check "  3 pages" expect_eq "$(pages_of "$OUT")" 3
  check "  text is extractable" expect_text "$OUT" "UPA test page 1" "quick brown fox" "UPA test page 2"
  if [ "$q" = direct ]; then
    check "  page sizes 612x792 792x612 596x842" expect_eq "$(page_sizes "$OUT")" "612x792 792x612 596x842"
  fi
  check "  the image is there" test "$(pdfimages -list "$OUT" 2>/dev/null | tail -n +3 | wc -l)" -ge 1

  check "$q: XPS prints" printed "$q" "$DOCS/doc.xps" -o document-format=application/vnd.ms-xpsdocument
  OUT=$(cat "$BASE/last")
  check "  3 pages" expect_eq "$(pages_of "$OUT")" 3
  check "  text is extractable" expect_text "$OUT" "UPA test page 2" "quick brown fox"

  check "$q: Ghostscript XPS prints" printed "$q" "$DOCS/gs.xps" -o document-format=application/vnd.ms-xpsdocument
  OUT=$(cat "$BASE/last")
  check "  3 pages" expect_eq "$(pages_of "$OUT")" 3

  check "$q: 2 copies of an XPS document" printed "$q" "$DOCS/doc.xps" -o document-format=application/vnd.ms-xpsdocument -n 2 -o Collate=True
  OUT=$(cat "$BASE/last")
  check "  6 pages (copies made once)" expect_eq "$(pages_of "$OUT")" 6

  check "$q: PCLm prints" printed "$q" "$DOCS/known.pclm" -o document-format=application/PCLm
  OUT=$(cat "$BASE/last")
  check "  3 pages" expect_eq "$(pages_of "$OUT")" 3
  if [ "$q" = direct ]; then
    check "  passed through unchanged" cmp "$OUT" "$DOCS/known.pclm"
  fi

  check "$q: PWG-Raster prints" printed "$q" "$DOCS/known.pwg" -o document-format=image/pwg-raster
  OUT=$(cat "$BASE/last")
  check "  3 pages" expect_eq "$(pages_of "$OUT")" 3

  check "$q: URF prints" printed "$q" "$DOCS/known.urf" -o document-format=image/urf
  OUT=$(cat "$BASE/last")
  check "  3 pages" expect_eq "$(pages_of "$OUT")" 3

  check "$q: RAW reaches the device unfiltered" printed "$q" "$DOCS/raw.bin" -o raw
  OUT=$(cat "$BASE/last")
  check "  byte-identical" cmp "$OUT" "$DOCS/raw.bin"
done

# A malformed document through cupsd: the job stops with the filter's message.
bad_job()
{
  local reply id

  reply=$(lp -d direct -o document-format=application/oxps "$DOCS/bad-bomb-lying.xps" 2>&1) || return 1
  id=$(sed -n 's/^request id is [^ ]*-\([0-9]*\) .*/\1/p' <<<"$reply")
  upa_wait_for 60 grep -q "\[Job $id\] .*zip bomb" "$BASE/log/error_log" || return 1
  upa_wait_for 30 bash -c "grep -q '\[Job $id\] .*upa-xpstopdf.*exited with status 1\|\[Job $id\] Job stopped' '$BASE/log/error_log'" || return 1
  cancel "direct-$id" 2>/dev/null || true
  cupsenable direct 2>/dev/null || true
}
check "direct: a zip bomb job fails with the filter's ERROR message" bad_job

# MIME detection by cupsd (document-format application/octet-stream = auto).
detect()
{
  local file=$1 want=$2 name=$3 reply id got

  cp "$file" "$BASE/docs/$name"
  reply=$(lp -d direct -o document-format=application/octet-stream -t "$name" "$BASE/docs/$name" 2>&1) || { echo "$reply"; return 1; }
  id=$(sed -n 's/^request id is [^ ]*-\([0-9]*\) .*/\1/p' <<<"$reply")
  got=$(job_attr direct "$id" document-format-detected)
  [ -n "$got" ] || got=$(job_attr direct "$id" document-format)
  wait_cups_job direct "$id" completed 90 >/dev/null || true
  # cupsd keeps MIME type names in lower case (they are case-insensitive).
  expect_eq "${got,,}" "${want,,}"
}
check "types: an .oxps package is application/oxps" detect "$DOCS/doc.oxps" application/oxps detect1.oxps
check "types: an .xps package is application/vnd.ms-xpsdocument" detect "$DOCS/doc.xps" application/vnd.ms-xpsdocument detect2.xps
check "types: an unnamed XPS package is application/oxps" detect "$DOCS/doc.xps" application/oxps detect3
check "types: Ghostscript's XPS (parts in another order) is detected" detect "$DOCS/gs.xps" application/oxps detect4
check "types: PCLm is application/PCLm, not application/pdf" detect "$DOCS/known.pclm" application/PCLm detect5
check "types: a plain PDF stays application/pdf" detect "$DOCS/known.pdf" application/pdf detect6.pdf

finish
