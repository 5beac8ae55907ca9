# upa-release: the release station program (kiosk and scripting modes).

bin_PROGRAMS += release/upa-release
release_upa_release_SOURCES = \
	release/release.h \
	release/upa-release.c \
	release/script.c \
	release/kiosk.c \
	release/cardin.c \
	release/pcsc.c \
	release/auth.c \
	release/helper.c \
	release/proto.c \
	release/common.c
release_upa_release_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS) $(NCURSESW_CFLAGS) $(PCSC_CFLAGS)
release_upa_release_LDADD = $(UPA_LIBS) $(NCURSESW_LIBS) $(PAM_LIBS) $(PCSC_LIBS) -lpthread
dist_man_MANS += doc/upa-release.1

# upa-release-helper: the privileged half of the kiosk (PAM, CUPS, cloud),
# serving unprivileged kiosk UIs over a unix socket.
sbin_PROGRAMS += release/upa-release-helper
release_upa_release_helper_SOURCES = \
	release/release.h \
	release/upa-release-helper.c \
	release/helper.c \
	release/proto.c \
	release/auth.c \
	release/common.c
release_upa_release_helper_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
release_upa_release_helper_LDADD = $(UPA_LIBS) $(PAM_LIBS) -lpthread
dist_man_MANS += doc/upa-release-helper.8

# Kiosk and race tests: the kiosk authenticates through the built
# pam_upa.so under pam_wrapper, and upa-steal acknowledges a job as another
# registered device.
check_PROGRAMS += tests/integration/upa-steal
tests_integration_upa_steal_SOURCES = tests/integration/upa-steal.c
tests_integration_upa_steal_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
tests_integration_upa_steal_LDADD = $(UPA_LIBS)

TESTS += \
	tests/integration/kiosk.sh \
	tests/integration/release-races.sh \
	tests/security/kiosk-helper.sh

EXTRA_DIST += \
	tests/integration/kiosk.sh \
	tests/integration/kiosk-lib.sh \
	tests/security/kiosk-helper.sh \
	tests/integration/release-races.sh \
	tests/bench/bench-release.sh \
	tests/bench/bench-helper.sh \
	tests/bench/bench-throughput.sh

# PC/SC readers: a private pcscd with the vsmartcard vpcd driver and a fake
# card (python3) behind it.
if HAVE_PCSCLITE
TESTS += tests/integration/pcsc.sh
endif
EXTRA_DIST += tests/integration/pcsc.sh

# systemd: the helper (socket-activated, hardened) and a kiosk per terminal
# (upa-kiosk@tty1.service) as the unprivileged user upa-kiosk (sysusers.d).
kioskunitdir = $(systemdsystemunitdir)
kioskunit_DATA = \
	systemd/upa-release-helper.socket \
	systemd/upa-release-helper.service \
	systemd/upa-kiosk@.service
sysusersdir = $(prefix)/lib/sysusers.d
sysusers_DATA = systemd/upa-kiosk.conf
EXTRA_DIST += \
	systemd/upa-release-helper.socket \
	systemd/upa-release-helper.service.in \
	systemd/upa-kiosk@.service.in \
	systemd/upa-kiosk.sysusers
CLEANFILES += \
	systemd/upa-release-helper.service \
	systemd/upa-kiosk@.service \
	systemd/upa-kiosk.conf

systemd/upa-release-helper.service: systemd/upa-release-helper.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' $(srcdir)/systemd/upa-release-helper.service.in >$@

systemd/upa-kiosk@.service: systemd/upa-kiosk@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' $(srcdir)/systemd/upa-kiosk@.service.in >$@

systemd/upa-kiosk.conf: systemd/upa-kiosk.sysusers
	$(AM_V_GEN)$(MKDIR_P) systemd && cp $(srcdir)/systemd/upa-kiosk.sysusers $@
