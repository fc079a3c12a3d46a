noinst_LIBRARIES += libcommon.a
libcommon_a_SOURCES = \
	common/err.c common/err.h common/err_ids.h \
	common/err_class.c common/err_class.h \
	common/mem.c common/mem.h \
	common/str.c common/str.h \
	common/fileio.c common/fileio.h \
	common/date_text.c common/date_text.h \
	common/clock.h \
	common/thread.c common/thread.h

# ---- unit tests (cmocka) ----
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_err_class
TESTS += tests/unit/test_err_class
tests_unit_test_err_class_SOURCES = tests/unit/test_err_class.c
tests_unit_test_err_class_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_err_class_LDADD = libcommon.a $(CMOCKA_LIBS)
endif

# every error id of common/, net/ and engine/ has a verdict (a shell check)
TESTS += tests/integration/err_ids_listed.sh
EXTRA_DIST += tests/integration/err_ids_listed.sh
