/*
 * test_sync_mem_moves.c - moves between folders at the source
 * (engine/sync_moves.c) against the in-memory destination's move operations
 * (dest_mem.c) and the scripted source (imap_peer.c), in milliseconds: a
 * message moved at the source is moved at the destination (not copied
 * again, not left behind, not lost), recognised by its size, INTERNALDATE
 * and Message-ID; what cannot be moved is copied; a move stopped halfway
 * is finished by the next pass.  What only a real server can show (the
 * same inode in a Maildir, UID MOVE at a target, QRESYNC, a kill -9 after
 * every journal step) stays in tests/integration/sync_moves.sh.
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/str.h"
#include "test_sync_mem_fixture.h"

/* INBOX (1 message), A (a[0..na)), B (1 message), synced once */
static void two_folders(fixture *fx, uint32_t *a, size_t na, uint32_t *b)
{
	peer_add_folder(fx->p, "INBOX", 3, true);
	peer_add_folder(fx->p, "A", 4, true);
	peer_add_folder(fx->p, "B", 5, true);
	peer_add_msg(fx->p, "INBOX", "in", "", 30);
	for (size_t i = 0; i < na; i++) {
		char s[16];
		snprintf(s, sizeof s, "a%zu", i);
		a[i] = peer_add_msg(fx->p, "A", s, i % 2 ? "\\Seen" : "", 40 + 11 * i);
	}
	*b = peer_add_msg(fx->p, "B", "b", "\\Seen", 20);
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, (long long)na + 2);
	mg_sync_stats_free(&st);
}

static bool pending_file(fixture *fx)
{
	char *p = xasprintf("%s/moves.pending", fx->state);
	bool there = access(p, F_OK) == 0;
	free(p);
	return there;
}

/* ---------------- tests ---------------- */

static void move_at_source_is_a_move_at_destination(void **state)
{
	fixture *fx = *state;
	uint32_t a[3], b[2];
	two_folders(fx, a, 3, &b[0]);
	long stored = fx->m->stored;
	b[1] = peer_move(fx->p, "A", a[1], "B");
	peer_set_flags(fx->p, "B", b[1], "\\Flagged \\Seen");   /* and flagged in its new folder */
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 1);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(st.items_deleted_at_source, 0);          /* a move is not a deletion */
	assert_int_equal(st.items_expunged, 0);
	assert_int_equal(st.items_synced, 5);
	assert_int_equal(fx->m->stored, stored);                  /* nothing written again */
	assert_int_equal(fx->m->moved, 1);
	uint32_t left[2] = { a[0], a[2] };
	assert_folder_equal(fx, "A", "A", left, 2, NULL);
	static const char *const fb[] = { "\\Seen", "\\Flagged \\Seen" };
	assert_folder_equal(fx, "B", "B", b, 2, fb);
	assert_non_null(strstr(fx->log.buf, "folder 'A' -> 'B': 1 message(s) moved at the source; moved at the "
	                                    "destination too"));
	assert_false(pending_file(fx));
	mg_sync_stats_free(&st);

	/* a pass after the move has nothing left to do */
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 0);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(st.items_deleted_at_source, 0);
	assert_int_equal(fx->m->stored, stored);
	assert_int_equal(fx->m->moved, 1);
	assert_folder_equal(fx, "B", "B", b, 2, fb);
	mg_sync_stats_free(&st);
}

/* The move check reads the STATUS answers the count took a moment before in
 * the same pass: one STATUS per folder and pass (two before, the same
 * command twice), and a move is still found with them. */
static void one_status_per_folder_and_pass(void **state)
{
	fixture *fx = *state;
	uint32_t a[3], b[2];
	two_folders(fx, a, 3, &b[0]);                             /* first pass: INBOX, A, B */
	assert_int_equal(peer_count(fx->p, "STATUS"), 3);
	b[1] = peer_move(fx->p, "A", a[0], "B");
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 1);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(peer_count(fx->p, "STATUS"), 6);
	mg_sync_stats_free(&st);
}

static void moves_with_deletion_sync_on_delete_nothing(void **state)
{
	fixture *fx = *state;
	uint32_t a[4], b[3];
	two_folders(fx, a, 4, &b[0]);
	long stored = fx->m->stored;
	b[1] = peer_move(fx->p, "A", a[0], "B");
	b[2] = peer_move(fx->p, "A", a[3], "B");
	peer_expunge(fx->p, "A", a[1]);                      /* and one really deleted */
	fx->job.sync_deletions = true;
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 2);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(st.items_deleted_at_source, 1);
	assert_int_equal(st.items_expunged, 1);
	assert_int_equal(fx->m->stored, stored);
	assert_folder_equal(fx, "A", "A", &a[2], 1, NULL);
	assert_folder_equal(fx, "B", "B", b, 3, NULL);
	mg_sync_stats_free(&st);
}

static void move_into_a_folder_created_since_and_within_a_folder(void **state)
{
	fixture *fx = *state;
	uint32_t a[3], b;
	two_folders(fx, a, 3, &b);
	long stored = fx->m->stored;
	peer_add_folder(fx->p, "New", 9, true);
	uint32_t n = peer_move(fx->p, "A", a[0], "New");
	uint32_t again = peer_move(fx->p, "A", a[2], "A");   /* a new uid in the same folder */
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 2);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(fx->m->stored, stored);
	assert_folder_equal(fx, "New", "New", &n, 1, NULL);
	uint32_t left[2] = { a[1], again };
	assert_folder_equal(fx, "A", "A", left, 2, NULL);
	assert_true(mem_dest_folder(fx->m, "New")->subscribed);
	mg_sync_stats_free(&st);
}

static void move_without_message_id_is_copied_and_old_copy_is_a_deletion(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_folder(fx->p, "A", 4, false);
	peer_add_folder(fx->p, "B", 5, false);
	uint32_t keep = peer_add_msg(fx->p, "A", "kept", "", 10);
	uint32_t anon = peer_add_msg_no_msgid(fx->p, "A", "anonymous", "", 10);
	mg_sync_stats st;
	sync_pass(fx);
	char *body = xstrdup(peer_body(fx->p, "A", anon));
	uint32_t nb = peer_move(fx->p, "A", anon, "B");
	/* deletion sync off: copied into B, its old copy stays in A (counted as deleted at the source) */
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 0);
	assert_int_equal(st.items_copied, 1);
	assert_int_equal(st.items_deleted_at_source, 1);
	assert_int_equal(st.items_expunged, 0);
	assert_folder_equal(fx, "B", "B", &nb, 1, NULL);
	assert_int_equal(mem_dest_folder(fx->m, "A")->n, 2);
	assert_non_null(mem_dest_find(fx->m, "A", body));
	mg_sync_stats_free(&st);
	/* deletion sync on: the old copy goes */
	fx->job.sync_deletions = true;
	sync_ok(fx, &st);
	assert_int_equal(st.items_expunged, 1);
	assert_int_equal(st.items_copied, 0);
	assert_folder_equal(fx, "A", "A", &keep, 1, NULL);
	assert_folder_equal(fx, "B", "B", &nb, 1, NULL);
	assert_int_equal(fx->m->moved, 0);
	free(body);
	mg_sync_stats_free(&st);
}

static void kept_old_copy_and_a_new_deletion_are_both_counted(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, false);
	peer_add_folder(fx->p, "A", 4, false);
	peer_add_folder(fx->p, "B", 5, false);
	uint32_t keep = peer_add_msg(fx->p, "A", "kept", "", 10);
	uint32_t anon = peer_add_msg_no_msgid(fx->p, "A", "anonymous", "", 10);
	mg_sync_stats st;
	sync_pass(fx);
	peer_move(fx->p, "A", anon, "B");
	sync_ok(fx, &st);
	assert_int_equal(st.items_deleted_at_source, 1);
	mg_sync_stats_free(&st);
	/* deletion sync off, one more pass after another deletion: the copy kept
	 * before and the new one are both counted */
	peer_expunge(fx->p, "A", keep);
	sync_ok(fx, &st);
	assert_int_equal(st.items_deleted_at_source, 2);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(st.items_moved, 0);
	assert_int_equal(mem_dest_folder(fx->m, "A")->n, 2);
	mg_sync_stats_free(&st);
}

static void lookalike_with_another_message_id_is_not_a_move(void **state)
{
	fixture *fx = *state;
	uint32_t a[2], b[2];
	two_folders(fx, a, 2, &b[0]);
	b[1] = peer_add_lookalike(fx->p, "A", a[0], "B");   /* same size and date */
	peer_expunge(fx->p, "A", a[0]);
	fx->job.sync_deletions = true;
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 0);
	assert_int_equal(st.items_copied, 1);
	assert_int_equal(st.items_deleted_at_source, 1);
	assert_int_equal(st.items_expunged, 1);
	assert_folder_equal(fx, "A", "A", &a[1], 1, NULL);
	assert_folder_equal(fx, "B", "B", b, 2, NULL);
	mg_sync_stats_free(&st);
}

static void move_whose_copy_is_missing_falls_back_to_a_copy(void **state)
{
	fixture *fx = *state;
	uint32_t a[2], b[2];
	two_folders(fx, a, 2, &b[0]);
	long stored = fx->m->stored;
	mem_dest_delete(fx->m, "A", peer_body(fx->p, "A", a[0]));   /* lost behind migsh's back */
	b[1] = peer_move(fx->p, "A", a[0], "B");
	fx->job.sync_deletions = true;
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 0);
	assert_int_equal(st.items_copied, 1);                 /* copied afresh: nothing lost */
	assert_int_equal(fx->m->stored, stored + 1);
	assert_int_equal(fx->m->moved, 0);
	assert_folder_equal(fx, "B", "B", b, 2, NULL);
	assert_folder_equal(fx, "A", "A", &a[1], 1, NULL);
	assert_false(pending_file(fx));
	mg_sync_stats_free(&st);
}

static void move_failing_halfway_is_finished_by_the_next_pass(void **state)
{
	fixture *fx = *state;
	uint32_t a[5], b[5];
	two_folders(fx, a, 5, &b[0]);
	long stored = fx->m->stored;
	for (int i = 0; i < 4; i++)
		b[1 + i] = peer_move(fx->p, "A", a[i], "B");
	fx->m->move_fail_after = 2;            /* the destination dies after moving two of the four */
	mg_sync_stats st;
	mg_err e;
	assert_int_equal(run(fx, &st, &e), -1);
	assert_string_equal(e.id, "MemMoveFailed");
	assert_int_equal(fx->m->moved, 2);
	assert_int_equal(mem_dest_folder(fx->m, "B")->n, 3);
	assert_int_equal(mem_dest_folder(fx->m, "A")->n, 3);
	assert_true(pending_file(fx));         /* announced, not settled */
	mg_sync_stats_free(&st);

	fx->m->move_fail_after = -1;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 4);   /* two finished, two moved now */
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(st.items_deleted_at_source, 0);
	assert_int_equal(fx->m->stored, stored);
	assert_int_equal(fx->m->moved, 4);
	assert_folder_equal(fx, "A", "A", &a[4], 1, NULL);
	assert_folder_equal(fx, "B", "B", b, 5, NULL);
	assert_false(pending_file(fx));
	mg_sync_stats_free(&st);

	sync_ok(fx, &st);                      /* and nothing is left to do */
	assert_int_equal(st.items_moved, 0);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(st.items_synced, 7);
	mg_sync_stats_free(&st);
}

static void move_failing_before_any_step_loses_nothing(void **state)
{
	fixture *fx = *state;
	uint32_t a[2], b[2];
	two_folders(fx, a, 2, &b[0]);
	b[1] = peer_move(fx->p, "A", a[1], "B");
	fx->m->move_fail_after = 0;
	mg_sync_stats st;
	mg_err e;
	assert_int_equal(run(fx, &st, &e), -1);
	mg_sync_stats_free(&st);
	/* the destination changed its mind: the copy is gone meanwhile; the next pass copies */
	mem_dest_delete(fx->m, "A", peer_body(fx->p, "B", b[1]));
	fx->m->move_fail_after = -1;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 0);
	assert_int_equal(st.items_copied, 1);
	assert_folder_equal(fx, "A", "A", &a[0], 1, NULL);
	assert_folder_equal(fx, "B", "B", b, 2, NULL);
	assert_false(pending_file(fx));
	mg_sync_stats_free(&st);
}

static void move_across_a_rename(void **state)
{
	fixture *fx = *state;
	uint32_t a[5], b[2];
	two_folders(fx, a, 5, &b[0]);
	long stored = fx->m->stored;
	/* without OBJECTID a rename is recognised by the mapped messages still
	 * there (sync_rename.c), the moved one aside */
	peer_rename_folder(fx->p, "A", "Renamed");
	b[1] = peer_move(fx->p, "Renamed", a[1], "B");
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 1);
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(fx->m->stored, stored);
	assert_null(mem_dest_folder(fx->m, "A"));
	uint32_t left[4] = { a[0], a[2], a[3], a[4] };
	assert_folder_equal(fx, "Renamed", "Renamed", left, 4, NULL);
	assert_folder_equal(fx, "B", "B", b, 2, NULL);
	mg_sync_stats_free(&st);
}

static void destination_without_moves_copies_and_deletes(void **state)
{
	fixture *fx = *state;
	mem_dest_no_moves(&fx->d);
	uint32_t a[2], b[2];
	two_folders(fx, a, 2, &b[0]);
	long stored = fx->m->stored;
	b[1] = peer_move(fx->p, "A", a[0], "B");
	fx->job.sync_deletions = true;
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_moved, 0);
	assert_int_equal(st.items_copied, 1);
	assert_int_equal(st.items_deleted_at_source, 1);
	assert_int_equal(st.items_expunged, 1);
	assert_int_equal(fx->m->stored, stored + 1);
	assert_folder_equal(fx, "A", "A", &a[1], 1, NULL);
	assert_folder_equal(fx, "B", "B", b, 2, NULL);
	mg_sync_stats_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(move_at_source_is_a_move_at_destination, setup, teardown),
		cmocka_unit_test_setup_teardown(one_status_per_folder_and_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(moves_with_deletion_sync_on_delete_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(move_into_a_folder_created_since_and_within_a_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(move_without_message_id_is_copied_and_old_copy_is_a_deletion, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(kept_old_copy_and_a_new_deletion_are_both_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(lookalike_with_another_message_id_is_not_a_move, setup, teardown),
		cmocka_unit_test_setup_teardown(move_whose_copy_is_missing_falls_back_to_a_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(move_failing_halfway_is_finished_by_the_next_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(move_failing_before_any_step_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(move_across_a_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(destination_without_moves_copies_and_deletes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
