# The "upa" CUPS backend: wraps the real device URI, reports to the cloud.
# Installed 0755 (runs as lp, reads device keys through the DeviceGroup).

backend_PROGRAMS += backend/upa
backend_upa_SOURCES = backend/upa.c
backend_upa_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS) $(CUPSFILTERS_CFLAGS)
backend_upa_LDADD = $(UPA_LIBS) $(CUPSFILTERS_LIBS)
