# engine/sync.mk - the sync engine (data plane): folder mapping, Maildir++
# store, IMAP target, per-folder journal, filters, the driver; its tests.
libengine_a_SOURCES += \
	engine/sync.h \
	engine/folder_map.c engine/folder_map.h \
	engine/maildir_store.c engine/maildir_store.h \
	engine/sync_journal.c engine/sync_journal.h \
	engine/sync_filter.c engine/sync_filter.h
libengine_a_SOURCES += \
	engine/imap_target.c engine/imap_target.h \
	engine/sync.c engine/sync_internal.h engine/sync_util.c \
	engine/sync_copy_maildir.c engine/sync_copy_imap.c \
	engine/sync_skipset.c engine/sync_subscribe.c engine/sync_count.c \
	engine/sync_rename.c engine/sync_deletions.c

# test programs: the sync driver (runs one user's sync without shell or
# service) and the verifier (compares two IMAP accounts message by message)
SYNC_TEST_LIBS = libengine.a libnet.a libcommon.a $(MIGSH_EXT_LIBS)
check_PROGRAMS += tests/integration/sync_driver tests/lib/mailcompare
tests_integration_sync_driver_SOURCES = tests/integration/sync_driver.c
tests_integration_sync_driver_LDADD = $(SYNC_TEST_LIBS)
tests_lib_mailcompare_SOURCES = tests/lib/mailcompare.c
tests_lib_mailcompare_LDADD = $(SYNC_TEST_LIBS)

# unit tests (cmocka), one program per module
SYNC_UNIT_LIBS = libengine.a libnet.a libcommon.a $(CMOCKA_LIBS) $(MIGSH_EXT_LIBS)
check_PROGRAMS += tests/unit/test_folder_map tests/unit/test_maildir_store \
	tests/unit/test_sync_journal tests/unit/test_sync_filter
TESTS += tests/unit/test_folder_map tests/unit/test_maildir_store \
	tests/unit/test_sync_journal tests/unit/test_sync_filter
tests_unit_test_folder_map_SOURCES = tests/unit/test_folder_map.c
tests_unit_test_folder_map_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_folder_map_LDADD = $(SYNC_UNIT_LIBS)
tests_unit_test_maildir_store_SOURCES = tests/unit/test_maildir_store.c
tests_unit_test_maildir_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_maildir_store_LDADD = $(SYNC_UNIT_LIBS)
tests_unit_test_sync_journal_SOURCES = tests/unit/test_sync_journal.c
tests_unit_test_sync_journal_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sync_journal_LDADD = $(SYNC_UNIT_LIBS)
tests_unit_test_sync_filter_SOURCES = tests/unit/test_sync_filter.c
tests_unit_test_sync_filter_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sync_filter_LDADD = $(SYNC_UNIT_LIBS)

# integration tests against real Dovecot (tests/lib/dovecot.sh)
TESTS += tests/integration/sync_maildir.sh tests/integration/sync_target.sh \
	tests/integration/sync_crash.sh tests/integration/sync_uidvalidity.sh \
	tests/integration/sync_limits.sh tests/integration/sync_retry.sh \
	tests/integration/sync_separators.sh tests/integration/sync_keywords.sh
EXTRA_DIST += tests/integration/sync-common.sh tests/integration/sync_maildir.sh \
	tests/integration/sync_target.sh tests/integration/sync_crash.sh \
	tests/integration/sync_uidvalidity.sh tests/integration/sync_limits.sh \
	tests/integration/sync_retry.sh tests/integration/sync_separators.sh \
	tests/integration/sync_keywords.sh

# incremental passes: statistics, subscriptions, progress (issue 14)
check_PROGRAMS += tests/unit/test_sync_skipset
TESTS += tests/unit/test_sync_skipset
tests_unit_test_sync_skipset_SOURCES = tests/unit/test_sync_skipset.c
tests_unit_test_sync_skipset_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sync_skipset_LDADD = $(SYNC_UNIT_LIBS)
TESTS += tests/integration/sync_incremental_stats.sh tests/integration/sync_subscriptions.sh \
	tests/integration/sync_progress.sh tests/integration/sync_rename.sh \
	tests/integration/sync_deletions.sh tests/integration/e2e_incremental.sh
EXTRA_DIST += tests/integration/sync_incremental_stats.sh tests/integration/sync_subscriptions.sh \
	tests/integration/sync_progress.sh tests/integration/sync_rename.sh \
	tests/integration/sync_deletions.sh tests/integration/e2e_incremental.sh
