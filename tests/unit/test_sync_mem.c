/*
 * test_sync_mem.c - the sync engine's logic (engine/sync.c and friends,
 * unchanged) against the in-memory destination (dest_mem.c) and a
 * scripted IMAP source (imap_peer.c), in milliseconds: what the Dovecot
 * scripts check about copying, without a real server.  Each test runs
 * mg_sync_mailbox_to one or more times with a state directory of its own
 * and checks what a user sees at the destination: message counts, the
 * exact bytes, flags, no duplicates, and the statistics.  Moves between
 * folders: test_sync_mem_moves.c; the IMAP destination on a scripted
 * target: test_sync_mem_target.c; the shared fixture:
 * test_sync_mem_fixture.{c,h}.
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/mem.h"
#include "engine/dest.h"
#include "engine/sync.h"
#include "dest_mem.h"
#include "imap_peer.h"
#include "test_sync_mem_fixture.h"

static void three_folders(fixture *fx, uint32_t in[3], uint32_t wk[2], uint32_t pj[2])
{
	peer_add_folder(fx->p, "INBOX", 7, true);
	peer_add_folder(fx->p, "Work", 8, true);
	peer_add_folder(fx->p, "Work/Projects", 9, false);
	in[0] = peer_add_msg(fx->p, "INBOX", "hello", "\\Seen", 100);
	in[1] = peer_add_msg(fx->p, "INBOX", "second", "", 2000);
	in[2] = peer_add_msg(fx->p, "INBOX", "third", "\\Answered $Work \\Seen", 10);
	wk[0] = peer_add_msg(fx->p, "Work", "plan", "\\Flagged", 300);
	wk[1] = peer_add_msg(fx->p, "Work", "minutes", "", 50);
	pj[0] = peer_add_msg(fx->p, "Work/Projects", "alpha", "\\Draft", 700);
	pj[1] = peer_add_msg(fx->p, "Work/Projects", "beta", "\\Seen", 0);
}

/* ---------------- tests ---------------- */

static void first_sync_of_several_folders(void **state)
{
	fixture *fx = *state;
	uint32_t in[3], wk[2], pj[2];
	three_folders(fx, in, wk, pj);
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_false(st.incremental);
	assert_int_equal(st.folders_synced, 3);
	assert_int_equal(st.items_in_source, 7);
	assert_int_equal(st.items_copied, 7);
	assert_int_equal(st.items_synced, 7);
	assert_int_equal(st.items_skipped, 0);
	static const char *const fin[] = { "\\Seen", "", "$Work \\Answered \\Seen" };
	static const char *const fwk[] = { "\\Flagged", "" };
	static const char *const fpj[] = { "\\Draft", "\\Seen" };
	assert_folder_equal(fx, "INBOX", "", in, 3, fin);
	assert_folder_equal(fx, "Work", "Work", wk, 2, fwk);
	assert_folder_equal(fx, "Work/Projects", "Work/Projects", pj, 2, fpj);
	assert_int_equal(fx->m->stored, 7);
	/* subscriptions as at the source */
	assert_true(mem_dest_folder(fx->m, "")->subscribed);
	assert_true(mem_dest_folder(fx->m, "Work")->subscribed);
	assert_false(mem_dest_folder(fx->m, "Work/Projects")->subscribed);
	/* read-only at the source: bodies with BODY.PEEK only */
	assert_int_equal(peer_count(fx->p, "BODY[]"), 0);
	assert_true(peer_count(fx->p, "BODY.PEEK[]") > 0);
	mg_sync_stats_free(&st);
}

static void incremental_pass_carries_new_mail_and_flags(void **state)
{
	fixture *fx = *state;
	uint32_t in[4], wk[2], pj[2];
	three_folders(fx, in, wk, pj);
	mg_sync_stats st;
	sync_pass(fx);

	in[3] = peer_add_msg(fx->p, "INBOX", "new one", "", 400);
	peer_set_flags(fx->p, "INBOX", in[1], "\\Seen \\Flagged");
	peer_set_flags(fx->p, "Work", wk[0], "");
	sync_ok(fx, &st);
	assert_true(st.incremental);
	assert_int_equal(st.items_copied, 1);
	assert_int_equal(st.flags_updated, 2);
	assert_int_equal(st.items_synced, 8);
	static const char *const fin[] = { "\\Seen", "\\Flagged \\Seen", "$Work \\Answered \\Seen", "" };
	static const char *const fwk[] = { "", "" };
	assert_folder_equal(fx, "INBOX", "", in, 4, fin);
	assert_folder_equal(fx, "Work", "Work", wk, 2, fwk);
	mg_sync_stats_free(&st);

	/* nothing changed: nothing copied, nothing re-flagged, nothing doubled */
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(st.flags_updated, 0);
	assert_int_equal(st.items_synced, 8);
	assert_int_equal(fx->m->stored, 8);
	assert_folder_equal(fx, "INBOX", "", in, 4, fin);
	mg_sync_stats_free(&st);
}

static void message_over_the_size_limit_is_skipped(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	uint32_t small[2];
	small[0] = peer_add_msg(fx->p, "INBOX", "small", "", 100);
	uint32_t big = peer_add_msg(fx->p, "INBOX", "too big", "", 5000);
	small[1] = peer_add_msg(fx->p, "INBOX", "small too", "", 200);
	fx->job.large_item_bytes = 2000;
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 2);
	assert_int_equal(st.items_large, 1);
	assert_int_equal(st.items_skipped, 1);
	assert_int_equal(st.n_skipped, 1);
	assert_string_equal(st.skipped[0].kind, "LargeItem");
	assert_int_equal(st.skipped[0].uid, big);
	assert_string_equal(st.skipped[0].subject, "too big");
	assert_folder_equal(fx, "INBOX", "", small, 2, NULL);
	assert_int_equal(mem_dest_count(fx->m, "", "Subject: too big"), 0);
	mg_sync_stats_free(&st);
}

static void destination_failing_mid_copy_resumes_without_duplicates(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	uint32_t u[10];
	for (int i = 0; i < 10; i++) {
		char s[16];
		snprintf(s, sizeof s, "msg %d", i);
		u[i] = peer_add_msg(fx->p, "INBOX", s, i % 2 ? "\\Seen" : "", 100 + 37 * (size_t)i);
	}
	fx->m->fail_after = 4;
	mg_sync_stats st;
	mg_err e;
	assert_int_equal(run(fx, &st, &e), -1);
	assert_string_equal(e.id, "MemDestFull");
	assert_int_equal(mem_dest_folder(fx->m, "")->n, 4);   /* stored, never journalled */
	mg_sync_stats_free(&st);

	fx->m->fail_after = -1;
	sync_ok(fx, &st);
	assert_int_equal(st.items_synced, 10);
	assert_folder_equal(fx, "INBOX", "", u, 10, NULL);
	assert_int_equal(fx->m->stored, 10);   /* the 4 were found again, not written twice */
	mg_sync_stats_free(&st);
}

static void cancelled_sync_stops_then_resumes(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_folder(fx->p, "Later", 4, false);
	uint32_t u[8], l[2];
	for (int i = 0; i < 8; i++)
		u[i] = peer_add_msg(fx->p, "INBOX", "x", "", 64 * (size_t)i);
	l[0] = peer_add_msg(fx->p, "Later", "l1", "", 10);
	l[1] = peer_add_msg(fx->p, "Later", "l2", "", 20);
	fx->m->cancel = &fx->cancel;
	fx->m->cancel_after = 3;
	mg_sync_stats st;
	mg_err e;
	assert_int_equal(run(fx, &st, &e), -1);
	assert_int_equal(e.category, MGC_STOPPED);
	assert_null(mem_dest_folder(fx->m, "Later"));       /* stopped before the next folder */
	assert_true(mem_dest_folder(fx->m, "")->n < 8);
	mg_sync_stats_free(&st);

	fx->cancel = 0;
	fx->m->cancel_after = -1;
	sync_ok(fx, &st);
	assert_folder_equal(fx, "INBOX", "", u, 8, NULL);
	assert_folder_equal(fx, "Later", "Later", l, 2, NULL);
	assert_int_equal(st.items_synced, 10);
	assert_int_equal(fx->m->stored, 10);
	mg_sync_stats_free(&st);
}

static void refused_folder_name_is_skipped_and_reported(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_folder(fx->p, "Refused", 4, false);
	uint32_t u = peer_add_msg(fx->p, "INBOX", "kept", "", 10);
	peer_add_msg(fx->p, "Refused", "lost", "", 10);
	peer_add_msg(fx->p, "Refused", "lost too", "", 10);
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_folder_equal(fx, "INBOX", "", &u, 1, NULL);
	assert_null(mem_dest_folder(fx->m, "Refused"));
	assert_int_equal(st.n_skipped, 1);
	assert_string_equal(st.skipped[0].kind, "FolderNameInvalid");
	assert_non_null(strstr(st.skipped[0].reason, "the memory destination refuses this name"));
	assert_non_null(strstr(st.skipped[0].reason, "2 items not migrated"));
	mg_sync_stats_free(&st);
}

static void new_uidvalidity_matches_existing_copies(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	uint32_t u[3];
	u[0] = peer_add_msg(fx->p, "INBOX", "a", "", 10);
	u[1] = peer_add_msg(fx->p, "INBOX", "b", "", 10);   /* same size as a, other bytes */
	u[2] = peer_add_msg(fx->p, "INBOX", "c", "\\Seen", 99);
	mg_sync_stats st;
	sync_pass(fx);
	peer_renumber(fx->p, "INBOX", 44);
	peer_set_flags(fx->p, "INBOX", 1, "\\Flagged");
	uint32_t n4 = peer_add_msg(fx->p, "INBOX", "d", "", 10);
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 1);              /* only the new one */
	assert_int_equal(fx->m->stored, 4);
	uint32_t now[4] = { 1, 2, 3, n4 };
	static const char *const fl[] = { "\\Flagged", "", "\\Seen", "" };
	assert_folder_equal(fx, "INBOX", "", now, 4, fl);
	(void)u;
	mg_sync_stats_free(&st);
	/* and the state is clean afterwards: nothing more to do */
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(fx->m->stored, 4);
	assert_folder_equal(fx, "INBOX", "", now, 4, fl);
	mg_sync_stats_free(&st);
}

static void deletion_sync_removes_exactly_the_deleted(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	uint32_t u[4];
	for (int i = 0; i < 4; i++)
		u[i] = peer_add_msg(fx->p, "INBOX", "m", "", 10 + (size_t)i);
	mg_sync_stats st;
	sync_pass(fx);
	mem_dest_put(fx->m, "", "Subject: not ours\r\n\r\nx\r\n");   /* never touched */
	char *gone = xstrdup(peer_body(fx->p, "INBOX", u[1]));
	peer_expunge(fx->p, "INBOX", u[1]);
	fx->job.sync_deletions = true;
	sync_ok(fx, &st);
	assert_int_equal(st.items_deleted_at_source, 1);
	assert_int_equal(st.items_expunged, 1);
	assert_non_null(strstr(fx->log.buf, "folder 'INBOX': 1 message(s) deleted or moved away at the source since "
	                                    "they were copied; 1 deleted at the destination too (deletion sync)"));
	assert_null(mem_dest_find(fx->m, "", gone));
	assert_non_null(mem_dest_find(fx->m, "", "Subject: not ours\r\n\r\nx\r\n"));
	mem_dest_delete(fx->m, "", "Subject: not ours\r\n\r\nx\r\n");
	uint32_t left[3] = { u[0], u[2], u[3] };
	assert_folder_equal(fx, "INBOX", "", left, 3, NULL);
	free(gone);
	mg_sync_stats_free(&st);
	/* a pass after it has nothing left to do */
	sync_ok(fx, &st);
	assert_int_equal(st.items_deleted_at_source, 0);
	assert_int_equal(st.items_expunged, 0);
	assert_int_equal(st.items_copied, 0);
	assert_folder_equal(fx, "INBOX", "", left, 3, NULL);
	mg_sync_stats_free(&st);
}

static void deletion_sync_off_keeps_counts_and_reports(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_folder(fx->p, "A", 4, false);
	uint32_t u[3];
	for (int i = 0; i < 3; i++)
		u[i] = peer_add_msg(fx->p, "A", "m", "", 10 + (size_t)i);
	mg_sync_stats st;
	sync_pass(fx);
	char *gone = xstrdup(peer_body(fx->p, "A", u[0]));
	peer_expunge(fx->p, "A", u[0]);
	uint32_t nu = peer_add_msg(fx->p, "A", "new", "", 5);
	sync_ok(fx, &st);
	assert_int_equal(st.items_deleted_at_source, 1);
	assert_int_equal(st.items_expunged, 0);
	assert_int_equal(st.items_copied, 1);
	assert_non_null(strstr(fx->log.buf, "folder 'A': 1 message(s) deleted or moved away at the source since they "
	                                    "were copied; kept at the destination (deletion sync is off)"));
	assert_non_null(mem_dest_find(fx->m, "A", gone));
	assert_int_equal(mem_dest_folder(fx->m, "A")->n, 4);       /* the source's 3 and the deleted one */
	mg_sync_stats_free(&st);
	/* kept copies are counted by every pass (sync_deletions.c), still kept */
	sync_ok(fx, &st);
	assert_int_equal(st.items_deleted_at_source, 1);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(mem_dest_folder(fx->m, "A")->n, 4);
	(void)nu;
	free(gone);
	mg_sync_stats_free(&st);
}

static void folder_renamed_at_source_is_renamed_not_copied_again(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_folder(fx->p, "Old", 4, false);
	uint32_t u[3];
	for (int i = 0; i < 3; i++)
		u[i] = peer_add_msg(fx->p, "Old", "kept", "\\Seen", 20 + (size_t)i);
	mg_sync_stats st;
	sync_pass(fx);
	peer_rename_folder(fx->p, "Old", "New");
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(st.items_synced, 3);
	assert_null(mem_dest_folder(fx->m, "Old"));
	assert_folder_equal(fx, "New", "New", u, 3, NULL);
	assert_int_equal(fx->m->stored, 3);
	mg_sync_stats_free(&st);
}

/* A rename at the same time as deletions in the folder (without OBJECTID):
 * the rename is still recognised by the messages that are left, so nothing
 * is copied twice and no old copy of the folder is left behind. */
static void folder_renamed_while_messages_are_deleted(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_folder(fx->p, "Old", 4, false);
	uint32_t u[5];
	for (int i = 0; i < 5; i++)
		u[i] = peer_add_msg(fx->p, "Old", "kept", "\\Seen", 20 + (size_t)i);
	mg_sync_stats st;
	sync_pass(fx);
	peer_expunge(fx->p, "Old", u[0]);   /* the first and the last mapped message */
	peer_expunge(fx->p, "Old", u[4]);
	peer_rename_folder(fx->p, "Old", "New");
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 0);
	assert_null(mem_dest_folder(fx->m, "Old"));
	assert_non_null(mem_dest_folder(fx->m, "New"));
	assert_int_equal(fx->m->stored, 5);   /* nothing stored a second time */
	mg_sync_stats_free(&st);
}

/* The same UIDVALIDITY is not enough: a new folder where a message under
 * one of the journal's uids differs (size or date) is another folder, copied
 * as new. */
static void same_uidvalidity_other_messages_is_not_a_rename(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_folder(fx->p, "Old", 4, false);
	uint32_t u[3];
	for (int i = 0; i < 3; i++)
		u[i] = peer_add_msg(fx->p, "Old", "kept", "", 20 + (size_t)i);
	mg_sync_stats st;
	sync_pass(fx);
	peer_rename_folder(fx->p, "Old", "Other");   /* same UIDVALIDITY and uids ... */
	peer_set_date(fx->p, "Other", u[0], 20);     /* ... one message of another date */
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 3);
	assert_non_null(mem_dest_folder(fx->m, "Old"));   /* the old copy is kept, as for any deleted folder */
	assert_int_equal(mem_dest_folder(fx->m, "Other")->n, 3);
	mg_sync_stats_free(&st);
}

static void item_limit_keeps_the_newest(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	uint32_t u[5];
	for (int i = 0; i < 5; i++)
		u[i] = peer_add_msg(fx->p, "INBOX", "n", "", 10);   /* later uids have later dates */
	fx->job.max_items = 3;
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 3);
	assert_int_equal(st.items_over_limit, 2);
	assert_folder_equal(fx, "INBOX", "", u + 2, 3, NULL);
	for (size_t i = 0; i < st.n_skipped; i++)
		assert_string_equal(st.skipped[i].kind, "OverItemLimit");
	assert_int_equal(st.n_skipped, 2);
	mg_sync_stats_free(&st);
}

static void item_limit_counts_the_whole_mailbox_newest_first(void **state)
{
	fixture *fx = *state;
	/* Archive is copied before INBOX, but its mail is older: the limit keeps INBOX's */
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_folder(fx->p, "Archive", 4, false);
	uint32_t in[5], ar[3];
	for (int i = 0; i < 4; i++) {
		in[i] = peer_add_msg(fx->p, "INBOX", "inbox", "", 10);
		peer_set_date(fx->p, "INBOX", in[i], 10 + (uint32_t)i);
	}
	for (int i = 0; i < 3; i++) {
		ar[i] = peer_add_msg(fx->p, "Archive", "archive", "", 10);
		peer_set_date(fx->p, "Archive", ar[i], 1 + (uint32_t)i);
	}
	fx->job.max_items = 4;
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 4);
	assert_int_equal(st.items_over_limit, 3);
	assert_int_equal(st.n_skipped, 3);
	for (size_t i = 0; i < st.n_skipped; i++) {
		assert_string_equal(st.skipped[i].kind, "OverItemLimit");
		assert_string_equal(st.skipped[i].folder, "Archive");
	}
	assert_folder_equal(fx, "INBOX", "", in, 4, NULL);
	assert_int_equal(mem_dest_count(fx->m, "Archive", "Subject: archive"), 0);
	assert_non_null(strstr(fx->log.buf, "the newest 4 across all folders are migrated"));
	mg_sync_stats_free(&st);
	/* new mail later is the newest: copied; what was copied stays */
	in[4] = peer_add_msg(fx->p, "INBOX", "inbox", "", 10);
	peer_set_date(fx->p, "INBOX", in[4], 20);
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 1);
	assert_folder_equal(fx, "INBOX", "", in, 5, NULL);
	mg_sync_stats_free(&st);
}

static void large_item_limit_exceeded_fails_the_user(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_msg(fx->p, "INBOX", "small", "", 10);
	peer_add_msg(fx->p, "INBOX", "big", "", 3000);
	fx->job.large_item_bytes = 1000;
	fx->job.large_item_limit = 0;
	mg_sync_stats st;
	mg_err e;
	assert_int_equal(run(fx, &st, &e), -1);
	assert_int_equal(e.category, MGC_LIMIT);
	assert_string_equal(e.id, "LargeItemLimitExceeded");
	assert_int_equal(st.items_large, 1);
	assert_int_equal(mem_dest_count(fx->m, "", "Subject: big"), 0);
	mg_sync_stats_free(&st);
}

static void subscriptions_follow_the_source(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, true);
	peer_add_folder(fx->p, "Work", 4, true);
	peer_add_folder(fx->p, "Work/Projects", 5, false);
	peer_add_folder(fx->p, "Private", 6, true);      /* subscribed, not migrated */
	peer_add_msg(fx->p, "Work", "w", "", 10);
	peer_add_msg(fx->p, "Private", "p", "", 10);
	static const char *const excl[] = { "Private", NULL };
	fx->job.exclude_folders = excl;
	mg_sync_stats st;
	sync_pass(fx);
	assert_true(mem_dest_folder(fx->m, "")->subscribed);
	assert_true(mem_dest_folder(fx->m, "Work")->subscribed);
	assert_false(mem_dest_folder(fx->m, "Work/Projects")->subscribed);
	assert_null(mem_dest_folder(fx->m, "Private"));
	assert_int_equal(peer_count(fx->p, "LSUB"), 1);

	/* changed at the source: the next pass mirrors it */
	peer_subscribe(fx->p, "Work", false);
	peer_subscribe(fx->p, "Work/Projects", true);
	sync_pass(fx);
	assert_true(mem_dest_folder(fx->m, "")->subscribed);
	assert_false(mem_dest_folder(fx->m, "Work")->subscribed);
	assert_true(mem_dest_folder(fx->m, "Work/Projects")->subscribed);
	assert_null(mem_dest_folder(fx->m, "Private"));

	/* a source that refuses LSUB costs the subscriptions only: reported, kept as they were */
	peer_refuse(fx->p, "LSUB");
	peer_subscribe(fx->p, "Work", true);
	sync_ok(fx, &st);
	assert_int_equal(st.items_synced, 1);
	mg_sync_stats_free(&st);
	assert_non_null(strstr(fx->log.buf, "subscriptions not carried: the source refused LSUB"));
	assert_false(mem_dest_folder(fx->m, "Work")->subscribed);
	assert_true(mem_dest_folder(fx->m, "Work/Projects")->subscribed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(first_sync_of_several_folders, setup, teardown),
		cmocka_unit_test_setup_teardown(incremental_pass_carries_new_mail_and_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(message_over_the_size_limit_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(destination_failing_mid_copy_resumes_without_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(cancelled_sync_stops_then_resumes, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_folder_name_is_skipped_and_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(new_uidvalidity_matches_existing_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(deletion_sync_removes_exactly_the_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(folder_renamed_at_source_is_renamed_not_copied_again, setup, teardown),
		cmocka_unit_test_setup_teardown(folder_renamed_while_messages_are_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(same_uidvalidity_other_messages_is_not_a_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(item_limit_keeps_the_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(item_limit_counts_the_whole_mailbox_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(large_item_limit_exceeded_fails_the_user, setup, teardown),
		cmocka_unit_test_setup_teardown(deletion_sync_off_keeps_counts_and_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(subscriptions_follow_the_source, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
