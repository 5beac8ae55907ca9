# upa-cloudsim: local Universal Print emulator for tests and demos.
# Shares no protocol code with libupa (only libcups' IPP codec), on purpose.

if BUILD_CLOUDSIM
sbin_PROGRAMS += cloudsim/upa-cloudsim
cloudsim_upa_cloudsim_SOURCES = \
	cloudsim/cloudsim.h \
	cloudsim/main.c
cloudsim_upa_cloudsim_CFLAGS = $(AM_CFLAGS) $(CUPS_CFLAGS) $(MHD_CFLAGS) $(OPENSSL_CFLAGS) $(JSONC_CFLAGS) -pthread
cloudsim_upa_cloudsim_LDADD = $(CUPS_LIBS) $(MHD_LIBS) $(OPENSSL_LIBS) $(JSONC_LIBS)
cloudsim_upa_cloudsim_LDFLAGS = $(AM_LDFLAGS) -pthread
endif
