# upa-release: the release station program (kiosk and scripting modes).

bin_PROGRAMS += release/upa-release
release_upa_release_SOURCES = \
	release/release.h \
	release/upa-release.c \
	release/script.c \
	release/kiosk.c \
	release/cardin.c \
	release/auth.c
release_upa_release_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS) $(NCURSESW_CFLAGS)
release_upa_release_LDADD = $(UPA_LIBS) $(NCURSESW_LIBS) $(PAM_LIBS)
dist_man_MANS += doc/upa-release.1

# Kiosk and race tests: the kiosk authenticates through the built
# pam_upa.so under pam_wrapper, and upa-steal acknowledges a job as another
# registered device.
check_PROGRAMS += tests/integration/upa-steal
tests_integration_upa_steal_SOURCES = tests/integration/upa-steal.c
tests_integration_upa_steal_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
tests_integration_upa_steal_LDADD = $(UPA_LIBS)

TESTS += \
	tests/integration/kiosk.sh \
	tests/integration/release-races.sh

EXTRA_DIST += \
	tests/integration/kiosk.sh \
	tests/integration/release-races.sh \
	tests/bench/bench-release.sh
