/*
 * worker.c - one user's sync pass in a service thread: build the
 * mg_sync_job from the endpoint, batch and user records, run
 * mg_sync_mailbox, write progress now and then (never per message), and
 * record the outcome (status, counters, skipped items, error) in the store.
 * The store lock is taken only around record reads and writes, never
 * across network I/O.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err_class.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/consistency.h"
#include "engine/lifecycle.h"
#include "engine/service_internal.h"
#include "engine/sync.h"

typedef struct wctx {
	svc_job *job;
	int64_t  last_write;
	int64_t  pass_started;
	long long base_bytes;      /* BytesTransferred before this pass */
} wctx;

#define KEEP_MAX(field, v) (field = (v) > field ? (v) : field)

/* A complete pass describes the whole mailbox (the sync engine looks at
 * everything it skipped before again), so its skipped counts replace the
 * stored ones.  During a pass, or after one that failed, they can only
 * grow: the counts and the DataConsistencyScore never improve unless the
 * mail really arrived or left the source. */
static void copy_counts(mg_user *u, const mg_sync_stats *s, long long base_bytes, bool complete)
{
	u->bytes_transferred = base_bytes + s->bytes_transferred;
	if (complete) {
		u->synced_items = s->items_synced;
		u->total_in_source = s->items_in_source;
		u->bytes_in_source = s->bytes_in_source;
	} else {   /* during a pass the totals are the mailbox's, counted first (sync_count.c) */
		u->synced_items = s->items_synced + s->items_in_progress;
		u->total_in_source = s->items_in_source > s->items_expected ? s->items_in_source : s->items_expected;
		u->bytes_in_source = s->bytes_in_source > s->bytes_expected ? s->bytes_in_source : s->bytes_expected;
	}
	if (complete) {
		u->skipped_items = s->items_skipped;
		u->items_large = s->items_large;
		u->items_bad = s->items_bad;
		u->items_filtered = s->items_filtered;
		u->items_over_limit = s->items_over_limit;
		u->items_excluded = s->items_excluded;
		if (u->approved_skipped_count > u->skipped_items)
			u->approved_skipped_count = u->skipped_items;
	} else {
		KEEP_MAX(u->skipped_items, s->items_skipped);
		KEEP_MAX(u->items_large, s->items_large);
		KEEP_MAX(u->items_bad, s->items_bad);
		KEEP_MAX(u->items_filtered, s->items_filtered);
		KEEP_MAX(u->items_over_limit, s->items_over_limit);
		KEEP_MAX(u->items_excluded, s->items_excluded);
	}
	u->folders_total = s->folders_total;
	u->folders_synced = s->folders_synced;
	u->last_pass_copied = s->items_copied;
	u->last_pass_flags = s->flags_updated;
	if (s->dest_mailbox) {
		free(u->target_mailbox);
		u->target_mailbox = xstrdup(s->dest_mailbox);
	}
}

static void on_progress(void *arg, const struct mg_sync_stats *s)
{
	wctx *w = arg;
	int64_t now = mg_now();
	if (now - w->last_write < w->job->progress_write_seconds)
		return;
	w->last_write = now;
	mg_store *st = w->job->st;
	if (mg_store_lock(st, NULL) < 0)
		return;
	mg_user *u = NULL;
	if (mg_store_user_load(st, w->job->batch, w->job->email, &u, NULL) == 0) {
		copy_counts(u, s, w->base_bytes, false);
		u->in_progress_seconds += now - (w->pass_started > u->sync_started ? w->pass_started : u->sync_started);
		w->pass_started = now;
		(void)mg_store_user_save(st, u, NULL);
	}
	mg_user_free(u);
	mg_store_unlock(st);
}

static void on_log(void *arg, const char *line)
{
	wctx *w = arg;
	(void)mg_store_user_report_append(w->job->st, w->job->batch, w->job->email, line, NULL);
}

/* The stored skipped items: after a complete pass exactly its list (what is
 * skipped in the mailbox now: an item copied since, or gone from the
 * source, leaves it); after a failed pass the old list plus this pass's
 * items (key: folder, uid, kind). */
static size_t merge_skipped(mg_store *st, const char *batch, const char *email, const mg_sync_stats *s,
                            bool complete)
{
	mg_skipped_rec *old = NULL;
	size_t n = 0;
	if (complete || mg_store_skipped_load(st, batch, email, &old, &n, NULL) < 0) {
		old = NULL;
		n = 0;
	}
	if (!s->n_skipped && !complete)
		goto out;
	old = xrealloc(old, (n + s->n_skipped + 1) * sizeof *old);
	for (size_t i = 0; i < s->n_skipped; i++) {
		const mg_skipped_item *it = &s->skipped[i];
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = old[j].uid == it->uid && !strcmp(old[j].folder ? old[j].folder : "", it->folder ? it->folder : "") &&
			      !strcmp(old[j].kind ? old[j].kind : "", it->kind ? it->kind : "");
		if (dup)
			continue;
		mg_skipped_rec *r = &old[n++];
		memset(r, 0, sizeof *r);
		r->folder = xstrdup(it->folder);
		r->uid = it->uid;
		r->subject = xstrdup(it->subject);
		r->size = it->size;
		r->date = it->date;
		r->kind = xstrdup(it->kind);
		r->reason = xstrdup(it->reason);
	}
	(void)mg_store_skipped_save(st, batch, email, old, n, NULL);
out:
	mg_skipped_recs_free(old, n);
	return n;
}

/* Up to max bytes of s, cut after a whole word (and a whole UTF-8 character), "..." when cut. */
static char *clip(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return xstrdup(s);
	size_t k = max - 3;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	size_t w = k;
	while (w > max / 2 && s[w] != ' ')
		w--;
	if (s[w] == ' ')
		k = w;
	return xasprintf("%.*s...", (int)k, s);
}

/* ErrorSummary: one sentence per class of error (common/err_class.h), naming
 * the server when the engine knows which one it was. */
char *mg_worker_error_summary(const mg_err *e)
{
	const char *who = e->side == MG_SIDE_TARGET ? "target" : e->side == MG_SIDE_SOURCE ? "source" : NULL;
	char *detail = clip(e->msg, 200), *out;
	switch (mg_err_classify(e)) {
	case MG_EC_AUTH:
		out = who && e->side == MG_SIDE_TARGET
		    ? xstrdup("Authentication failed: the target server refused the login of the target endpoint "
		              "(its admin credentials, or the user's mailbox at the target).")
		    : who ? xstrdup("Authentication failed: the source server refused the UserName/Password.")
		          : xasprintf("Authentication failed: %s", detail);
		break;
	case MG_EC_UNREACHABLE:
		out = who ? xasprintf("The %s server could not be reached: %s", who, detail)
		          : xasprintf("A server could not be reached: %s", detail);
		break;
	case MG_EC_DISCONNECTED:
		out = xasprintf("The connection was lost during the transfer and the retries did not succeed: %s", detail);
		break;
	case MG_EC_TIMEOUT:
		out = xasprintf("The server stopped answering (timeout) and the retries did not succeed: %s", detail);
		break;
	case MG_EC_SECURITY:
		out = xasprintf("The %s%sserver's TLS certificate or TLS settings were not accepted: %s",
		                who ? who : "", who ? " " : "", detail);
		break;
	case MG_EC_BAD_LIMIT:
		out = xstrdup("Too many bad items: more than the BadItemLimit (see the skipped items).");
		break;
	case MG_EC_LARGE_LIMIT:
		out = xstrdup("Too many large items: more than the LargeItemLimit (see the skipped items).");
		break;
	case MG_EC_LIMIT:
		out = xasprintf("A size limit was exceeded: %s", detail);
		break;
	case MG_EC_REFUSED:
		out = xasprintf("The server refused a command: %s", detail);
		break;
	case MG_EC_PROTOCOL:
		out = xasprintf("The server's answer could not be understood: %s", detail);
		break;
	case MG_EC_STORAGE:
		out = xasprintf("Writing the local copy or the sync state failed: %s", detail);
		break;
	default:
		out = detail;
		detail = NULL;
		break;
	}
	free(detail);
	return out;
}

/* -AcceptUntrustedCertificates: said in the user's report and the service log on every pass. */
static void warn_untrusted(wctx *w, const mg_endpoint *ep, const char *role)
{
	if (!ep || !ep->accept_untrusted)
		return;
	char *line = xasprintf("WARNING: CERTIFICATE VERIFICATION IS OFF for the %s endpoint %s (%s:%d, "
	                       "-AcceptUntrustedCertificates): any machine on the network path can pretend to be "
	                       "this server and read the passwords sent to it.", role, ep->name ? ep->name : "",
	                       ep->remote_server ? ep->remote_server : "", ep->port);
	on_log(w, line);
	mg_svc_log("%s/%s: %s", w->job->batch, w->job->email, line);
	free(line);
}

void *mg_svc_worker(void *arg)
{
	svc_job *job = arg;
	mg_store *st = job->st;
	mg_batch *b = NULL;
	mg_user *u = NULL;
	mg_endpoint *sep = NULL, *tep = NULL;
	mg_date_cond *dc = NULL;
	size_t ndc = 0;
	char *maildir = NULL, *state = NULL, *dst_login = NULL;
	mg_err err = { 0 };
	mg_sync_stats stats;
	memset(&stats, 0, sizeof stats);
	int rc;
	wctx w = { job, 0, mg_now(), 0 };   /* last_write 0: the first progress (the count) is written at once */

	/* read the records */
	rc = mg_store_lock(st, &err);
	if (rc == 0) {
		rc = mg_store_batch_load(st, job->batch, &b, &err);
		if (rc == 0)
			rc = mg_store_user_load(st, job->batch, job->email, &u, &err);
		if (rc == 0)
			rc = mg_store_endpoint_load(st, b->source_endpoint, &sep, &err);
		if (rc == 0 && b->target_endpoint)
			rc = mg_store_endpoint_load(st, b->target_endpoint, &tep, &err);
		mg_store_unlock(st);
	}
	if (rc == 0)
		rc = mg_content_filter_parse(b->content_filter, b->time_zone, &dc, &ndc, &err);
	if (rc < 0 && (!u || !b)) {
		mg_svc_log("%s/%s: cannot read its records: %s", job->batch, job->email, err.msg);
		goto done;
	}

	if (rc == 0) {
		w.base_bytes = u->bytes_transferred;
		mg_conn_params src, dst;
		mg_endpoint_conn_params(sep, &src);
		mg_sync_job sj;
		memset(&sj, 0, sizeof sj);
		sj.src = &src;
		sj.src_user = u->user_name;
		sj.src_password = u->password;
		sj.src_userroot = u->user_root;
		state = mg_store_user_state_dir(st, u->email, b->target_endpoint);
		sj.state_dir = state;
		if (tep) {
			mg_endpoint_conn_params(tep, &dst);
			sj.dest_kind = MG_DEST_IMAP;
			sj.dst = &dst;
			if (tep->target_login == MG_TLOGIN_MASTER) {
				dst_login = xasprintf("%s%s%s", u->email, tep->master_separator ? tep->master_separator : "*",
				                      tep->admin_user ? tep->admin_user : "");
				sj.dst_user = dst_login;
				sj.dst_authz = NULL;
			} else {
				sj.dst_user = tep->admin_user;
				sj.dst_authz = u->email;
			}
			sj.dst_password = tep->admin_password;
		} else {
			maildir = mg_store_user_mail_dir(st, u->email);
			sj.dest_kind = MG_DEST_MAILDIR;
			sj.maildir_root = maildir;
		}
		sj.include_folders = (const char *const *)b->include_folders;
		sj.exclude_folders = (const char *const *)b->exclude_folders;
		sj.date_conds = dc;
		sj.n_date_conds = ndc;
		sj.bad_item_limit = b->bad_item_limit;
		sj.large_item_limit = b->large_item_limit;
		sj.sync_deletions = b->sync_deletions;
		sj.cancel = &job->cancel;
		sj.progress = on_progress;
		sj.progress_arg = &w;
		sj.log = on_log;
		sj.log_arg = &w;
		warn_untrusted(&w, sep, "source");
		warn_untrusted(&w, tep, "target");
		on_log(&w, job->kind == JOB_INITIAL ? "Starting the initial synchronization."
		          : job->kind == JOB_FINAL ? "Starting the final synchronization (Complete-MigrationBatch)."
		          : "Starting an incremental synchronization.");
		rc = mg_sync_mailbox(&sj, &stats, &err);
	}

	/* record the outcome */
	int64_t now = mg_now();
	if (mg_store_lock(st, NULL) == 0) {
		mg_user *cur = NULL;
		if (mg_store_user_load(st, job->batch, job->email, &cur, NULL) == 0) {
			if (stats.started || stats.items_in_source || stats.items_synced)
				copy_counts(cur, &stats, w.base_bytes, rc == 0);
			cur->keywords_lost += stats.keywords_lost;
			/* issue 14: each move and each removal is seen once; a deletion kept at the
			 * destination (no -SyncDeletions) is seen again by every pass */
			cur->items_moved += stats.items_moved;
			cur->items_deleted_at_dest += stats.items_expunged;
			long long kept = stats.items_deleted_at_source - stats.items_expunged;
			if (rc == 0 || cur->items_deleted_at_dest + kept > cur->items_deleted_at_source)
				cur->items_deleted_at_source = cur->items_deleted_at_dest + kept;
			(void)merge_skipped(st, job->batch, job->email, &stats, rc == 0);
			cur->in_progress_seconds += now - w.pass_started;
			cur->sync_finished = now;
			cur->consistency = mg_consistency_user(cur);
			bool cancelled = rc < 0 && err.category == MGC_STOPPED;
			bool user_stop = cur->status == MG_US_STOPPING;   /* Stop-MigrationUser */
			if (rc == 0) {
				cur->passes++;
				cur->last_successful_sync = now;
				cur->initial_done = true;
				cur->next_sync_due = 0;
				free(cur->error); free(cur->error_summary); free(cur->error_category);
				cur->error = cur->error_summary = cur->error_category = NULL;
				cur->status = job->kind == JOB_FINAL ? MG_US_COMPLETED : MG_US_SYNCED;
				char line[256];
				snprintf(line, sizeof line, "Synchronization finished: %lld items synced, %lld copied in this pass, "
				         "%lld skipped, %lld items in the source.", cur->synced_items, cur->last_pass_copied,
				         cur->skipped_items, cur->total_in_source);
				on_log(&w, line);
			} else if (cancelled) {
				int why = job->reason;
				if (why == CANCEL_SHUTDOWN) {
					/* resumable: picked up again when the service restarts */
					cur->status = job->kind == JOB_INITIAL ? MG_US_QUEUED
					            : job->kind == JOB_FINAL ? MG_US_COMPLETING : MG_US_SYNCED;
					if (job->kind == JOB_INCREMENTAL)
						cur->next_sync_due = now;
					on_log(&w, "Synchronization interrupted: the migration service is stopping; it resumes when the service restarts.");
				} else {
					cur->status = cur->initial_done ? MG_US_INCREMENTAL_STOPPED : MG_US_STOPPED;
					on_log(&w, user_stop ? "Synchronization stopped (Stop-MigrationUser)."
					                     : "Synchronization stopped (Stop-MigrationBatch).");
				}
			} else {
				cur->status = job->kind == JOB_INITIAL && !cur->initial_done ? MG_US_FAILED
				            : job->kind == JOB_FINAL ? MG_US_COMPLETION_FAILED : MG_US_INCREMENTAL_FAILED;
				free(cur->error); free(cur->error_summary); free(cur->error_category);
				cur->error = xstrdup(err.msg);
				cur->error_summary = mg_worker_error_summary(&err);
				cur->error_category = xstrdup(mg_err_category_name(err.category));
				char *line = xasprintf("Synchronization failed: %s", err.msg);
				on_log(&w, line);
				free(line);
				mg_svc_log("%s/%s: failed: %s", job->batch, job->email, err.msg);
			}
			if (user_stop && (rc == 0 || cancelled)) {
				cur->status = cur->initial_done ? MG_US_INCREMENTAL_STOPPED : MG_US_STOPPED;
				if (rc == 0)
					on_log(&w, "The user is stopped (Stop-MigrationUser): no more "
					           "synchronizations until Start-MigrationUser.");
			}
			(void)mg_store_user_save(st, cur, NULL);
		}
		mg_user_free(cur);
		mg_store_unlock(st);
	}

done:
	mg_sync_stats_free(&stats);
	free(dc);
	free(maildir);
	free(state);
	free(dst_login);
	mg_endpoint_free(sep);
	mg_endpoint_free(tep);
	mg_user_free(u);
	mg_batch_free(b);
	__atomic_store_n(&job->done, 1, __ATOMIC_RELEASE);
	return NULL;
}
