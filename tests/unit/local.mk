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
check_PROGRAMS += tests/unit/testjwt
tests_unit_testjwt_SOURCES = tests/unit/testjwt.c
tests_unit_testjwt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_testjwt_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testjwt

check_PROGRAMS += tests/unit/testclient
tests_unit_testclient_SOURCES = tests/unit/testclient.c
tests_unit_testclient_CFLAGS = $(UNIT_CFLAGS)
tests_unit_testclient_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testclient

check_PROGRAMS += tests/unit/testinfra
tests_unit_testinfra_SOURCES = tests/unit/testinfra.c
tests_unit_testinfra_CFLAGS = $(UNIT_CFLAGS)
tests_unit_testinfra_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testinfra

# (unit tests of lib/ticket, cupsjob, journal, release: below)
check_PROGRAMS += tests/unit/testticket
tests_unit_testticket_SOURCES = tests/unit/testticket.c
tests_unit_testticket_CFLAGS = $(UNIT_CFLAGS)
tests_unit_testticket_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testticket

check_PROGRAMS += tests/unit/testjournal
tests_unit_testjournal_SOURCES = tests/unit/testjournal.c
tests_unit_testjournal_CFLAGS = $(UNIT_CFLAGS)
tests_unit_testjournal_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testjournal

# upa-release's badge reader decoding (release/cardin.c, built with the
# test-only relCardOpenUngrabbed())
check_PROGRAMS += tests/unit/testcardin
tests_unit_testcardin_SOURCES = tests/unit/testcardin.c release/cardin.c release/release.h
tests_unit_testcardin_CFLAGS = $(UNIT_CFLAGS) -DREL_CARD_TESTING
tests_unit_testcardin_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testcardin

check_PROGRAMS += tests/unit/testproto
tests_unit_testproto_SOURCES = tests/unit/testproto.c release/proto.c release/release.h
tests_unit_testproto_CFLAGS = $(UNIT_CFLAGS)
tests_unit_testproto_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testproto

# upa-release's PC/SC UID decoding (release/pcsc.c)
check_PROGRAMS += tests/unit/testpcsc
tests_unit_testpcsc_SOURCES = tests/unit/testpcsc.c release/pcsc.c release/release.h
tests_unit_testpcsc_CFLAGS = $(UNIT_CFLAGS) $(PCSC_CFLAGS)
tests_unit_testpcsc_LDADD = $(UNIT_LIBS) $(PCSC_LIBS)
TESTS += tests/unit/testpcsc
endif
