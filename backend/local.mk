# The "upa" CUPS backend: wraps the real device URI, reports to the cloud.
# cupsd runs backend/upa, the launcher (C library only, installed 0700 so
# cupsd runs it as root): it hands the job to a warm upa-backend or runs
# upa-backend itself (backend/launch.c).  upa-backend starts the real backend
# as cupsd would and then drops to lp with DeviceGroup (backend/privs.c).

backend_PROGRAMS += backend/upa
backend_upa_SOURCES = backend/launch.c backend/warm.h

pkglibexec_PROGRAMS += backend/upa-backend
backend_upa_backend_SOURCES = \
	backend/privs.c \
	backend/upa-backend.h \
	backend/upa.c \
	backend/discover.c \
	backend/run.c \
	backend/relay.c \
	backend/sigloop.c \
	backend/sigloop.h \
	backend/report.c \
	backend/link.c \
	backend/pstate.c \
	backend/warm.c \
	backend/warm.h
# libcupsfilters (resolve_uri() for dnssd:// real URIs) is dlopen()ed when
# needed: linking it would load its dependencies for every job.
backend_upa_backend_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
backend_upa_backend_LDADD = $(UPA_LIBS) -ldl
# cupsd starts the backend for every job: it links only the libraries it
# uses (not libcurl and the cloud client: the outbox flusher is upactl).
backend_upa_backend_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed

# The signal relay the backend starts beside the real backend (run.c): the
# C library only, so starting it costs next to nothing.
pkglibexec_PROGRAMS += backend/upa-sigrelay
backend_upa_sigrelay_SOURCES = backend/sigrelay.c backend/sigloop.c backend/sigloop.h

dist_man_MANS += doc/upa.8

# testbackend: runs the built backend against a fake real backend (no root,
# no network, no cupsd).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/testbackend
tests_unit_testbackend_SOURCES = tests/unit/testbackend.c backend/sigloop.c backend/sigloop.h
tests_unit_testbackend_CFLAGS = $(UNIT_CFLAGS)
tests_unit_testbackend_LDADD = $(UNIT_LIBS)
TESTS += tests/unit/testbackend
endif

# Integration test (root: private cupsd + upa-cloudsim) and benchmark
# (run by hand: tests/bench/bench-backend.sh).
TESTS += tests/integration/backend.sh
EXTRA_DIST += \
	tests/integration/backend.sh \
	tests/bench/bench-backend.sh
