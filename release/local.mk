# upa-release: the release station program.

bin_PROGRAMS += release/upa-release
release_upa_release_SOURCES = release/upa-release.c
release_upa_release_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
release_upa_release_LDADD = $(UPA_LIBS)
dist_man_MANS += doc/upa-release.1
