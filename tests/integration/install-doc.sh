#
# install-doc.sh - doc/install.md's command blocks, for the tests that run
# them as written (packages.sh, kiosk-service.sh); source it from bash.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#


#
# 'doc_blocks()' - Print the command blocks of doc/install.md marked "<!-- run: PHASE -->".
#

doc_blocks()
{
  awk -v phase="$1" '
    $0 == "<!-- run: " phase " -->" { want = 1; next }
    want && /^```/ { if (inblock) { inblock = 0; want = 0 } else { inblock = 1 }; next }
    inblock { print }
  ' "$top_srcdir/doc/install.md"
}


#
# 'doc_script()' - Write doc/install.md's PHASE blocks as a script (to stdout).
#
# The commands are install.md's, verbatim and in order; "sudo" is a no-op
# (the tests run as root, and minimal systems have no sudo).  The first
# failing command fails the script.
#

doc_script()
{
  echo 'set -e -o pipefail'
  echo 'sudo() { "$@"; }'
  doc_blocks "$1"
}
