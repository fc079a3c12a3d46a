/* store_codec.c - YAML encoding and decoding of endpoints, batches, users, config and skipped items. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "engine/store_codec.h"
#include "engine/store_yaml.h"

static char *finish(strbuf *sb)
{
	yw_end(sb);
	return strbuf_detach(sb, NULL);
}

/* ---- endpoint ---- */

char *mg_endpoint_to_yaml(const mg_endpoint *e)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "# migsh migration endpoint\n");
	yw_kstr(&sb, 0, "Name", e->name);
	yw_kstr(&sb, 0, "Guid", e->guid);
	yw_kstr(&sb, 0, "EndpointType", e->endpoint_type);
	yw_kstr(&sb, 0, "RemoteServer", e->remote_server);
	yw_kint(&sb, 0, "Port", e->port);
	yw_kstr(&sb, 0, "Security", mg_security_name(e->security));
	yw_kstr(&sb, 0, "Authentication", mg_auth_name(e->authentication));
	yw_kbool(&sb, 0, "AcceptUntrustedCertificates", e->accept_untrusted);
	yw_kint(&sb, 0, "MaxConcurrentMigrations", e->max_concurrent_migrations);
	yw_kint(&sb, 0, "MaxConcurrentIncrementalSyncs", e->max_concurrent_incremental);
	yw_kstr(&sb, 0, "UserName", e->admin_user);
	yw_kstr(&sb, 0, "Password", e->admin_password);
	yw_kstr(&sb, 0, "TargetLogin", e->target_login == MG_TLOGIN_MASTER ? "MasterUser" : "AuthorizationId");
	yw_kstr(&sb, 0, "MasterSeparator", e->master_separator);
	yw_kint(&sb, 0, "CreationDateTime", e->created);
	return finish(&sb);
}

int mg_endpoint_from_yaml(const char *data, size_t len, const char *path, mg_endpoint **out, mg_err *err)
{
	ydoc d;
	if (ydoc_load(&d, data, len, path, err) < 0)
		return -1;
	yaml_node_t *r = ydoc_root(&d);
	mg_endpoint *e = mg_endpoint_new("");
	char *guid = NULL, *sec = NULL, *auth = NULL, *tl = NULL;
	yget_str(&d, r, "Name", true, &e->name);
	yget_str(&d, r, "Guid", true, &guid);
	yget_str(&d, r, "EndpointType", false, &e->endpoint_type);
	yget_str(&d, r, "RemoteServer", false, &e->remote_server);
	yget_int(&d, r, "Port", &e->port);
	yget_str(&d, r, "Security", false, &sec);
	yget_str(&d, r, "Authentication", false, &auth);
	yget_bool(&d, r, "AcceptUntrustedCertificates", &e->accept_untrusted);
	yget_ll(&d, r, "MaxConcurrentMigrations", &e->max_concurrent_migrations);
	yget_ll(&d, r, "MaxConcurrentIncrementalSyncs", &e->max_concurrent_incremental);
	yget_str(&d, r, "UserName", false, &e->admin_user);
	yget_str(&d, r, "Password", false, &e->admin_password);
	yget_str(&d, r, "TargetLogin", false, &tl);
	yget_str(&d, r, "MasterSeparator", false, &e->master_separator);
	yget_i64(&d, r, "CreationDateTime", &e->created);
	if (!d.failed && guid && strlen(guid) == MG_GUID_LEN)
		memcpy(e->guid, guid, MG_GUID_LEN + 1);
	if (!d.failed && sec && mg_security_parse(sec, &e->security) < 0) {
		d.failed = 1;
		mg_err_set(err, MGC_INVALIDDATA, "StoreFileCorrupt",
		           "The state file '%s' is corrupt: Security '%s' is not None, Ssl or Tls.", path, sec);
	}
	if (!d.failed && auth && mg_auth_parse(auth, &e->authentication) < 0) {
		d.failed = 1;
		mg_err_set(err, MGC_INVALIDDATA, "StoreFileCorrupt",
		           "The state file '%s' is corrupt: unknown Authentication '%s'.", path, auth);
	}
	if (tl && !strcmp(tl, "MasterUser"))
		e->target_login = MG_TLOGIN_MASTER;
	free(guid); free(sec); free(auth); free(tl);
	int failed = d.failed;
	ydoc_free(&d);
	if (failed) {
		mg_endpoint_free(e);
		return -1;
	}
	*out = e;
	return 0;
}

/* ---- batch ---- */

char *mg_batch_to_yaml(const mg_batch *b)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "# migsh migration batch\n");
	yw_kstr(&sb, 0, "Name", b->name);
	yw_kstr(&sb, 0, "BatchGuid", b->guid);
	yw_kstr(&sb, 0, "Status", mg_batch_status_name(b->status));
	yw_kstr(&sb, 0, "Message", b->message);
	yw_kstr(&sb, 0, "SourceEndpoint", b->source_endpoint);
	yw_kstr(&sb, 0, "TargetEndpoint", b->target_endpoint);
	yw_kstrv(&sb, 0, "ExcludeFolders", b->exclude_folders);
	yw_kstrv(&sb, 0, "IncludeFolders", b->include_folders);
	yw_kstr(&sb, 0, "ContentFilter", b->content_filter);
	yw_kstr(&sb, 0, "ContentFilterLanguage", b->content_filter_language);
	yw_kstrv(&sb, 0, "NotificationEmails", b->notification_emails);
	yw_kint(&sb, 0, "ReportInterval", b->report_interval);
	yw_kbool(&sb, 0, "SkipReports", b->skip_reports);
	yw_kbool(&sb, 0, "SyncDeletions", b->sync_deletions);
	yw_kbool(&sb, 0, "AllowUnknownColumnsInCsv", b->allow_unknown_columns);
	yw_kint(&sb, 0, "BadItemLimit", b->bad_item_limit);
	yw_kint(&sb, 0, "LargeItemLimit", b->large_item_limit);
	yw_kbool(&sb, 0, "BadItemLimitSet", b->bad_item_limit_set);
	yw_kbool(&sb, 0, "LargeItemLimitSet", b->large_item_limit_set);
	yw_kint(&sb, 0, "StartAfter", b->start_after);
	yw_kint(&sb, 0, "CompleteAfter", b->complete_after);
	yw_kstr(&sb, 0, "TimeZone", b->time_zone);
	yw_kbool(&sb, 0, "AutoStart", b->auto_start);
	yw_kbool(&sb, 0, "AutoComplete", b->auto_complete);
	yw_kstr(&sb, 0, "SubmittedByUser", b->submitted_by);
	yw_kint(&sb, 0, "CreationDateTime", b->created);
	yw_kint(&sb, 0, "StartDateTime", b->started);
	yw_kint(&sb, 0, "InitialSyncDateTime", b->initial_synced);
	yw_kint(&sb, 0, "InitialSyncDuration", b->initial_sync_duration);
	yw_kint(&sb, 0, "LastSyncedDateTime", b->last_synced);
	yw_kint(&sb, 0, "FinalizedDateTime", b->finalized);
	yw_kint(&sb, 0, "LastReport", b->last_report);
	yw_kbool(&sb, 0, "RequestSyncNow", b->req_sync_now);
	yw_kbool(&sb, 0, "RequestUpdate", b->req_update);
	return finish(&sb);
}

int mg_batch_from_yaml(const char *data, size_t len, const char *path, mg_batch **out, mg_err *err)
{
	ydoc d;
	if (ydoc_load(&d, data, len, path, err) < 0)
		return -1;
	yaml_node_t *r = ydoc_root(&d);
	mg_batch *b = mg_batch_new("");
	char *guid = NULL, *status = NULL;
	yget_str(&d, r, "Name", true, &b->name);
	yget_str(&d, r, "BatchGuid", true, &guid);
	yget_str(&d, r, "Status", true, &status);
	yget_str(&d, r, "Message", false, &b->message);
	yget_str(&d, r, "SourceEndpoint", false, &b->source_endpoint);
	yget_str(&d, r, "TargetEndpoint", false, &b->target_endpoint);
	yget_strv(&d, r, "ExcludeFolders", &b->exclude_folders);
	yget_strv(&d, r, "IncludeFolders", &b->include_folders);
	yget_str(&d, r, "ContentFilter", false, &b->content_filter);
	yget_str(&d, r, "ContentFilterLanguage", false, &b->content_filter_language);
	yget_strv(&d, r, "NotificationEmails", &b->notification_emails);
	yget_ll(&d, r, "ReportInterval", &b->report_interval);
	yget_bool(&d, r, "SkipReports", &b->skip_reports);
	yget_bool(&d, r, "SyncDeletions", &b->sync_deletions);
	yget_bool(&d, r, "AllowUnknownColumnsInCsv", &b->allow_unknown_columns);
	yget_ll(&d, r, "BadItemLimit", &b->bad_item_limit);
	yget_ll(&d, r, "LargeItemLimit", &b->large_item_limit);
	yget_bool(&d, r, "BadItemLimitSet", &b->bad_item_limit_set);
	yget_bool(&d, r, "LargeItemLimitSet", &b->large_item_limit_set);
	yget_i64(&d, r, "StartAfter", &b->start_after);
	yget_i64(&d, r, "CompleteAfter", &b->complete_after);
	yget_str(&d, r, "TimeZone", false, &b->time_zone);
	yget_bool(&d, r, "AutoStart", &b->auto_start);
	yget_bool(&d, r, "AutoComplete", &b->auto_complete);
	yget_str(&d, r, "SubmittedByUser", false, &b->submitted_by);
	yget_i64(&d, r, "CreationDateTime", &b->created);
	yget_i64(&d, r, "StartDateTime", &b->started);
	yget_i64(&d, r, "InitialSyncDateTime", &b->initial_synced);
	yget_ll(&d, r, "InitialSyncDuration", &b->initial_sync_duration);
	yget_i64(&d, r, "LastSyncedDateTime", &b->last_synced);
	yget_i64(&d, r, "FinalizedDateTime", &b->finalized);
	yget_i64(&d, r, "LastReport", &b->last_report);
	yget_bool(&d, r, "RequestSyncNow", &b->req_sync_now);
	yget_bool(&d, r, "RequestUpdate", &b->req_update);
	if (!d.failed && guid && strlen(guid) == MG_GUID_LEN)
		memcpy(b->guid, guid, MG_GUID_LEN + 1);
	if (!d.failed && mg_batch_status_parse(status, &b->status) < 0) {
		d.failed = 1;
		mg_err_set(err, MGC_INVALIDDATA, "StoreFileCorrupt",
		           "The state file '%s' is corrupt: unknown Status '%s'.", path, status);
	}
	free(guid); free(status);
	int failed = d.failed;
	ydoc_free(&d);
	if (failed) {
		mg_batch_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

/* ---- user ---- */

char *mg_user_to_yaml(const mg_user *u)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "# migsh migration user\n");
	yw_kstr(&sb, 0, "EmailAddress", u->email);
	yw_kstr(&sb, 0, "Guid", u->guid);
	yw_kstr(&sb, 0, "BatchId", u->batch);
	yw_kstr(&sb, 0, "UserName", u->user_name);
	yw_kstr(&sb, 0, "Password", u->password);
	yw_kstr(&sb, 0, "UserRoot", u->user_root);
	yw_kint(&sb, 0, "CsvLine", u->csv_line);
	yw_kstr(&sb, 0, "Status", mg_user_status_name(u->status));
	yw_kstr(&sb, 0, "Error", u->error);
	yw_kstr(&sb, 0, "ErrorSummary", u->error_summary);
	yw_kstr(&sb, 0, "ErrorCategory", u->error_category);
	yw_kbool(&sb, 0, "ValidationFailed", u->validation_failed);
	yw_kint(&sb, 0, "SyncedItemCount", u->synced_items);
	yw_kint(&sb, 0, "SkippedItemCount", u->skipped_items);
	yw_kint(&sb, 0, "TotalItemsInSourceMailboxCount", u->total_in_source);
	yw_kint(&sb, 0, "EstimatedTotalTransferSize", u->bytes_in_source);
	yw_kint(&sb, 0, "BytesTransferred", u->bytes_transferred);
	yw_kint(&sb, 0, "LargeItemCount", u->items_large);
	yw_kint(&sb, 0, "BadItemCount", u->items_bad);
	yw_kint(&sb, 0, "FilteredItemCount", u->items_filtered);
	yw_kint(&sb, 0, "KeywordsNotKeptCount", u->keywords_lost);
	yw_kint(&sb, 0, "DeletedAtSourceItemCount", u->items_deleted_at_source);
	yw_kint(&sb, 0, "DeletedAtDestinationItemCount", u->items_deleted_at_dest);
	yw_kint(&sb, 0, "MovedItemCount", u->items_moved);
	yw_kint(&sb, 0, "ExcludedItemCount", u->items_excluded);
	yw_kint(&sb, 0, "OverLimitItemCount", u->items_over_limit);
	yw_kint(&sb, 0, "FoldersTotal", u->folders_total);
	yw_kint(&sb, 0, "FoldersSynced", u->folders_synced);
	yw_kint(&sb, 0, "LastPassCopied", u->last_pass_copied);
	yw_kint(&sb, 0, "LastPassFlagsUpdated", u->last_pass_flags);
	yw_kint(&sb, 0, "Passes", u->passes);
	yw_kbool(&sb, 0, "InitialSyncDone", u->initial_done);
	yw_kint(&sb, 0, "QueuedAt", u->queued_at);
	yw_kint(&sb, 0, "SyncStarted", u->sync_started);
	yw_kint(&sb, 0, "SyncFinished", u->sync_finished);
	yw_kint(&sb, 0, "LastSuccessfulSyncTime", u->last_successful_sync);
	yw_kint(&sb, 0, "NextSyncDue", u->next_sync_due);
	yw_kint(&sb, 0, "TotalQueuedDuration", u->queued_seconds);
	yw_kint(&sb, 0, "TotalInProgressDuration", u->in_progress_seconds);
	yw_kint(&sb, 0, "TotalSyncedDuration", u->synced_seconds);
	yw_kint(&sb, 0, "TotalStalledDuration", u->stalled_seconds);
	yw_kstr(&sb, 0, "TargetMailbox", u->target_mailbox);
	yw_kstr(&sb, 0, "DataConsistencyScore", mg_consistency_name(u->consistency));
	yw_kbool(&sb, 0, "SkippedItemsApproved", u->skipped_approved);
	yw_kint(&sb, 0, "ApprovedSkippedItemCount", u->approved_skipped_count);
	yw_kint(&sb, 0, "StartAfter", u->start_after);
	yw_kint(&sb, 0, "CompleteAfter", u->complete_after);
	return finish(&sb);
}

int mg_user_from_yaml(const char *data, size_t len, const char *path, mg_user **out, mg_err *err)
{
	ydoc d;
	if (ydoc_load(&d, data, len, path, err) < 0)
		return -1;
	yaml_node_t *r = ydoc_root(&d);
	mg_user *u = mg_user_new("", "");
	char *guid = NULL, *status = NULL, *dcs = NULL;
	long long line = 0;
	yget_str(&d, r, "EmailAddress", true, &u->email);
	yget_str(&d, r, "Guid", true, &guid);
	yget_str(&d, r, "BatchId", true, &u->batch);
	yget_str(&d, r, "UserName", false, &u->user_name);
	yget_str(&d, r, "Password", false, &u->password);
	yget_str(&d, r, "UserRoot", false, &u->user_root);
	yget_ll(&d, r, "CsvLine", &line);
	yget_str(&d, r, "Status", true, &status);
	yget_str(&d, r, "Error", false, &u->error);
	yget_str(&d, r, "ErrorSummary", false, &u->error_summary);
	yget_str(&d, r, "ErrorCategory", false, &u->error_category);
	yget_bool(&d, r, "ValidationFailed", &u->validation_failed);
	yget_ll(&d, r, "SyncedItemCount", &u->synced_items);
	yget_ll(&d, r, "SkippedItemCount", &u->skipped_items);
	yget_ll(&d, r, "TotalItemsInSourceMailboxCount", &u->total_in_source);
	yget_ll(&d, r, "EstimatedTotalTransferSize", &u->bytes_in_source);
	yget_ll(&d, r, "BytesTransferred", &u->bytes_transferred);
	yget_ll(&d, r, "LargeItemCount", &u->items_large);
	yget_ll(&d, r, "BadItemCount", &u->items_bad);
	yget_ll(&d, r, "FilteredItemCount", &u->items_filtered);
	yget_ll(&d, r, "KeywordsNotKeptCount", &u->keywords_lost);
	yget_ll(&d, r, "DeletedAtSourceItemCount", &u->items_deleted_at_source);
	yget_ll(&d, r, "DeletedAtDestinationItemCount", &u->items_deleted_at_dest);
	yget_ll(&d, r, "MovedItemCount", &u->items_moved);
	yget_ll(&d, r, "ExcludedItemCount", &u->items_excluded);
	yget_ll(&d, r, "OverLimitItemCount", &u->items_over_limit);
	yget_ll(&d, r, "FoldersTotal", &u->folders_total);
	yget_ll(&d, r, "FoldersSynced", &u->folders_synced);
	yget_ll(&d, r, "LastPassCopied", &u->last_pass_copied);
	yget_ll(&d, r, "LastPassFlagsUpdated", &u->last_pass_flags);
	yget_ll(&d, r, "Passes", &u->passes);
	yget_bool(&d, r, "InitialSyncDone", &u->initial_done);
	yget_i64(&d, r, "QueuedAt", &u->queued_at);
	yget_i64(&d, r, "SyncStarted", &u->sync_started);
	yget_i64(&d, r, "SyncFinished", &u->sync_finished);
	yget_i64(&d, r, "LastSuccessfulSyncTime", &u->last_successful_sync);
	yget_i64(&d, r, "NextSyncDue", &u->next_sync_due);
	yget_ll(&d, r, "TotalQueuedDuration", &u->queued_seconds);
	yget_ll(&d, r, "TotalInProgressDuration", &u->in_progress_seconds);
	yget_ll(&d, r, "TotalSyncedDuration", &u->synced_seconds);
	yget_ll(&d, r, "TotalStalledDuration", &u->stalled_seconds);
	yget_str(&d, r, "TargetMailbox", false, &u->target_mailbox);
	yget_str(&d, r, "DataConsistencyScore", false, &dcs);
	yget_bool(&d, r, "SkippedItemsApproved", &u->skipped_approved);
	yget_ll(&d, r, "ApprovedSkippedItemCount", &u->approved_skipped_count);
	yget_i64(&d, r, "StartAfter", &u->start_after);
	yget_i64(&d, r, "CompleteAfter", &u->complete_after);
	u->csv_line = (long)line;
	if (!d.failed && guid && strlen(guid) == MG_GUID_LEN)
		memcpy(u->guid, guid, MG_GUID_LEN + 1);
	if (!d.failed && mg_user_status_parse(status, &u->status) < 0) {
		d.failed = 1;
		mg_err_set(err, MGC_INVALIDDATA, "StoreFileCorrupt",
		           "The state file '%s' is corrupt: unknown Status '%s'.", path, status);
	}
	if (dcs)
		(void)mg_consistency_parse(dcs, &u->consistency);
	free(guid); free(status); free(dcs);
	int failed = d.failed;
	ydoc_free(&d);
	if (failed) {
		mg_user_free(u);
		return -1;
	}
	*out = u;
	return 0;
}

/* ---- config ---- */

char *mg_config_to_yaml(const mg_config *c)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "# migsh migration config (Get-/Set-MigrationConfig)\n");
	yw_kint(&sb, 0, "MaxNumberOfBatches", c->max_batches);
	yw_kint(&sb, 0, "MaxConcurrentMigrations", c->max_concurrent_migrations);
	yw_kint(&sb, 0, "IncrementalSyncInterval", c->incremental_sync_interval);
	yw_kint(&sb, 0, "ServicePollMilliseconds", c->service_poll_ms);
	yw_kint(&sb, 0, "ProgressWriteSeconds", c->progress_write_seconds);
	return finish(&sb);
}

int mg_config_from_yaml(const char *data, size_t len, const char *path, mg_config *out, mg_err *err)
{
	ydoc d;
	if (ydoc_load(&d, data, len, path, err) < 0)
		return -1;
	yaml_node_t *r = ydoc_root(&d);
	mg_config c;
	mg_config_defaults(&c);
	yget_ll(&d, r, "MaxNumberOfBatches", &c.max_batches);
	yget_ll(&d, r, "MaxConcurrentMigrations", &c.max_concurrent_migrations);
	yget_ll(&d, r, "IncrementalSyncInterval", &c.incremental_sync_interval);
	yget_ll(&d, r, "ServicePollMilliseconds", &c.service_poll_ms);
	yget_ll(&d, r, "ProgressWriteSeconds", &c.progress_write_seconds);
	int failed = d.failed;
	ydoc_free(&d);
	if (failed)
		return -1;
	*out = c;
	return 0;
}

/* ---- skipped items ---- */

char *mg_skipped_to_yaml(const mg_skipped_rec *v, size_t n)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "# migsh skipped items of one migration user\n");
	if (!n)
		strbuf_adds(&sb, "Items: []\n");
	else
		strbuf_adds(&sb, "Items:\n");
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(&sb, "  - ");
		yw_kstr(&sb, 0, "FolderName", v[i].folder);
		yw_kint(&sb, 4, "Uid", v[i].uid);
		yw_kstr(&sb, 4, "Subject", v[i].subject);
		yw_kint(&sb, 4, "Size", v[i].size);
		yw_kint(&sb, 4, "DateReceived", v[i].date);
		yw_kstr(&sb, 4, "Kind", v[i].kind);
		yw_kstr(&sb, 4, "Reason", v[i].reason);
	}
	return finish(&sb);
}

int mg_skipped_from_yaml(const char *data, size_t len, const char *path,
                         mg_skipped_rec **out, size_t *n, mg_err *err)
{
	ydoc d;
	if (ydoc_load(&d, data, len, path, err) < 0)
		return -1;
	yaml_node_t *items = ymap_get(&d, ydoc_root(&d), "Items");
	mg_skipped_rec *v = NULL;
	size_t cnt = 0;
	if (items && items->type == YAML_SEQUENCE_NODE) {
		size_t total = (size_t)(items->data.sequence.items.top - items->data.sequence.items.start);
		v = xcalloc(total ? total : 1, sizeof *v);
		for (yaml_node_item_t *it = items->data.sequence.items.start;
		     it < items->data.sequence.items.top && !d.failed; it++) {
			yaml_node_t *m = yaml_document_get_node(&d.doc, *it);
			mg_skipped_rec *r = &v[cnt++];
			long long uid = 0;
			yget_str(&d, m, "FolderName", false, &r->folder);
			yget_ll(&d, m, "Uid", &uid);
			yget_str(&d, m, "Subject", false, &r->subject);
			yget_ll(&d, m, "Size", &r->size);
			yget_i64(&d, m, "DateReceived", &r->date);
			yget_str(&d, m, "Kind", false, &r->kind);
			yget_str(&d, m, "Reason", false, &r->reason);
			r->uid = (uint32_t)uid;
		}
	} else if (items && yscalar(items)) {
		d.failed = 1;
		mg_err_set(err, MGC_INVALIDDATA, "StoreFileCorrupt",
		           "The state file '%s' is corrupt: field 'Items' is not a list.", path);
	}
	int failed = d.failed;
	ydoc_free(&d);
	if (failed) {
		mg_skipped_recs_free(v, cnt);
		return -1;
	}
	*out = v;
	*n = cnt;
	return 0;
}
