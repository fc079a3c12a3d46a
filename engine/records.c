/* records.c - constructors, destructors and enum names of the control-plane records (records.h). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "common/mem.h"
#include "common/str.h"
#include "engine/records.h"

const char *const mg_batch_status_names[MG_BS__COUNT + 1] = {
	"Created", "Starting", "Syncing", "Stopping", "Stopped", "Synced",
	"SyncedWithErrors", "IncrementalSyncing", "Completing", "Completed",
	"CompletedWithErrors", "Failed", "Removing", "Corrupted", "Waiting", NULL
};

const char *const mg_user_status_names[MG_US__COUNT + 1] = {
	"Queued", "Validating", "Starting", "Provisioning", "ProvisionUpdating",
	"Syncing", "Synced", "IncrementalSyncing", "IncrementalSynced",
	"Completing", "CompletionSynced", "Completed", "Failed",
	"IncrementalFailed", "CompletionFailed", "CompletedWithWarnings",
	"Corrupted", "Stopping", "Stopped", "IncrementalStopped", "Removing", NULL
};

const char *const mg_status_summary_names[MG_SS__COUNT + 1] = {
	[MG_SS_ACTIVE] = "Active", [MG_SS_COMPLETED] = "Completed", [MG_SS_FAILED] = "Failed",
	[MG_SS_STOPPED] = "Stopped", [MG_SS_SYNCED] = "Synced", [MG_SS__COUNT] = NULL
};

static const char *const consistency_names[] = { "Perfect", "Good", "Investigate", "Poor" };

const char *mg_batch_status_name(mg_batch_status s)
{
	return (unsigned)s < MG_BS__COUNT ? mg_batch_status_names[s] : mg_batch_status_names[MG_BS_CORRUPTED];
}

int mg_batch_status_parse(const char *s, mg_batch_status *out)
{
	for (int i = 0; s && i < MG_BS__COUNT; i++)
		if (str_ieq(s, mg_batch_status_names[i])) {
			*out = (mg_batch_status)i;
			return 0;
		}
	return -1;
}

const char *mg_user_status_name(mg_user_status s)
{
	return (unsigned)s < MG_US__COUNT ? mg_user_status_names[s] : mg_user_status_names[MG_US_CORRUPTED];
}

int mg_user_status_parse(const char *s, mg_user_status *out)
{
	for (int i = 0; s && i < MG_US__COUNT; i++)
		if (str_ieq(s, mg_user_status_names[i])) {
			*out = (mg_user_status)i;
			return 0;
		}
	return -1;
}

mg_status_summary mg_user_status_summary_of(mg_user_status s)
{
	switch (s) {
	case MG_US_SYNCED: case MG_US_INCREMENTAL_SYNCING: case MG_US_INCREMENTAL_SYNCED:
	case MG_US_COMPLETION_SYNCED:
		return MG_SS_SYNCED;
	case MG_US_COMPLETED:
		return MG_SS_COMPLETED;
	case MG_US_FAILED: case MG_US_INCREMENTAL_FAILED: case MG_US_COMPLETION_FAILED:
	case MG_US_COMPLETED_WITH_WARNINGS: case MG_US_CORRUPTED:
		return MG_SS_FAILED;
	case MG_US_STOPPED: case MG_US_INCREMENTAL_STOPPED:
		return MG_SS_STOPPED;
	default:
		return MG_SS_ACTIVE;
	}
}

const char *mg_user_status_summary(mg_user_status s)
{
	return mg_status_summary_names[mg_user_status_summary_of(s)];
}

const char *mg_consistency_name(mg_consistency c)
{
	return (unsigned)c <= MG_DCS_POOR ? consistency_names[c] : "Poor";
}

int mg_consistency_parse(const char *s, mg_consistency *out)
{
	for (int i = 0; s && i <= MG_DCS_POOR; i++)
		if (str_ieq(s, consistency_names[i])) {
			*out = (mg_consistency)i;
			return 0;
		}
	return -1;
}

int64_t mg_now(void)
{
	return (int64_t)time(NULL);
}

void mg_guid_new(char out[MG_GUID_LEN + 1])
{
	unsigned char b[16];
	size_t got = 0;
	while (got < sizeof b) {
		ssize_t r = getrandom(b + got, sizeof b - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < sizeof b) {   /* no entropy source: time + pid + counter, still unique enough */
		static unsigned long ctr;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long long x = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 20)
		                       ^ ((unsigned long long)getpid() << 40) ^ (++ctr * 0x9e3779b97f4a7c15ULL);
		for (size_t i = 0; i < sizeof b; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			b[i] = (unsigned char)x;
		}
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, MG_GUID_LEN + 1,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
	         b[10], b[11], b[12], b[13], b[14], b[15]);
}

size_t mg_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

char **mg_strv_dup(char *const *v)
{
	if (!v)
		return NULL;
	size_t n = mg_strv_len(v);
	char **r = xcalloc(n + 1, sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

void mg_strv_free_all(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static void free_secret(char *s)
{
	if (s) {
		mg_wipe(s, strlen(s));
		free(s);
	}
}

/* ---- endpoint ---- */

mg_endpoint *mg_endpoint_new(const char *name)
{
	mg_endpoint *e = xcalloc(1, sizeof *e);
	e->name = xstrdup(name);
	mg_guid_new(e->guid);
	e->endpoint_type = xstrdup("IMAP");
	e->port = 993;
	e->security = MG_SEC_SSL;
	e->authentication = MG_AUTH_BASIC;
	e->max_concurrent_migrations = 100;
	e->max_concurrent_incremental = 20;
	e->target_login = MG_TLOGIN_AUTHZID;
	e->created = mg_now();
	return e;
}

mg_endpoint *mg_endpoint_dup(const mg_endpoint *e)
{
	if (!e)
		return NULL;
	mg_endpoint *d = xmalloc(sizeof *d);
	*d = *e;
	d->name = xstrdup(e->name);
	d->endpoint_type = xstrdup(e->endpoint_type);
	d->remote_server = xstrdup(e->remote_server);
	d->admin_user = xstrdup(e->admin_user);
	d->admin_password = xstrdup(e->admin_password);
	d->master_separator = xstrdup(e->master_separator);
	return d;
}

void mg_endpoint_free(mg_endpoint *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->endpoint_type);
	free(e->remote_server);
	free(e->admin_user);
	free_secret(e->admin_password);
	free(e->master_separator);
	free(e);
}

void mg_endpoint_conn_params(const mg_endpoint *e, mg_conn_params *out)
{
	memset(out, 0, sizeof *out);
	out->host = e->remote_server;
	out->port = e->port;
	out->security = e->security;
	out->auth = e->authentication;
	out->accept_untrusted = e->accept_untrusted;
	out->compress = true;
}

/* ---- batch ---- */

mg_batch *mg_batch_new(const char *name)
{
	mg_batch *b = xcalloc(1, sizeof *b);
	b->name = xstrdup(name);
	mg_guid_new(b->guid);
	b->status = MG_BS_CREATED;
	b->report_interval = 86400;
	b->bad_item_limit = MG_UNLIMITED;
	b->large_item_limit = MG_UNLIMITED;
	b->time_zone = xstrdup("UTC");
	const char *u = getenv("USER");
	b->submitted_by = xstrdup(u && *u ? u : "migsh");
	b->created = mg_now();
	return b;
}

mg_batch *mg_batch_dup(const mg_batch *b)
{
	if (!b)
		return NULL;
	mg_batch *d = xmalloc(sizeof *d);
	*d = *b;
	d->name = xstrdup(b->name);
	d->message = xstrdup(b->message);
	d->source_endpoint = xstrdup(b->source_endpoint);
	d->target_endpoint = xstrdup(b->target_endpoint);
	d->exclude_folders = mg_strv_dup(b->exclude_folders);
	d->include_folders = mg_strv_dup(b->include_folders);
	d->content_filter = xstrdup(b->content_filter);
	d->content_filter_language = xstrdup(b->content_filter_language);
	d->notification_emails = mg_strv_dup(b->notification_emails);
	d->time_zone = xstrdup(b->time_zone);
	d->submitted_by = xstrdup(b->submitted_by);
	return d;
}

void mg_batch_free(mg_batch *b)
{
	if (!b)
		return;
	free(b->name);
	free(b->message);
	free(b->source_endpoint);
	free(b->target_endpoint);
	mg_strv_free_all(b->exclude_folders);
	mg_strv_free_all(b->include_folders);
	free(b->content_filter);
	free(b->content_filter_language);
	mg_strv_free_all(b->notification_emails);
	free(b->time_zone);
	free(b->submitted_by);
	free(b);
}

/* ---- user ---- */

mg_user *mg_user_new(const char *email, const char *batch)
{
	mg_user *u = xcalloc(1, sizeof *u);
	u->email = xstrdup(email);
	u->batch = xstrdup(batch);
	mg_guid_new(u->guid);
	u->status = MG_US_STOPPED;
	u->consistency = MG_DCS_PERFECT;
	return u;
}

mg_user *mg_user_dup(const mg_user *u)
{
	if (!u)
		return NULL;
	mg_user *d = xmalloc(sizeof *d);
	*d = *u;
	d->email = xstrdup(u->email);
	d->batch = xstrdup(u->batch);
	d->user_name = xstrdup(u->user_name);
	d->password = xstrdup(u->password);
	d->user_root = xstrdup(u->user_root);
	d->error = xstrdup(u->error);
	d->error_summary = xstrdup(u->error_summary);
	d->error_category = xstrdup(u->error_category);
	d->target_mailbox = xstrdup(u->target_mailbox);
	return d;
}

void mg_user_free(mg_user *u)
{
	if (!u)
		return;
	free(u->email);
	free(u->batch);
	free(u->user_name);
	free_secret(u->password);
	free(u->user_root);
	free(u->error);
	free(u->error_summary);
	free(u->error_category);
	free(u->target_mailbox);
	free(u);
}

bool mg_user_has_unapproved_skipped(const mg_user *u)
{
	return u->skipped_items > u->approved_skipped_count;
}

int mg_user_percent_complete(const mg_user *u)
{
	switch (u->status) {
	case MG_US_SYNCED: case MG_US_INCREMENTAL_SYNCED: case MG_US_INCREMENTAL_SYNCING:
	case MG_US_COMPLETED: case MG_US_COMPLETION_SYNCED: case MG_US_COMPLETING:
		return 100;
	default:
		break;
	}
	if (u->initial_done)
		return 100;
	long long total = u->total_in_source;
	if (total <= 0)
		return 0;
	long long done = u->synced_items + u->skipped_items;
	if (done >= total)
		return 99;   /* not finished until the pass says so */
	return (int)(done * 100 / total);
}

void mg_skipped_recs_free(mg_skipped_rec *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].folder);
		free(v[i].subject);
		free(v[i].kind);
		free(v[i].reason);
	}
	free(v);
}

void mg_batch_counts_compute(mg_user *const *users, size_t n, mg_batch_counts *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		const mg_user *u = users[i];
		out->total++;
		switch (mg_user_status_summary_of(u->status)) {
		case MG_SS_ACTIVE:    out->active++; break;
		case MG_SS_STOPPED:   out->stopped++; break;
		case MG_SS_SYNCED:    out->synced++; break;
		case MG_SS_COMPLETED: out->finalized++; break;
		case MG_SS_FAILED:    out->failed++; break;
		case MG_SS__COUNT:    break;
		}
		if (u->status == MG_US_FAILED || u->status == MG_US_CORRUPTED)
			out->failed_initial++;
		if (u->status == MG_US_INCREMENTAL_FAILED || u->status == MG_US_COMPLETION_FAILED)
			out->failed_incremental++;
		if (u->status == MG_US_QUEUED)
			out->pending++;
		if (u->status == MG_US_COMPLETED_WITH_WARNINGS)
			out->completed_with_warning++;
		out->items_synced += u->synced_items;
		out->items_skipped += u->skipped_items;
		out->items_total += u->total_in_source;
		out->bytes_total += u->bytes_in_source;
		out->bytes_done += u->bytes_transferred < u->bytes_in_source ? u->bytes_transferred
		                                                             : u->bytes_in_source;
	}
}

void mg_config_defaults(mg_config *c)
{
	c->max_batches = 100;
	c->max_concurrent_migrations = 300;
	c->incremental_sync_interval = 86400;
	c->service_poll_ms = 500;
	c->progress_write_seconds = 2;
}

bool mg_config_can_submit(const mg_config *c, size_t n_batches)
{
	return c->max_batches < 0 || (long long)n_batches < c->max_batches;
}
