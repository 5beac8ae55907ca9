# Tests: unit tests (cmocka) and integration tests (private cupsd + upa-cloudsim).
#
# "make check" runs everything.  Integration tests need root (a private
# cupsd runs backends as lp) and skip (exit 77) otherwise.

AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir;

include tests/unit/local.mk
include tests/integration/local.mk
include tests/security/local.mk
