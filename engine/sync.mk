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
	engine/dest.h engine/dest.c engine/dest_internal.h engine/dest_maildir.c engine/dest_imap.c \
	engine/source.h engine/source_imap.c \
	engine/sync_skipset.c engine/sync_subscribe.c engine/sync_count.c \
	engine/sync_rename.c engine/sync_deletions.c engine/sync_moves.c

# test programs: the sync driver (runs one user's sync without shell or
# service) and the verifier (compares two IMAP accounts message by message)
SYNC_TEST_LIBS = libengine.a libnet.a libcommon.a $(MIGSH_EXT_LIBS)
check_PROGRAMS += tests/integration/sync_driver tests/lib/mailcompare tests/lib/mg-cutproxy
tests_lib_mg_cutproxy_SOURCES = tests/lib/cutproxy.c
check_PROGRAMS += tests/lib/mg-hostile-imapd
tests_lib_mg_hostile_imapd_SOURCES = tests/lib/hostile_imapd.c
tests_integration_sync_driver_SOURCES = tests/integration/sync_driver.c
tests_integration_sync_driver_LDADD = $(SYNC_TEST_LIBS)
tests_lib_mailcompare_SOURCES = tests/lib/mailcompare.c
tests_lib_mailcompare_LDADD = $(SYNC_TEST_LIBS)
# the same driver with the journal's step limit compiled in (sync_journal.h):
# only this test program reads MIGSH_TEST_JOURNAL_STEPS, never migsh
check_PROGRAMS += tests/integration/sync_stepper
tests_integration_sync_stepper_SOURCES = tests/integration/sync_driver.c engine/sync_journal.c
tests_integration_sync_stepper_CPPFLAGS = $(AM_CPPFLAGS) -DMG_JOURNAL_STEP_HOOK
tests_integration_sync_stepper_LDADD = $(SYNC_TEST_LIBS)
# the slow-target relay of the benchmarks, for the crash test into a slow target
check_PROGRAMS += bench/delayproxy
bench_delayproxy_SOURCES = bench/delayproxy.c

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
check_PROGRAMS += tests/unit/test_error_summary
TESTS += tests/unit/test_error_summary
tests_unit_test_error_summary_SOURCES = tests/unit/test_error_summary.c
tests_unit_test_error_summary_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_error_summary_LDADD = $(SYNC_UNIT_LIBS)

# integration tests against real Dovecot (tests/lib/dovecot.sh)
TESTS += tests/integration/sync_maildir.sh tests/integration/sync_target.sh \
	tests/integration/sync_crash.sh tests/integration/sync_uidvalidity.sh \
	tests/integration/sync_limits.sh tests/integration/sync_retry.sh \
	tests/integration/sync_separators.sh tests/integration/sync_keywords.sh \
	tests/integration/sync_every_step.sh \
	tests/integration/sync_tls_cuts.sh tests/integration/sync_hostile.sh \
	tests/integration/e2e_hostile.sh \
	tests/integration/sync_crash_slow.sh
EXTRA_DIST += tests/integration/sync-common.sh tests/integration/sync_maildir.sh \
	tests/integration/sync_target.sh tests/integration/sync_crash.sh \
	tests/integration/sync_uidvalidity.sh tests/integration/sync_limits.sh \
	tests/integration/sync_retry.sh tests/integration/sync_separators.sh \
	tests/integration/sync_keywords.sh tests/integration/sync_every_step.sh \
	tests/integration/sync_tls_cuts.sh tests/integration/sync_hostile.sh \
	tests/integration/e2e_hostile.sh tests/integration/sync_crash_slow.sh

# ---- libFuzzer targets for the batch CSV reader and the folder mapper
# (configure --enable-fuzzing CC=clang; fuzz/run_fuzz_csv_fmap.sh runs them).
# The code under test is compiled into each target for coverage instrumentation.
EXTRA_DIST += fuzz/run_fuzz_csv_fmap.sh
if FUZZING
noinst_PROGRAMS += fuzz/fuzz_csv_batch fuzz/fuzz_folder_map
fuzz_fuzz_csv_batch_SOURCES = fuzz/fuzz_csv_batch.c engine/csv_batch.c
fuzz_fuzz_csv_batch_CFLAGS = $(AM_CFLAGS) -g -fsanitize=fuzzer,address,undefined
fuzz_fuzz_csv_batch_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
fuzz_fuzz_csv_batch_LDADD = libengine.a libnet.a libcommon.a $(MIGSH_EXT_LIBS)
fuzz_fuzz_folder_map_SOURCES = fuzz/fuzz_folder_map.c engine/folder_map.c net/mutf7.c
fuzz_fuzz_folder_map_CFLAGS = $(AM_CFLAGS) -g -fsanitize=fuzzer,address,undefined
fuzz_fuzz_folder_map_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
fuzz_fuzz_folder_map_LDADD = libengine.a libnet.a libcommon.a $(MIGSH_EXT_LIBS)
endif

# incremental passes: statistics, subscriptions, progress (issue 14)
check_PROGRAMS += tests/unit/test_sync_skipset
TESTS += tests/unit/test_sync_skipset
tests_unit_test_sync_skipset_SOURCES = tests/unit/test_sync_skipset.c
tests_unit_test_sync_skipset_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sync_skipset_LDADD = $(SYNC_UNIT_LIBS)
TESTS += tests/integration/sync_incremental_stats.sh tests/integration/sync_subscriptions.sh \
	tests/integration/sync_progress.sh tests/integration/sync_rename.sh \
	tests/integration/sync_deletions.sh tests/integration/e2e_incremental.sh \
	tests/integration/sync_moves.sh
EXTRA_DIST += tests/integration/sync_incremental_stats.sh tests/integration/sync_subscriptions.sh \
	tests/integration/sync_progress.sh tests/integration/sync_rename.sh \
	tests/integration/sync_deletions.sh tests/integration/e2e_incremental.sh \
	tests/integration/sync_moves.sh

# renames recognised by RFC 8474 MAILBOXID, against a scripted source (issue 14)
check_PROGRAMS += tests/unit/test_rename_objectid
TESTS += tests/unit/test_rename_objectid
tests_unit_test_rename_objectid_SOURCES = tests/unit/test_rename_objectid.c tests/unit/scripted_peer.c \
	tests/unit/scripted_peer.h
tests_unit_test_rename_objectid_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_rename_objectid_LDADD = $(SYNC_UNIT_LIBS)

# the sync logic against an in-memory destination and a scripted IMAP source
# (issue 15): engine/dest.h's third implementation, for tests only
SYNC_MEM_SOURCES = tests/unit/test_sync_mem_fixture.c tests/unit/test_sync_mem_fixture.h \
	tests/unit/dest_mem.c tests/unit/dest_mem.h tests/unit/imap_peer.c tests/unit/imap_peer.h
check_PROGRAMS += tests/unit/test_sync_mem tests/unit/test_sync_mem_moves
TESTS += tests/unit/test_sync_mem tests/unit/test_sync_mem_moves
tests_unit_test_sync_mem_SOURCES = tests/unit/test_sync_mem.c $(SYNC_MEM_SOURCES)
tests_unit_test_sync_mem_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -pthread
tests_unit_test_sync_mem_LDADD = $(SYNC_UNIT_LIBS) -lpthread
tests_unit_test_sync_mem_moves_SOURCES = tests/unit/test_sync_mem_moves.c $(SYNC_MEM_SOURCES)
tests_unit_test_sync_mem_moves_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -pthread
tests_unit_test_sync_mem_moves_LDADD = $(SYNC_UNIT_LIBS) -lpthread
check_PROGRAMS += tests/unit/test_sync_mem_target
TESTS += tests/unit/test_sync_mem_target
# dest_imap.c compiled in with a 1 ms quiet interval (its MG_TGT_QUIET_NS)
tests_unit_test_sync_mem_target_SOURCES = tests/unit/test_sync_mem_target.c $(SYNC_MEM_SOURCES) engine/dest_imap.c
tests_unit_test_sync_mem_target_CPPFLAGS = $(AM_CPPFLAGS) -DMG_TGT_QUIET_NS=1000000L
tests_unit_test_sync_mem_target_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -pthread
tests_unit_test_sync_mem_target_LDADD = $(SYNC_UNIT_LIBS) -lpthread
