#!/bin/bash
#
# mkxps.sh - build XPS / OpenXPS test packages (and broken ones) with zip(1).
#
#   mkxps.sh good OUT.xps FLAVOR [PAGES]   FLAVOR: xps (Microsoft 2005/06) or oxps (ECMA-388)
#       PAGES absent: 3 pages - Letter portrait with text and a PNG image,
#       Letter landscape with text, an empty A4 page.  PAGES=N: N text+image
#       Letter pages (benchmark documents).
#   mkxps.sh truncated OUT.xps        a good package cut in half
#   mkxps.sh bomb OUT.xps             a page part inflating to 512 MiB of zeros
#   mkxps.sh bomb-stream OUT.xps      256 MiB of zeros written by zip to a pipe (Zip64 sizes)
#   mkxps.sh bomb-lying OUT.xps       the same, claiming 1000 bytes: caught while inflating
#   mkxps.sh nofdseq OUT.xps          _rels/.rels points at a missing FixedDocumentSequence
#   mkxps.sh norels OUT.xps           a ZIP without package relationships
#   mkxps.sh hugepage OUT.xps         a page of 10,000,000 x 10,000,000 units
#   mkxps.sh garbage OUT.xps          random bytes
#
# Text is real Glyphs markup with an embedded TrueType font (DejaVu Sans), so
# text extraction from the converted PDF can be checked; the image is a PNG
# rendered by Ghostscript.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

set -e

: "${UPA_XPS_FONT:=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}"

kind=$1
out=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/mkxps.XXXXXX")
trap 'rm -rf "$work"' EXIT

case "$out" in
  /*) ;;
  *) out="$PWD/$out" ;;
esac


# 'namespaces()' - Set NS/REL_FIXED/CT_* for a flavour.
namespaces()
{
  if [ "$1" = oxps ]; then
    NS=http://schemas.openxps.org/oxps/v1.0
    REL_FIXED=http://schemas.openxps.org/oxps/v1.0/fixedrepresentation
    REL_RES=http://schemas.openxps.org/oxps/v1.0/required-resource
    CT_FDSEQ=application/vnd.openxps-fixeddocumentsequence+xml
    CT_FDOC=application/vnd.openxps-fixeddocument+xml
    CT_FPAGE=application/vnd.openxps-fixedpage+xml
  else
    NS=http://schemas.microsoft.com/xps/2005/06
    REL_FIXED=http://schemas.microsoft.com/xps/2005/06/fixedrepresentation
    REL_RES=http://schemas.microsoft.com/xps/2005/06/required-resource
    CT_FDSEQ=application/vnd.ms-package.xps-fixeddocumentsequence+xml
    CT_FDOC=application/vnd.ms-package.xps-fixeddocument+xml
    CT_FPAGE=application/vnd.ms-package.xps-fixedpage+xml
  fi
}


# 'skeleton()' - Content types, package relationships, sequence, resources.
skeleton()
{
  mkdir -p "$work/pkg/_rels" "$work/pkg/Documents/1/Pages/_rels" "$work/pkg/Resources"
  cat >"$work/pkg/[Content_Types].xml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="fdseq" ContentType="$CT_FDSEQ"/>
<Default Extension="fdoc" ContentType="$CT_FDOC"/>
<Default Extension="fpage" ContentType="$CT_FPAGE"/>
<Default Extension="ttf" ContentType="application/vnd.ms-opentype"/>
<Default Extension="png" ContentType="image/png"/>
</Types>
EOF
  cat >"$work/pkg/_rels/.rels" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Type="$REL_FIXED" Target="/FixedDocumentSequence.fdseq" Id="R0"/>
</Relationships>
EOF
  cat >"$work/pkg/FixedDocumentSequence.fdseq" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<FixedDocumentSequence xmlns="$NS"><DocumentReference Source="/Documents/1/FixedDocument.fdoc"/></FixedDocumentSequence>
EOF
  cp "$UPA_XPS_FONT" "$work/pkg/Resources/font.ttf"
  # A 160x80 pixel image: coloured bars and a circle.
  printf '%s\n' '%!PS' '1 0 0 setrgbcolor 0 0 53 80 rectfill 0 1 0 setrgbcolor 53 0 53 80 rectfill' \
    '0 0 1 setrgbcolor 106 0 54 80 rectfill 1 1 0 setrgbcolor 80 40 30 0 360 arc fill showpage' >"$work/img.ps"
  gs -q -dBATCH -dNOPAUSE -dSAFER -sDEVICE=png16m -r72 -g160x80 -o "$work/pkg/Resources/image.png" "$work/img.ps"
}


# 'page()' - Write page N: WIDTH HEIGHT CONTENT (text, image, both, empty).
page()
{
  local n=$1 w=$2 h=$3 what=$4
  local f="$work/pkg/Documents/1/Pages/$n.fpage"

  echo "<FixedPage Width=\"$w\" Height=\"$h\" xmlns=\"$NS\" xml:lang=\"en-US\">" >"$f"
  case "$what" in
    *text*)
      echo "<Glyphs Fill=\"#FF000000\" FontUri=\"/Resources/font.ttf\" FontRenderingEmSize=\"24\" OriginX=\"96\" OriginY=\"120\" UnicodeString=\"UPA test page $n\"/>" >>"$f"
      echo "<Glyphs Fill=\"#FF000080\" FontUri=\"/Resources/font.ttf\" FontRenderingEmSize=\"16\" OriginX=\"96\" OriginY=\"160\" UnicodeString=\"The quick brown fox jumps over the lazy dog\"/>" >>"$f"
      ;;
  esac
  case "$what" in
    *image*)
      echo '<Path Data="M 96,200 L 416,200 L 416,360 L 96,360 Z"><Path.Fill><ImageBrush ImageSource="/Resources/image.png" Viewbox="0,0,160,80" ViewboxUnits="Absolute" Viewport="96,200,320,160" ViewportUnits="Absolute"/></Path.Fill></Path>' >>"$f"
      ;;
  esac
  echo "</FixedPage>" >>"$f"

  cat >"$work/pkg/Documents/1/Pages/_rels/$n.fpage.rels" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Type="$REL_RES" Target="/Resources/font.ttf" Id="R1"/>
<Relationship Type="$REL_RES" Target="/Resources/image.png" Id="R2"/>
</Relationships>
EOF
  echo "<PageContent Source=\"Pages/$n.fpage\" Width=\"$w\" Height=\"$h\"/>" >>"$work/fdoc"
}


# 'finish()' - Write the FixedDocument and zip the package (parts in order).
finish()
{
  {
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo "<FixedDocument xmlns=\"$NS\">"
    cat "$work/fdoc"
    echo "</FixedDocument>"
  } >"$work/pkg/Documents/1/FixedDocument.fdoc"
  rm -f "$out"
  (cd "$work/pkg" && zip -q -X -nw -r "$out" '[Content_Types].xml' _rels FixedDocumentSequence.fdseq Documents Resources)
}


# 'good()' - A valid package.
good()
{
  local flavor=$1 pages=${2:-}
  local i

  namespaces "$flavor"
  skeleton
  : >"$work/fdoc"
  if [ -z "$pages" ]; then
    page 1 816 1056 text+image      # Letter portrait: 612x792 pt
    page 2 1056 816 text            # Letter landscape: 792x612 pt
    page 3 794 1123 empty           # A4-ish, nothing on it: 595.5x842.25 pt
  else
    for ((i = 1; i <= pages; i ++)); do
      page "$i" 816 1056 text+image
    done
  fi
  finish
}


case "$kind" in
  good)
    good "${3:-xps}" "${4:-}"
    ;;
  truncated)
    good xps
    size=$(stat -c %s "$out")
    head -c $((size / 2)) "$out" >"$work/cut" && mv "$work/cut" "$out"
    ;;
  bomb)
    namespaces xps
    skeleton
    : >"$work/fdoc"
    page 1 816 1056 text
    # Replace the page by 512 MiB of zeros (sparse file, deflates ~1000:1).
    truncate -s 512M "$work/pkg/Documents/1/Pages/1.fpage"
    finish
    ;;
  bomb-stream|bomb-lying)
    # Written to a pipe, so the sizes are only in the data descriptor after
    # the data: the limit has to be enforced while inflating (256 MiB).
    head -c 256M /dev/zero | zip -q - - | cat >"$out"
    printf '@ -\n@=Documents/1/Pages/1.fpage\n' | zipnote -w "$out"
    if [ "$kind" = bomb-lying ]; then
      # Claim 1000 bytes in the Zip64 extra field of the local header
      # (30-byte header + 25-byte name + 4-byte extra header = offset 59).
      printf '\xe8\x03\x00\x00\x00\x00\x00\x00' | dd of="$out" bs=1 seek=59 conv=notrunc 2>/dev/null
    fi
    ;;
  nofdseq)
    good xps
    zip -q -d "$out" FixedDocumentSequence.fdseq
    ;;
  norels)
    good xps
    zip -q -d "$out" '_rels/.rels' '_rels/'
    ;;
  hugepage)
    namespaces xps
    skeleton
    : >"$work/fdoc"
    page 1 10000000 10000000 text
    finish
    ;;
  garbage)
    head -c 65536 /dev/urandom >"$out"
    ;;
  *)
    echo "Usage: mkxps.sh good|truncated|bomb|bomb-stream|bomb-lying|nofdseq|norels|hugepage|garbage OUT [...]" >&2
    exit 1
    ;;
esac
