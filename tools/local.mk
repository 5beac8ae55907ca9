# upactl: the admin command line, and the systemd unit of its sync service.

sbin_PROGRAMS += tools/upactl
tools_upactl_SOURCES = \
	tools/upactl.c tools/upactl.h \
	tools/cmd-device.c \
	tools/cmd-doctor.c \
	tools/cmd-jobs.c \
	tools/cmd-outbox.c \
	tools/cmd-register.c \
	tools/cmd-status.c \
	tools/cmd-sync.c \
	tools/badge.c tools/badge.h
# tools/badge.c ("upactl badge") belongs to the badge work; the dispatch
# table in upactl.c shows the command when this is defined.
tools_upactl_CPPFLAGS = $(AM_CPPFLAGS) -DUPACTL_HAVE_BADGE
tools_upactl_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
tools_upactl_LDADD = $(UPA_LIBS)

dist_man_MANS += doc/upactl.8

# "make systemdsystemunitdir=/usr/lib/systemd/system install" for other layouts.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = systemd/upa-sync.service
EXTRA_DIST += systemd/upa-sync.service.in
CLEANFILES += systemd/upa-sync.service

systemd/upa-sync.service: systemd/upa-sync.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' $(srcdir)/systemd/upa-sync.service.in >$@

TESTS += \
	tests/integration/register.sh \
	tests/integration/sync.sh \
	tests/integration/direct.sh \
	tests/integration/direct-many.sh \
	tests/integration/badge-unlock.sh
# Figures, not a test: run it by hand (root).
EXTRA_DIST += tests/bench/bench-connector.sh
EXTRA_DIST += \
	tests/integration/register.sh \
	tests/integration/sync.sh \
	tests/integration/direct.sh \
	tests/integration/direct-lib.sh \
	tests/integration/direct-many.sh \
	tests/integration/badge-unlock.sh
