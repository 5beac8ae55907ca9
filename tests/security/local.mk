# Security tests (issue 15): each runs an attack for real and expects refusal.
#
# Shared by several areas; add your own scripts below with TESTS += and
# EXTRA_DIST +=.  Scripts that need root exit 77 when not run as root.

EXTRA_DIST += tests/security/local.mk
