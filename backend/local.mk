# The "upa" CUPS backend: wraps the real device URI, reports to the cloud.
# Installed 0755 (runs as lp, reads device keys through the DeviceGroup).

backend_PROGRAMS += backend/upa
backend_upa_SOURCES = backend/upa.c
backend_upa_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS) $(CUPSFILTERS_CFLAGS)
backend_upa_LDADD = $(UPA_LIBS) $(CUPSFILTERS_LIBS)

dist_man_MANS += doc/upa.8

# testbackend: runs the built backend against a fake real backend (no root,
# no network, no cupsd).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/testbackend
tests_unit_testbackend_SOURCES = tests/unit/testbackend.c
tests_unit_testbackend_CFLAGS = $(UNIT_CFLAGS)
tests_unit_testbackend_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testbackend
endif
