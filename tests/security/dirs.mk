# Security tests of the accounts and shared folders (issue 15, items 1 and 2):
# each runs the attack for real as throwaway users and expects refusal.  They
# need root (exit 77 otherwise).  Included from the top Makefile.am until
# tests/security/local.mk exists; then fold these lines into it.

check_PROGRAMS += tests/security/dirs-helper
tests_security_dirs_helper_SOURCES = tests/security/dirs-helper.c
tests_security_dirs_helper_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
tests_security_dirs_helper_LDADD = $(UPA_LIBS)

SECURITY_DIRS_TESTS = \
	tests/security/lp-keys.sh \
	tests/security/lp-backend.sh \
	tests/security/dirs-shared.sh \
	tests/security/dirs-sync.sh \
	tests/security/dirs-device.sh \
	tests/security/dirs-records.sh
TESTS += $(SECURITY_DIRS_TESTS)
EXTRA_DIST += $(SECURITY_DIRS_TESTS) tests/security/dirs-lib.sh tests/security/dirs.mk
