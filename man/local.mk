# man/local.mk - manual pages generated at build time from the cmdlet
# declarations and help topics (man/mangen.c; never edited by hand).
# Pages are written to $(builddir)/man/gen (never into the source tree, so
# `make distcheck` works with a read-only srcdir) and installed by
# install-data-local into $(mandir)/man1 and man7.
noinst_PROGRAMS += man/mangen
man_mangen_SOURCES = man/mangen.c
man_mangen_LDADD = $(MIGSH_LIBS) $(MIGSH_EXT_LIBS)

all-local: man/pages.stamp

man/pages.stamp: man/mangen$(EXEEXT)
	$(AM_V_GEN)rm -rf man/gen && $(MKDIR_P) man/gen && \
	./man/mangen$(EXEEXT) man/gen && touch $@

install-data-local: install-man-generated
uninstall-local: uninstall-man-generated
clean-local: clean-man-generated

install-man-generated: man/pages.stamp
	$(MKDIR_P) '$(DESTDIR)$(mandir)/man1' '$(DESTDIR)$(mandir)/man7'
	for f in man/gen/*.1; do $(INSTALL_DATA) "$$f" '$(DESTDIR)$(mandir)/man1/' || exit 1; done
	for f in man/gen/*.7; do $(INSTALL_DATA) "$$f" '$(DESTDIR)$(mandir)/man7/' || exit 1; done

uninstall-man-generated: man/mangen$(EXEEXT)
	./man/mangen$(EXEEXT) --list | while read f; do \
	  case "$$f" in *.1) rm -f '$(DESTDIR)$(mandir)/man1/'"$$f";; \
	                *.7) rm -f '$(DESTDIR)$(mandir)/man7/'"$$f";; esac; \
	done

clean-man-generated:
	rm -rf man/gen man/pages.stamp

.PHONY: install-man-generated uninstall-man-generated clean-man-generated

# every page, help topic and source comment names pages and files that exist
TESTS += tests/integration/man_references.sh
EXTRA_DIST += tests/integration/man_references.sh
