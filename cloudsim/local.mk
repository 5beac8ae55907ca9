# upa-cloudsim: local Universal Print emulator for tests and demos.
# Shares no protocol code with libupa (only libcups' IPP codec), on purpose.

if BUILD_CLOUDSIM
sbin_PROGRAMS += cloudsim/upa-cloudsim
cloudsim_upa_cloudsim_SOURCES = \
	cloudsim/cloudsim.h \
	cloudsim/badge.c \
	cloudsim/ca.c \
	cloudsim/fault.c \
	cloudsim/form.c \
	cloudsim/graph.c \
	cloudsim/graphjob.c \
	cloudsim/http.c \
	cloudsim/infra.c \
	cloudsim/ipp.c \
	cloudsim/jobops.c \
	cloudsim/main.c \
	cloudsim/notify.c \
	cloudsim/oauth.c \
	cloudsim/persist.c \
	cloudsim/printer.c \
	cloudsim/pwg.c \
	cloudsim/register.c \
	cloudsim/sim.c \
	cloudsim/store.c \
	cloudsim/tenant.c \
	cloudsim/token.c \
	cloudsim/util.c
cloudsim_upa_cloudsim_CFLAGS = $(AM_CFLAGS) $(CUPS_CFLAGS) $(MHD_CFLAGS) $(OPENSSL_CFLAGS) $(JSONC_CFLAGS) -pthread
cloudsim_upa_cloudsim_LDADD = $(CUPS_LIBS) $(MHD_LIBS) $(OPENSSL_LIBS) $(JSONC_LIBS)
cloudsim_upa_cloudsim_LDFLAGS = $(AM_LDFLAGS) -pthread

# Unit test of the form decoder and base64 helpers (no network).
check_PROGRAMS += cloudsim/testform
cloudsim_testform_SOURCES = \
	cloudsim/cloudsim.h \
	cloudsim/form.c \
	cloudsim/testform.c \
	cloudsim/util.c
cloudsim_testform_CFLAGS = $(cloudsim_upa_cloudsim_CFLAGS)
cloudsim_testform_LDADD = $(cloudsim_upa_cloudsim_LDADD)
cloudsim_testform_LDFLAGS = $(cloudsim_upa_cloudsim_LDFLAGS)
TESTS += cloudsim/testform

# IPP client with bearer tokens for the conformance test (not a test itself).
check_PROGRAMS += cloudsim/testipp
cloudsim_testipp_SOURCES = cloudsim/testipp.c
cloudsim_testipp_CFLAGS = $(AM_CFLAGS) $(CUPS_CFLAGS) $(CURL_CFLAGS)
cloudsim_testipp_LDADD = $(CUPS_LIBS) $(CURL_LIBS)

# Conformance test of the emulator itself (TLS, registration, tokens, IPP),
# its tenant model/faults/Graph/badges/limits/persistence, the admin sign-in
# (device code, refresh tokens), printer deletion and delays, the faults of
# "exactly once" seen on the wire (cloudsim-wire.py, python3), and the PWG
# ipptool files (skipped, 77, when ippsample-data cannot be fetched).
TESTS += \
	tests/integration/cloudsim.sh \
	tests/integration/cloudsim-model.sh \
	tests/integration/cloudsim-oauth.sh \
	tests/integration/cloudsim-faults.sh \
	tests/integration/cloudsim-conformance.sh
EXTRA_DIST += \
	tests/integration/cloudsim.sh \
	tests/integration/cloudsim-lib.sh \
	tests/integration/cloudsim-model.sh \
	tests/integration/cloudsim-oauth.sh \
	tests/integration/cloudsim-conformance.sh \
	tests/integration/cloudsim-faults.sh \
	tests/integration/cloudsim-wire.py \
	tests/integration/ipptool/infra-status.test \
	tests/integration/ipptool/infra-busy.test \
	tests/integration/ipptool/pwg-profile.test \
	tests/bench/bench-cloudsim.sh
dist_man_MANS += doc/upa-cloudsim.8
endif
