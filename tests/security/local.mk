# Security tests (issue 15): each runs an attack for real and expects refusal.
#
# Shared by several areas; add your own scripts below with TESTS += and
# EXTRA_DIST +=.  Scripts that need root exit 77 when not run as root.

EXTRA_DIST += tests/security/local.mk

# Item 8: control characters and terminal escapes out of untrusted text
# (lib/text.c) and out of every log line (upaLog()).
check_PROGRAMS += tests/security/testtext
TESTS += tests/security/testtext
tests_security_testtext_SOURCES = tests/security/testtext.c
tests_security_testtext_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
tests_security_testtext_LDADD = $(UPA_LIBS)

# Items 4 and 9: no printer password inside upa:// (upactl register
# refuses it), no proxy password in "upactl doctor" (root: private cupsd
# and upa-cloudsim; skipped otherwise).
TESTS += tests/security/sec-credentials.sh
EXTRA_DIST += tests/security/sec-credentials.sh

# Item 8: a cloud job named with OSC and CSI sequences shows stripped in
# "upactl jobs" and "upa-release --list" (root; skipped otherwise).
TESTS += tests/security/sec-escapes.sh
EXTRA_DIST += tests/security/sec-escapes.sh

# Item 2: lib/journal.c and lib/outbox.c rename and remove records through
# upaFileRename()/upaFileUnlink(): a folder swapped for a link is refused.
check_PROGRAMS += tests/security/testfile
TESTS += tests/security/testfile
tests_security_testfile_SOURCES = tests/security/testfile.c
tests_security_testfile_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
tests_security_testfile_LDADD = $(UPA_LIBS)

# Item 7 (kiosk service) and the helper's hardening: the shipped units
# restrict what the man pages say, checked with "systemd-analyze security
# --offline=yes" on the built unit files (no running systemd needed; skipped
# where systemd-analyze lacks the offline mode).
TESTS += tests/security/units.sh
EXTRA_DIST += tests/security/units.sh
