/*
 * sync_driver.c - test driver for the sync engine: runs mg_sync_mailbox()
 * for one user from the command line (no shell, no service) and prints the
 * statistics as "key: value" lines, then one "skipped:" line per skipped item.
 *
 *   sync_driver --src-port P --user U --pass-env VAR --state DIR
 *               (--maildir DIR | --target-port P --target-user U --target-pass-env VAR
 *                [--target-authz ADDR])
 *               [--src-host H] [--security None|Ssl|Tls] [--include F]... [--exclude F]...
 *               [--large-bytes N] [--max-items N] [--bad-limit N] [--large-limit N]
 *               [--sync-deletions]
 *               [--after EPOCH] [--before EPOCH] [--userroot R] [--retries N]
 *               [--log] [--trace]
 * Exit: 0 done, 1 the user failed (error printed), 2 usage.  SIGTERM/SIGINT
 * request a stop (the engine returns OperationStopped).
 */
#include "config.h"
#include "engine/sync.h"
#include "common/mem.h"
#include "common/str.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void log_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "log: %s\n", line);
}

static void trace_line(void *arg, const char *line)
{
	fprintf(stderr, "%s %s\n", (const char *)arg, line);
}

static void usage(void)
{
	fputs("usage: sync_driver --src-port P --user U --pass-env VAR --state DIR\n"
	      "       (--maildir DIR | --target-port P --target-user U --target-pass-env VAR)\n"
	      "       [options; see the comment at the top of sync_driver.c]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	mg_conn_params src = { .host = "127.0.0.1", .security = MG_SEC_NONE, .accept_untrusted = false };
	mg_conn_params dst = { .host = "127.0.0.1", .security = MG_SEC_NONE };
	mg_sync_job job;
	memset(&job, 0, sizeof job);
	job.src = &src;
	job.bad_item_limit = -1;
	job.large_item_limit = -1;
	const char *inc[64], *exc[64];
	size_t ninc = 0, nexc = 0;
	mg_date_cond conds[8];
	size_t nconds = 0;
	bool want_log = false, trace = false, have_target = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && v && (i++, 1))
		if (ARG("--src-host")) src.host = v;
		else if (ARG("--src-port")) src.port = atoi(v);
		else if (ARG("--security")) { if (mg_security_parse(v, &src.security) < 0) usage(); }
		else if (ARG("--user")) job.src_user = v;
		else if (ARG("--pass-env")) job.src_password = getenv(v);
		else if (ARG("--maildir")) job.maildir_root = v;
		else if (ARG("--state")) job.state_dir = v;
		else if (ARG("--target-host")) dst.host = v;
		else if (ARG("--target-port")) { dst.port = atoi(v); have_target = true; }
		else if (ARG("--target-security")) { if (mg_security_parse(v, &dst.security) < 0) usage(); }
		else if (ARG("--target-user")) job.dst_user = v;
		else if (ARG("--target-pass-env")) job.dst_password = getenv(v);
		else if (ARG("--target-authz")) job.dst_authz = v;
		else if (ARG("--include")) { if (ninc < 63) inc[ninc++] = v; }
		else if (ARG("--exclude")) { if (nexc < 63) exc[nexc++] = v; }
		else if (ARG("--large-bytes")) job.large_item_bytes = atoll(v);
		else if (ARG("--max-items")) job.max_items = atoll(v);
		else if (ARG("--bad-limit")) job.bad_item_limit = atoll(v);
		else if (ARG("--large-limit")) job.large_item_limit = atoll(v);
		else if (ARG("--after")) { if (nconds < 8) conds[nconds++] = (mg_date_cond){ MG_CMP_GT, atoll(v) }; }
		else if (ARG("--before")) { if (nconds < 8) conds[nconds++] = (mg_date_cond){ MG_CMP_LT, atoll(v) }; }
		else if (ARG("--userroot")) job.src_userroot = v;
		else if (ARG("--retries")) job.max_retries = atoi(v);
		else if (strcmp(a, "--sync-deletions") == 0) job.sync_deletions = true;
		else if (strcmp(a, "--log") == 0) want_log = true;
		else if (strcmp(a, "--trace") == 0) trace = true;
		else usage();
#undef ARG
	}
	if (!src.port || !job.src_user || !job.src_password || !job.state_dir ||
	    (!job.maildir_root && !have_target))
		usage();
	inc[ninc] = NULL;
	exc[nexc] = NULL;
	job.include_folders = ninc ? inc : NULL;
	job.exclude_folders = nexc ? exc : NULL;
	job.date_conds = conds;
	job.n_date_conds = nconds;
	if (have_target) {
		job.dest_kind = MG_DEST_IMAP;
		job.dst = &dst;
		if (!job.dst_user || !job.dst_password)
			usage();
	}
	if (want_log)
		job.log = log_line;
	if (trace) {
		src.trace = trace_line;
		src.trace_arg = "src";
		dst.trace = trace_line;
		dst.trace_arg = "dst";
	}
	job.cancel = &stop_flag;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	mg_sync_stats st;
	memset(&st, 0, sizeof st);
	mg_err err;
	mg_err_clear(&err);
	int rc = mg_sync_mailbox(&job, &st, &err);
	printf("incremental: %d\nfolders_total: %lld\nfolders_synced: %lld\n"
	       "items_in_source: %lld\nitems_synced: %lld\nitems_copied: %lld\nflags_updated: %lld\n"
	       "items_skipped: %lld\nitems_large: %lld\nitems_bad: %lld\nitems_filtered: %lld\n"
	       "items_over_limit: %lld\nitems_excluded: %lld\nbytes_in_source: %lld\n"
	       "bytes_transferred: %lld\nseconds: %lld\ndest_mailbox: %s\n"
	       "items_deleted_at_source: %lld\nitems_expunged: %lld\nitems_moved: %lld\n",
	       st.incremental, st.folders_total, st.folders_synced, st.items_in_source, st.items_synced,
	       st.items_copied, st.flags_updated, st.items_skipped, st.items_large, st.items_bad,
	       st.items_filtered, st.items_over_limit, st.items_excluded, st.bytes_in_source,
	       st.bytes_transferred, (long long)(st.finished - st.started),
	       st.dest_mailbox ? st.dest_mailbox : "", st.items_deleted_at_source, st.items_expunged,
	       st.items_moved);
	for (size_t i = 0; i < st.n_skipped; i++) {
		mg_skipped_item *s = &st.skipped[i];
		printf("skipped: kind=%s folder=%s uid=%" PRIu32 " size=%lld date=%lld reason=%s subject=%s\n",
		       s->kind, s->folder, s->uid, s->size, (long long)s->date, s->reason ? s->reason : "",
		       s->subject ? s->subject : "");
	}
	if (rc < 0)
		printf("error: %s: %s: %s\n", mg_err_category_name(err.category), err.id, err.msg);
	fflush(stdout);
	mg_sync_stats_free(&st);
	return rc < 0 ? 1 : 0;
}
