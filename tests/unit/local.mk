# Unit tests (cmocka).  Each test links libupa directly.

if HAVE_CMOCKA
UNIT_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS) $(CMOCKA_CFLAGS) -DTEST_DATADIR=\"$(abs_top_srcdir)/tests/data\"
UNIT_LIBS = $(UPA_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/testconfig
tests_unit_testconfig_SOURCES = tests/unit/testconfig.c
tests_unit_testconfig_CFLAGS = $(UNIT_CFLAGS)
tests_unit_testconfig_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testconfig

# (unit tests of lib/http, token, jwt, client, infra, register: below)
# (unit tests of lib/ticket, cupsjob, journal, release: below)
endif
