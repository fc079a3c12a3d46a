/*
 * test_sync_mem_fixture.c - what the in-memory sync tests share (see
 * test_sync_mem_fixture.h): a scripted source, an in-memory destination and
 * a state directory per test, one sync, and the check that a destination
 * folder holds exactly the source folder's messages.
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

static void logline(void *arg, const char *line)
{
	fixture *fx = arg;
	strbuf_adds(&fx->log, line);
	strbuf_addc(&fx->log, '\n');
}

int setup(void **state)
{
	fixture *fx = xcalloc(1, sizeof *fx);
	fx->p = peer_start();
	mem_dest_init(&fx->d);
	fx->m = mem_dest_of(&fx->d);
	/* journals are fdatasync'ed: on a memory file system when there is one, so the test takes milliseconds */
	snprintf(fx->state, sizeof fx->state, "%s/test_sync_mem.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(fx->state));
	fx->src = (mg_conn_params){ .host = "127.0.0.1", .port = peer_port(fx->p), .security = MG_SEC_NONE,
	                            .connect_timeout_ms = 2000, .io_timeout_ms = 2000 };
	fx->job.src = &fx->src;
	fx->job.src_user = "user1";
	fx->job.src_password = "pw";
	fx->job.state_dir = fx->state;
	fx->job.bad_item_limit = -1;
	fx->job.large_item_limit = -1;
	fx->job.cancel = &fx->cancel;
	fx->job.log = logline;
	fx->job.log_arg = fx;
	strbuf_adds(&fx->log, "");
	*state = fx;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

int target_setup(void **state)
{
	setup(state);
	fixture *fx = *state;
	fx->tgt = peer_start_target();
	peer_add_folder(fx->tgt, "INBOX", 50, true);
	fx->dst = (mg_conn_params){ .host = "127.0.0.1", .port = peer_port(fx->tgt), .security = MG_SEC_NONE,
	                            .connect_timeout_ms = 2000, .io_timeout_ms = 2000 };
	fx->job.dest_kind = MG_DEST_IMAP;
	fx->job.dst = &fx->dst;
	fx->job.dst_user = "target";
	fx->job.dst_password = "pw";
	mg_dest_free(&fx->d);
	fx->m = NULL;
	mg_err e;
	if (mg_dest_imap_init(&fx->job, &fx->d, &e) < 0)
		fail_msg("dest_imap: %s", e.msg);
	return 0;
}

int teardown(void **state)
{
	fixture *fx = *state;
	const char *perr = peer_error(fx->p);
	if (!perr[0] && fx->tgt)
		perr = peer_error(fx->tgt);
	char *e = perr[0] ? xstrdup(perr) : NULL;
	if (fx->tgt)
		peer_stop(fx->tgt);
	peer_stop(fx->p);
	mg_dest_free(&fx->d);
	if (nftw(fx->state, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "cannot remove %s\n", fx->state);
	strbuf_free(&fx->log);
	free(fx);
	if (e) {
		fprintf(stderr, "scripted source: %s\n", e);
		free(e);
		return -1;
	}
	return 0;
}

/* one sync; its return code, stats in *st (caller frees), error in *e */
int run(fixture *fx, mg_sync_stats *st, mg_err *e)
{
	memset(st, 0, sizeof *st);
	mg_err_clear(e);
	return mg_sync_mailbox_to(&fx->job, &fx->d, st, e);
}

void sync_ok(fixture *fx, mg_sync_stats *st)
{
	mg_err e;
	if (run(fx, st, &e) != 0)
		fail_msg("sync failed: %s\nlog:\n%s", e.msg, fx->log.buf);
}

void sync_pass(fixture *fx)
{
	mg_sync_stats st;
	sync_ok(fx, &st);
	mg_sync_stats_free(&st);
}

/* every message of the source folder is at the destination exactly once,
 * byte for byte, with its flags; nothing else is there */
void assert_folder_equal(fixture *fx, const char *src, const char *dst, const uint32_t *uids,
                                size_t n, const char *const *flags)
{
	mem_folder *f = mem_dest_folder(fx->m, dst);
	assert_non_null(f);
	assert_int_equal(f->n, n);
	for (size_t i = 0; i < n; i++) {
		const char *body = peer_body(fx->p, src, uids[i]);
		assert_non_null(body);
		size_t copies = 0;
		for (size_t k = 0; k < f->n; k++)
			copies += strcmp(f->m[k].body, body) == 0;
		assert_int_equal(copies, 1);
		if (flags)
			assert_string_equal(mem_dest_find(fx->m, dst, body)->flags, flags[i]);
	}
}
