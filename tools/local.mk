# upactl: the admin command line.

sbin_PROGRAMS += tools/upactl
tools_upactl_SOURCES = tools/upactl.c
tools_upactl_CFLAGS = $(AM_CFLAGS) $(UPA_CFLAGS)
tools_upactl_LDADD = $(UPA_LIBS)

dist_man_MANS += doc/upactl.8
