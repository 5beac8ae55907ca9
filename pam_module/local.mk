# pam_upa.so: badge/PIN -> UPN.
#
# The module is a thin libtool module over libupa (lib/badge.c holds the
# badge core shared with "upactl badge").  Only pam_sm_* are exported
# (version script); tests/pam/testdlsym checks that.

securelib_LTLIBRARIES = pam_module/pam_upa.la
pam_module_pam_upa_la_SOURCES = pam_module/pam_upa.c
pam_module_pam_upa_la_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
pam_module_pam_upa_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -no-undefined \
	-Wl,--version-script=$(srcdir)/pam_module/pam_upa.map
pam_module_pam_upa_la_LIBADD = $(UPA_LIBS) $(PAM_LIBS)
EXTRA_pam_module_pam_upa_la_DEPENDENCIES = $(srcdir)/pam_module/pam_upa.map

# lib/badge.c hashes PINs with yescrypt (libxcrypt).  Kept here so the lead can
# move it into lib/local.mk at leisure.

# Samples: a kiosk service file and a pam-auth-update profile (Default: no).
EXTRA_DIST += \
	pam_module/pam_upa.map \
	pam_module/upa-release.pam \
	pam_module/pam-configs/upa \
	pam_module/badge.conf.sample \
	tests/pam/corpus/normalize-1 \
	tests/pam/corpus/store-1

dist_man_MANS += doc/pam_upa.8

# Tests: the badge core (cmocka), the built module through the real libpam
# (pam_start_confdir), the exported-symbols check, and a fuzz replay.
PAM_TEST_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS) \
	-DPAM_UPA_MODULE=\"$(abs_top_builddir)/pam_module/.libs/pam_upa.so\" \
	-DPAM_TEST_SRCDIR=\"$(abs_top_srcdir)/tests/pam\"

check_PROGRAMS += tests/pam/testdlsym tests/pam/fuzzbadge
TESTS += tests/pam/testdlsym tests/pam/fuzzbadge

tests_pam_testdlsym_SOURCES = tests/pam/testdlsym.c
tests_pam_testdlsym_CFLAGS = $(PAM_TEST_CFLAGS)
tests_pam_testdlsym_LDADD = -ldl

tests_pam_fuzzbadge_SOURCES = tests/pam/fuzzbadge.c
tests_pam_fuzzbadge_CFLAGS = $(PAM_TEST_CFLAGS)
tests_pam_fuzzbadge_LDADD = $(UPA_LIBS)

if HAVE_CMOCKA
check_PROGRAMS += tests/pam/testbadge tests/pam/testpam
TESTS += tests/pam/testbadge tests/pam/testpam

tests_pam_testbadge_SOURCES = tests/pam/testbadge.c
tests_pam_testbadge_CFLAGS = $(PAM_TEST_CFLAGS) $(CMOCKA_CFLAGS)
tests_pam_testbadge_LDADD = $(UPA_LIBS) $(CMOCKA_LIBS)

tests_pam_testpam_SOURCES = tests/pam/testpam.c
tests_pam_testpam_CFLAGS = $(PAM_TEST_CFLAGS) $(CMOCKA_CFLAGS)
tests_pam_testpam_LDADD = $(UPA_LIBS) $(PAM_LIBS) $(CMOCKA_LIBS)

endif

# The same module in a stack run by pamtester under pam_wrapper (skipped when absent).
if HAVE_PAM_WRAPPER
TESTS += tests/pam/run-pamwrap.sh
endif
EXTRA_DIST += tests/pam/run-pamwrap.sh

# The LDAP source against a private slapd (root; skipped without slapd or pam_wrapper).
if HAVE_LDAP
if HAVE_PAM_WRAPPER
TESTS += tests/pam/ldap.sh
endif
endif
EXTRA_DIST += tests/pam/ldap.sh

# pam_authenticate() in several threads at once (libupa's per-thread log
# callback); its libupa log lines come from an LDAP source that is down.
if HAVE_LDAP
check_PROGRAMS += tests/pam/testthreads
TESTS += tests/pam/testthreads
endif

# Lockout under attack (issue 15 item 5): 20 parallel wrong PINs (half of
# them late clock readers, the race a loaded machine produced), 200
# guessed badges with the default configuration, 20 000 throttle records.
# Its time() stands in for libc's in pam_upa.so: exported.
check_PROGRAMS += tests/pam/testlockout
TESTS += tests/pam/testlockout
tests_pam_testlockout_SOURCES = tests/pam/testlockout.c
tests_pam_testlockout_CFLAGS = $(PAM_TEST_CFLAGS)
tests_pam_testlockout_LDFLAGS = -Wl,--export-dynamic
tests_pam_testlockout_LDADD = $(UPA_LIBS) $(PAM_LIBS)

# Figures, not a test: "make tests/bench/bench-throttle" and run it by hand.
EXTRA_PROGRAMS = tests/bench/bench-throttle
tests_bench_bench_throttle_SOURCES = tests/bench/bench-throttle.c
tests_bench_bench_throttle_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
tests_bench_bench_throttle_LDADD = $(UPA_LIBS)
CLEANFILES += tests/bench/bench-throttle

tests_pam_testthreads_SOURCES = tests/pam/testthreads.c
tests_pam_testthreads_CFLAGS = $(PAM_TEST_CFLAGS) -pthread
tests_pam_testthreads_LDADD = $(UPA_LIBS) $(PAM_LIBS) -lpthread

# The cloud badge collection code (lib/badgecloud.c): JSON parsers, token file.
if HAVE_CMOCKA
check_PROGRAMS += tests/pam/testbadgecloud
TESTS += tests/pam/testbadgecloud

tests_pam_testbadgecloud_SOURCES = tests/pam/testbadgecloud.c
tests_pam_testbadgecloud_CFLAGS = $(PAM_TEST_CFLAGS) $(CMOCKA_CFLAGS)
tests_pam_testbadgecloud_LDADD = $(UPA_LIBS) $(CMOCKA_LIBS)
endif

# The cloud badge lookup and badge collection against upa-cloudsim, through
# the real module (root: private cupsd; skipped without pam_wrapper).
if HAVE_PAM_WRAPPER
TESTS += tests/pam/cloud.sh
endif
EXTRA_DIST += tests/pam/cloud.sh

# Optional libFuzzer build of the same target (no configure switch):
#   make tests/pam/fuzzbadge-libfuzzer [PAM_FUZZ_CC=clang]
#   mkdir -p fuzz-corpus && cp $(srcdir)/tests/pam/corpus/* fuzz-corpus/
#   ./tests/pam/fuzzbadge-libfuzzer -max_total_time=60 fuzz-corpus
# (libFuzzer adds new inputs to the first corpus folder: never the source tree.)
PAM_FUZZ_CC = clang
PAM_FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined
tests/pam/fuzzbadge-libfuzzer: $(srcdir)/tests/pam/fuzzbadge.c $(srcdir)/lib/badge.c lib/libupa.la
	$(AM_V_CC)$(PAM_FUZZ_CC) $(PAM_FUZZ_CFLAGS) -DUPA_LIBFUZZER $(DEFS) $(AM_CPPFLAGS) $(CPPFLAGS) $(UPA_CFLAGS) \
	  -o $@ $(srcdir)/tests/pam/fuzzbadge.c $(srcdir)/lib/badge.c lib/.libs/libupa.a \
	  $(CUPS_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS) $(JSONC_LIBS) $(CRYPT_LIBS)
CLEANFILES += tests/pam/fuzzbadge-libfuzzer
