# Filter plugin: document formats Universal Print Anywhere delivers that CUPS
# cannot print yet (XPS/OXPS, PCLm), with their MIME type and conversion rules.

FILTER_COMMON = filter/filter-common.c filter/filter-common.h

# XPS/OXPS -> PDF (libgxps + cairo; libarchive for the ZIP limits).
filter_PROGRAMS += filter/upa-xpstopdf
filter_upa_xpstopdf_SOURCES = filter/xpstopdf.c filter/xpsconv.c filter/xpsconv.h $(FILTER_COMMON)
filter_upa_xpstopdf_CFLAGS = $(AM_CFLAGS) $(CUPS_CFLAGS) $(GXPS_CFLAGS)
filter_upa_xpstopdf_LDADD = $(GXPS_LIBS) $(CUPS_LIBS) -lm

# PCLm -> PDF (validated with libqpdf, passed through).
filter_PROGRAMS += filter/upa-pclmtopdf
filter_upa_pclmtopdf_SOURCES = filter/pclmtopdf.c $(FILTER_COMMON)
filter_upa_pclmtopdf_CFLAGS = $(AM_CFLAGS) $(CUPS_CFLAGS) $(QPDF_CFLAGS)
filter_upa_pclmtopdf_LDADD = $(QPDF_LIBS) $(CUPS_LIBS)

# MIME types and conversion rules, read by cupsd from DataDir/mime.
dist_mime_DATA = filter/cups-upa.types filter/cups-upa.convs

dist_man_MANS += doc/upa-xpstopdf.7

# Fuzz target for the XPS path.  "make check" builds the corpus replayer (any
# compiler); "make fuzz-xps" builds the libFuzzer binary with clang.
check_PROGRAMS += filter/fuzz-xps-replay
filter_fuzz_xps_replay_SOURCES = filter/fuzz-xps.c filter/fuzz-replay.c filter/xpsconv.c filter/xpsconv.h
filter_fuzz_xps_replay_CFLAGS = $(AM_CFLAGS) $(GXPS_CFLAGS)
filter_fuzz_xps_replay_LDADD = $(GXPS_LIBS) -lm

FUZZ_CC = clang
fuzz-xps: $(top_srcdir)/filter/fuzz-xps.c $(top_srcdir)/filter/xpsconv.c $(top_srcdir)/filter/xpsconv.h
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(DEFS) $(GXPS_CFLAGS) \
	  -o filter/fuzz-xps $(top_srcdir)/filter/fuzz-xps.c $(top_srcdir)/filter/xpsconv.c $(GXPS_LIBS) -lm
.PHONY: fuzz-xps
CLEANFILES += filter/fuzz-xps

# Tests: the filters through a private cupsd, malformed inputs, fuzz replay.
TESTS += tests/integration/filter.sh
EXTRA_DIST += tests/integration/filter.sh tests/bench/bench-xps.sh tests/data/filter/mkxps.sh
