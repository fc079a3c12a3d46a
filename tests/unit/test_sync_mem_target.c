/*
 * test_sync_mem_target.c - the IMAP destination (engine/dest_imap.c) on a
 * scripted target server (imap_peer.c in target mode), with the scripted
 * source: the interrupted-append cases of the crash-safety argument in
 * sync.c, at exact points no kill -9 can aim at.  A copy the target stored
 * before the run died (never journalled) is found by content and not
 * appended twice; a late copy (the dead run's APPEND stored only after the
 * next run copied the message again) is removed by the settle sweep with
 * UID STORE +FLAGS (\Deleted) and UID EXPUNGE of exactly its uid.
 * tests/integration/sync_crash_slow.sh is the same against real Dovecot.
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

#include "common/mem.h"
#include "test_sync_mem_fixture.h"

static void three_messages(fixture *fx, uint32_t u[3])
{
	peer_add_folder(fx->p, "INBOX", 3, true);
	u[0] = peer_add_msg(fx->p, "INBOX", "one", "\\Seen", 100);
	u[1] = peer_add_msg(fx->p, "INBOX", "two", "", 200);
	u[2] = peer_add_msg(fx->p, "INBOX", "three", "\\Flagged", 300);
}

/* each source message at the target exactly once */
static void assert_target_once(fixture *fx, const uint32_t *u, size_t n, long total)
{
	for (size_t i = 0; i < n; i++) {
		const char *body = peer_body(fx->p, "INBOX", u[i]);
		const char *mid = strstr(body, "Message-ID:");
		char id[128];
		snprintf(id, sizeof id, "%.*s", (int)strcspn(mid, "\r"), mid);
		assert_int_equal(peer_messages(fx->tgt, "INBOX", id), 1);
	}
	assert_int_equal(peer_messages(fx->tgt, "INBOX", "Message-ID:"), total);
}

static void first_copy_into_a_target(void **state)
{
	fixture *fx = *state;
	uint32_t u[3];
	three_messages(fx, u);
	mg_sync_stats st;
	sync_ok(fx, &st);
	assert_int_equal(st.items_copied, 3);
	assert_target_once(fx, u, 3, 3);
	assert_int_equal(peer_count(fx->tgt, "APPEND"), 3);
	mg_sync_stats_free(&st);
	sync_ok(fx, &st);                         /* nothing again */
	assert_int_equal(st.items_copied, 0);
	assert_int_equal(peer_count(fx->tgt, "APPEND"), 3);
	mg_sync_stats_free(&st);
}

static void copy_stored_before_a_crash_is_found_not_appended_twice(void **state)
{
	fixture *fx = *state;
	uint32_t u[3];
	three_messages(fx, u);
	peer_crash_at(fx->tgt, 2, true, &fx->cancel);   /* the 2nd APPEND stored, the run dies before its OK */
	mg_sync_stats st;
	mg_err e;
	assert_int_equal(run(fx, &st, &e), -1);
	assert_int_equal(e.category, MGC_STOPPED);
	mg_sync_stats_free(&st);
	long stored = peer_messages(fx->tgt, "INBOX", "Message-ID:");
	assert_true(stored >= 2);                 /* at least the 1st and the 2nd are there, unjournalled */

	fx->cancel = 0;
	peer_crash_at(fx->tgt, 0, false, NULL);
	sync_ok(fx, &st);
	assert_target_once(fx, u, 3, 3);
	assert_int_equal(st.items_synced, 3);
	assert_int_equal(peer_count(fx->tgt, "APPEND"), 2 + (3 - stored));   /* only the missing one appended */
	char want[96];
	snprintf(want, sizeof want, "%ld of 3 interrupted appends were already at the target", stored);
	if (!strstr(fx->log.buf, want))
		fail_msg("no '%s' in the log:\n%s", want, fx->log.buf);
	mg_sync_stats_free(&st);
}

static void late_copy_is_removed_by_the_sweep(void **state)
{
	fixture *fx = *state;
	uint32_t u[3];
	three_messages(fx, u);
	peer_crash_at(fx->tgt, 1, false, &fx->cancel);  /* the 1st APPEND is stored only later */
	mg_sync_stats st;
	mg_err e;
	assert_int_equal(run(fx, &st, &e), -1);
	mg_sync_stats_free(&st);
	assert_int_equal(peer_messages(fx->tgt, "INBOX", "Message-ID:"), 0);

	fx->cancel = 0;
	peer_crash_at(fx->tgt, 0, false, NULL);
	sync_ok(fx, &st);
	/* the late copy got uid 1 (before the new copies): exactly it is removed */
	assert_int_equal(peer_count(fx->tgt, "UID STORE 1 +FLAGS.SILENT (\\Deleted)") +
	                 peer_count(fx->tgt, "UID STORE 1 +FLAGS (\\Deleted)"), 1);
	assert_int_equal(peer_count(fx->tgt, "UID EXPUNGE 1\n"), 1);
	assert_int_equal(peer_count(fx->tgt, "EXPUNGE"), 1);
	assert_non_null(strstr(fx->log.buf, "removed 1 late copies of interrupted appends"));
	assert_target_once(fx, u, 3, 3);
	mg_sync_stats_free(&st);
}

static void subscriptions_at_a_target(void **state)
{
	fixture *fx = *state;
	peer_add_folder(fx->p, "INBOX", 3, true);
	peer_add_folder(fx->p, "Work", 4, true);
	peer_add_folder(fx->p, "Old", 5, false);
	peer_add_msg(fx->p, "Work", "w", "", 10);
	sync_pass(fx);
	assert_int_equal(peer_count(fx->tgt, "SUBSCRIBE Work") + peer_count(fx->tgt, "SUBSCRIBE \"Work\""), 1);
	assert_int_equal(peer_count(fx->tgt, "SUBSCRIBE Old") + peer_count(fx->tgt, "SUBSCRIBE \"Old\""), 0);
	/* subscribed at the target already: not again; a target subscription is never removed */
	peer_subscribe(fx->p, "Work", false);
	peer_subscribe(fx->p, "Old", true);
	sync_pass(fx);
	assert_int_equal(peer_count(fx->tgt, "SUBSCRIBE Old") + peer_count(fx->tgt, "SUBSCRIBE \"Old\""), 1);
	assert_int_equal(peer_count(fx->tgt, "UNSUBSCRIBE"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(first_copy_into_a_target, target_setup, teardown),
		cmocka_unit_test_setup_teardown(copy_stored_before_a_crash_is_found_not_appended_twice, target_setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(late_copy_is_removed_by_the_sweep, target_setup, teardown),
		cmocka_unit_test_setup_teardown(subscriptions_at_a_target, target_setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
