# Man pages.

dist_man_MANS += \
	doc/cups-upa.conf.5
