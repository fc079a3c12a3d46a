/*
 * test_sync_mem_fixture.h - the fixture of the in-memory sync tests
 * (test_sync_mem*.c): the sync engine's logic (engine/sync.c and friends,
 * unchanged) against the in-memory destination (dest_mem.c) and a scripted
 * IMAP source (imap_peer.c).  setup/teardown are cmocka's; teardown fails
 * the test when the source saw a command that is not read-only.
 */
#ifndef MIGSH_TESTS_TEST_SYNC_MEM_FIXTURE_H
#define MIGSH_TESTS_TEST_SYNC_MEM_FIXTURE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "common/str.h"
#include "engine/dest.h"
#include "engine/sync.h"
#include "dest_mem.h"
#include "imap_peer.h"

typedef struct fixture {
	peer *p;
	mg_dest d;
	mem_dest *m;
	mg_conn_params src;
	mg_sync_job job;
	char state[64];
	volatile sig_atomic_t cancel;
	strbuf log;
	/* target_setup: a scripted target server (the destination is then dest_imap.c) */
	peer *tgt;
	mg_conn_params dst;
} fixture;

int setup(void **state);
int teardown(void **state);
/* setup, with the IMAP destination (engine/dest_imap.c) on a scripted target
 * server (imap_peer.h peer_start_target) holding an INBOX */
int target_setup(void **state);
/* one sync; its return code, stats in *st (caller frees), error in *e */
int run(fixture *fx, mg_sync_stats *st, mg_err *e);
/* one sync that must succeed (the test fails with the log otherwise) */
void sync_ok(fixture *fx, mg_sync_stats *st);
/* a sync pass whose statistics are not looked at */
void sync_pass(fixture *fx);
/* every message uids[0..n) of the source folder is at the destination
 * folder exactly once, byte for byte, with flags[i] (when flags); nothing
 * else is there */
void assert_folder_equal(fixture *fx, const char *src, const char *dst, const uint32_t *uids, size_t n,
                         const char *const *flags);

#endif
