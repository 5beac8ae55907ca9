# libupa: the core library (a libtool convenience library every program links).

noinst_LTLIBRARIES += lib/libupa.la
lib_libupa_la_SOURCES = \
	lib/upa.h \
	lib/upa-private.h lib/util.c \
	lib/file.c lib/file.h \
	lib/error.c lib/error.h \
	lib/log.c lib/log.h \
	lib/config.c lib/config.h \
	lib/device.c lib/device.h \
	lib/http.c lib/http.h \
	lib/jwt.c lib/token.c lib/token.h \
	lib/client.c lib/client.h \
	lib/infra.c lib/infra.h lib/infra-private.h \
	lib/register.c lib/register.h \
	lib/ticket.c lib/ticket.h \
	lib/cupsjob.c lib/cupsjob.h \
	lib/journal.c lib/journal.h \
	lib/release.c lib/release.h \
	lib/connector.c lib/connector.h \
	lib/infranotify.c \
	lib/badge.c lib/badge.h \
	lib/badgecloud.c \
	lib/badgeldap.c \
	lib/outbox.c lib/outbox.h lib/outbox-private.h \
	lib/outboxsend.c \
	lib/outboxwatch.c \
	lib/sync.c lib/sync.h \
	lib/graph.c lib/graph.h \
	lib/oauth.c lib/oauth.h
lib_libupa_la_CFLAGS = $(AM_CFLAGS) $(CUPS_CFLAGS) $(CURL_CFLAGS) $(OPENSSL_CFLAGS) $(JSONC_CFLAGS) $(LDAP_CFLAGS)
lib_libupa_la_LIBADD = $(CUPS_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS) $(JSONC_LIBS) $(CRYPT_LIBS) $(LDAP_LIBS)

# What a program needs to link libupa.
UPA_CFLAGS = $(CUPS_CFLAGS) $(OPENSSL_CFLAGS) $(JSONC_CFLAGS)
UPA_LIBS = lib/libupa.la $(CUPS_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS) $(JSONC_LIBS) $(CRYPT_LIBS) $(LDAP_LIBS)

# Control characters and terminal escapes out of untrusted text (issue 15).
lib_libupa_la_SOURCES += lib/text.c lib/text.h
