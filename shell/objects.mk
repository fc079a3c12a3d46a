# shell/objects.mk - the object model, formatting, utility cmdlets and
# Get-Help (owner: objects engineer).  The man-page generator is in
# man/local.mk.
libshell_a_SOURCES += \
	shell/value.c shell/value.h \
	shell/format.c shell/format.h \
	shell/scalar_fmt.c shell/scalar_fmt.h \
	shell/help.c shell/help.h shell/help_topics.c \
	shell/builtins.h shell/builtins_list.c \
	shell/builtin_util.c shell/builtin_util.h \
	shell/builtin_format.c shell/builtin_select.c shell/builtin_where.c \
	shell/builtin_sort.c shell/builtin_convert.c shell/builtin_file.c \
	shell/builtin_host.c shell/builtin_help.c shell/builtin_misc.c \
	shell/builtin_exo.c \
	shell/builtin_items.c shell/builtin_objects.c shell/builtin_text.c \
	shell/builtin_secure.c shell/builtin_session.c shell/secure.c shell/secure.h

if UNIT_TESTS
check_PROGRAMS += tests/unit/test_value tests/unit/test_format tests/unit/test_help
TESTS += tests/unit/test_value tests/unit/test_format tests/unit/test_help
tests_unit_test_value_SOURCES = tests/unit/test_value.c
tests_unit_test_value_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_value_LDADD = libshell.a libcommon.a $(CMOCKA_LIBS) -lm
tests_unit_test_format_SOURCES = tests/unit/test_format.c
tests_unit_test_format_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_format_LDADD = libshell.a libcommon.a $(CMOCKA_LIBS) -lm
tests_unit_test_help_SOURCES = tests/unit/test_help.c
tests_unit_test_help_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_help_LDADD = libshell.a libcommon.a $(CMOCKA_LIBS)
endif

TESTS += tests/integration/objects_utility.sh tests/integration/help_man.sh
EXTRA_DIST += tests/integration/objects_utility.sh tests/integration/help_man.sh
# the cmdlet contract header is in no _SOURCES list yet; ship it
EXTRA_DIST += shell/cmdlet.h

# issue 13: the cmdlet conformance files and the realistic admin script
EXTRA_DIST += tests/integration/e2e_admin_script.sh tests/scripts/migrate-imap.ps1
TESTS += tests/integration/e2e_admin_script.sh
