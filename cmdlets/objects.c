/*
 * objects.c - records (engine/records.h) to shell objects with Exchange's
 * property names plus migsh's extras.
 * Property order is the order Format-List shows.  No password is ever set.
 */
#include "config.h"
#include "cmdlets/objects.h"
#include "cmdlets/types.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/consistency.h"
#include "engine/lifecycle.h"
#include "engine/store.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

mv *mg_obj_time(int64_t t)
{
	return t > 0 ? mv_datetime(t, 0) : mv_null();
}

/* The *UTC properties: the same instant as a UTC date, shown in UTC. */
static mv *time_utc(int64_t t)
{
	return t > 0 ? mv_datetime_utc(t, 0) : mv_null();
}

static mv *str_or_null(const char *s)
{
	return s && *s ? mv_string(s) : mv_null();
}

static mv *strv_array(char *const *v)
{
	mv *a = mv_array();
	for (size_t i = 0; v && v[i]; i++)
		mv_array_push_take(a, mv_string(v[i]));
	return a;
}

/* An Unlimited value: the word Unlimited or the number. */
static mv *unlimited(long long v)
{
	return v < 0 ? mv_string("Unlimited") : mv_int(v);
}

static mv *id_object(const mv_type_info *t, const char *name, const char *guid)
{
	mv *o = mv_object(t);
	mv_set_str(o, "Name", name);
	mv_set_str(o, "Guid", guid);
	return o;
}

mv *mg_obj_endpoint(const mg_endpoint *e, size_t batches_using, long long active,
                    long long active_incremental)
{
	mv *o = mv_object(&mg_type_endpoint);
	mv_set_take(o, "Identity", id_object(&mg_type_endpoint_id, e->name, e->guid));
	mv_set_str(o, "Name", e->name);
	mv_set_str(o, "EndpointType", e->endpoint_type ? e->endpoint_type : "IMAP");
	mv_set_str(o, "RemoteServer", e->remote_server);
	mv_set_int(o, "Port", e->port);
	mv_set_str(o, "Security", mg_security_name(e->security));
	mv_set_str(o, "Authentication", mg_auth_name(e->authentication));
	mv_set_bool(o, "AcceptUntrustedCertificates", e->accept_untrusted);
	mv_set_take(o, "MaxConcurrentMigrations", unlimited(e->max_concurrent_migrations));
	mv_set_take(o, "MaxConcurrentIncrementalSyncs", unlimited(e->max_concurrent_incremental));
	mv_set_int(o, "ActiveMigrationCount", active);
	mv_set_int(o, "ActiveIncrementalSyncCount", active_incremental);
	mv_set_take(o, "Username", str_or_null(e->admin_user));
	mv_set_bool(o, "HasCredentials", e->admin_user && e->admin_password);
	mv_set_str(o, "TargetLogin", e->target_login == MG_TLOGIN_MASTER ? "MasterUser" : "AuthorizationIdentity");
	mv_set_take(o, "MasterUserSeparator", e->target_login == MG_TLOGIN_MASTER
	            ? mv_string(e->master_separator ? e->master_separator : "*") : mv_null());
	mv_set_str(o, "Guid", e->guid);
	mv_set_bool(o, "IsRemote", true);
	mv_set_take(o, "CreationDateTime", mg_obj_time(e->created));
	mv_set_int(o, "BatchCount", (long long)batches_using);
	/* empty for IMAP, present for scripts written against Exchange */
	mv_set_str(o, "RpcProxyServer", NULL);
	mv_set_str(o, "ExchangeServer", NULL);
	mv_set_str(o, "NspiServer", NULL);
	mv_set_bool(o, "UseAutoDiscover", false);
	mv_set_str(o, "MailboxPermission", NULL);
	mv_set_str(o, "SourceMailboxLegacyDN", NULL);
	mv_set_str(o, "PublicFolderDatabaseServerLegacyDN", NULL);
	mv_set_str(o, "DiagnosticInfo", NULL);
	return o;
}

static const char *batch_state(mg_batch_status s)
{
	switch (s) {
	case MG_BS_CREATED: case MG_BS_STOPPED: return "Stopped";
	case MG_BS_WAITING: return "Waiting";
	case MG_BS_COMPLETED: case MG_BS_COMPLETED_WITH_ERRORS: return "Completed";
	case MG_BS_FAILED: return "Failed";
	case MG_BS_CORRUPTED: return "Corrupted";
	default: return "Active";
	}
}

static mv *supported_actions(mg_batch_status s)
{
	mv *a = mv_array();
	for (int i = 0; i < MG_ACT__COUNT; i++)
		if (mg_lifecycle_allowed(s, (mg_batch_action)i))
			mv_array_push_take(a, mv_string(mg_batch_action_name((mg_batch_action)i)));
	return a;
}

static mv *duration(long long seconds)
{
	return mv_timespan_ms(seconds > 0 ? seconds * 1000 : 0);
}

/* Report: the report files of the batch, one "Kind: path" line each. */
static void batch_report(mv *o, mg_store *st, const char *batch)
{
	char *dir = mg_store_reports_dir(st, batch);
	strbuf sb = STRBUF_INIT;
	mv *files = mv_array();
	DIR *d = dir ? opendir(dir) : NULL;
	if (d) {
		struct dirent *de;
		char **names = NULL;
		size_t n = 0, cap = 0;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			GROW(names, cap, n + 1);
			names[n++] = xstrdup(de->d_name);
		}
		closedir(d);
		for (size_t i = 0; i < n; i++)       /* stable, readable order */
			for (size_t j = i + 1; j < n; j++)
				if (strcmp(names[j], names[i]) < 0) {
					char *t = names[i]; names[i] = names[j]; names[j] = t;
				}
		for (size_t i = 0; i < n; i++) {
			char *path = mg_path_join(dir, names[i]);
			const char *kind = "Report";
			if (str_iprefix(names[i], "MigrationErrors"))
				kind = "ErrorReport";
			else if (strstr(names[i], "ummary"))
				kind = "SummaryReport";
			else if (strstr(names[i], ".eml"))
				kind = "Notification";
			strbuf_addf(&sb, "%s%s: %s", sb.len ? "\n" : "", kind, path);
			mv_array_push_take(files, mv_string(path));
			free(path);
			free(names[i]);
		}
		free(names);
	}
	if (!sb.len)
		strbuf_adds(&sb, "No report has been written yet (reports are written when a sync "
		                 "finishes, the batch is stopped or completed).");
	mv_set_take(o, "Report", mv_string_take(strbuf_detach(&sb, NULL)));
	mv_set_take(o, "ReportFiles", files);
	mv_set_take(o, "ReportDirectory", str_or_null(dir));
	free(dir);
}

/* The batch object from its counts, its worst score and the users to warn
 * about (those that failed validation; others are skipped). */
static mv *batch_object(const mg_batch *b, const mg_batch_counts *counts, mg_consistency worst,
                        mg_user *const *users, size_t n, mg_store *st, bool include_report)
{
	mg_batch_counts cnt = *counts;
	long long validation_warnings = 0;
	mv *warnings = mv_array();
	for (size_t i = 0; i < n; i++) {
		if (users[i]->validation_failed) {
			validation_warnings++;
			mv_array_push_take(warnings, mv_stringf("%s (line %ld): %s",
			                   users[i]->email ? users[i]->email : "",
			                   users[i]->csv_line,
			                   users[i]->error ? users[i]->error : "invalid row"));
		}
	}

	mv *o = mv_object(&mg_type_batch);
	mv_set_take(o, "Identity", id_object(&mg_type_batch_id, b->name, b->guid));
	mv_set_str(o, "Status", mg_batch_status_name(b->status));
	mv_set_str(o, "State", batch_state(b->status));
	mv_set_str(o, "Type", "IMAP");
	mv_set_str(o, "MigrationType", "IMAP");
	mv_set_int(o, "TotalCount", cnt.total);
	mv_set_int(o, "ActiveCount", cnt.active);
	mv_set_int(o, "StoppedCount", cnt.stopped);
	mv_set_int(o, "SyncedCount", cnt.synced);
	mv_set_int(o, "FinalizedCount", cnt.finalized);
	mv_set_int(o, "FailedCount", cnt.failed);
	mv_set_int(o, "FailedInitialSyncCount", cnt.failed_initial);
	mv_set_int(o, "FailedIncrementalSyncCount", cnt.failed_incremental);
	mv_set_int(o, "CompletedWithWarningCount", cnt.completed_with_warning);
	mv_set_int(o, "PendingCount", cnt.pending);
	mv_set_int(o, "ProvisionedCount", 0);
	mv_set_int(o, "ValidationWarningCount", validation_warnings);
	mv_set_take(o, "ValidationWarnings", warnings);
	mv_set_take(o, "Message", str_or_null(b->message));
	mv_set_take(o, "CreationDateTime", mg_obj_time(b->created));
	mv_set_take(o, "CreationDateTimeUTC", time_utc(b->created));
	mv_set_take(o, "StartDateTime", mg_obj_time(b->started));
	mv_set_take(o, "StartDateTimeUTC", time_utc(b->started));
	mv_set_take(o, "InitialSyncDateTime", mg_obj_time(b->initial_synced));
	mv_set_take(o, "InitialSyncDateTimeUTC", time_utc(b->initial_synced));
	mv_set_take(o, "InitialSyncDuration", b->initial_synced
	            ? duration(b->initial_sync_duration) : mv_null());
	mv_set_take(o, "LastSyncedDateTime", mg_obj_time(b->last_synced));
	mv_set_take(o, "LastSyncedDateTimeUTC", time_utc(b->last_synced));
	mv_set_take(o, "FinalizedDateTime", mg_obj_time(b->finalized));
	mv_set_take(o, "FinalizedDateTimeUTC", time_utc(b->finalized));
	mv_set_take(o, "StartAfter", mg_obj_time(b->start_after));
	mv_set_take(o, "StartAfterUTC", time_utc(b->start_after));
	mv_set_take(o, "CompleteAfter", mg_obj_time(b->complete_after));
	mv_set_take(o, "CompleteAfterUTC", time_utc(b->complete_after));
	mv_set_take(o, "SubmittedByUser", str_or_null(b->submitted_by));
	mv_set_take(o, "NotificationEmails", strv_array(b->notification_emails));
	mv_set_take(o, "ExcludedFolders", strv_array(b->exclude_folders));
	mv_set_take(o, "IncludedFolders", strv_array(b->include_folders));
	mv_set_take(o, "ContentFilter", str_or_null(b->content_filter));
	mv_set_take(o, "ContentFilterLanguage", str_or_null(b->content_filter_language));
	mv_set_str(o, "BatchDirection", "Onboarding");
	mv_set_take(o, "SourceEndpoint", str_or_null(b->source_endpoint));
	mv_set_take(o, "TargetEndpoint", str_or_null(b->target_endpoint));
	mv_set_take(o, "BadItemLimit", unlimited(b->bad_item_limit));
	mv_set_take(o, "LargeItemLimit", unlimited(b->large_item_limit));
	mv_set_bool(o, "AllowUnknownColumnsInCsv", b->allow_unknown_columns);
	mv_set_take(o, "ReportInterval", duration(b->report_interval));
	mv_set_bool(o, "SkipReports", b->skip_reports);
	mv_set_bool(o, "SyncDeletions", b->sync_deletions);
	mv_set_take(o, "TimeZone", str_or_null(b->time_zone ? b->time_zone : "UTC"));
	mv_set_bool(o, "AutoComplete", b->auto_complete);
	mv_set_take(o, "SupportedActions", supported_actions(b->status));
	mv_set_str(o, "BatchGuid", b->guid);
	mv_set_str(o, "DataConsistencyScore", mg_consistency_name(worst));
	mv_set_int(o, "ItemsSynced", cnt.items_synced);
	mv_set_int(o, "ItemsSkipped", cnt.items_skipped);
	mv_set_int(o, "ItemsInSource", cnt.items_total);
	if (include_report && st)
		batch_report(o, st, b->name);
	else
		mv_set_str(o, "Report", NULL);
	mv_set_str(o, "DiagnosticInfo", NULL);
	return o;
}

mv *mg_obj_batch(const mg_batch *b, mg_user *const *users, size_t n,
                 mg_store *st, bool include_report)
{
	mg_batch_counts cnt;
	memset(&cnt, 0, sizeof cnt);
	mg_batch_counts_compute(users, n, &cnt);
	return batch_object(b, &cnt, mg_consistency_batch(users, n), users, n, st, include_report);
}

static void user_common(mv *o, const mg_user *u)
{
	mv_set_str(o, "Identity", u->email);
	mv_set_str(o, "Batch", u->batch);
	mv_set_str(o, "BatchId", u->batch);
	mv_set_str(o, "EmailAddress", u->email);
	mv_set_str(o, "MailboxEmailAddress", u->email);
	mv_set_str(o, "RecipientType", "Mailbox");
	mv_set_str(o, "Status", mg_user_status_name(u->status));
	mv_set_str(o, "StatusSummary", mg_user_status_summary(u->status));
	mv_set_str(o, "State", mg_user_status_summary(u->status));
	mv_set_take(o, "LastSyncTime", mg_obj_time(u->last_successful_sync));
	mv_set_take(o, "LastSuccessfulSyncTime", mg_obj_time(u->last_successful_sync));
	mv_set_int(o, "SyncedItemCount", u->synced_items);
	mv_set_int(o, "SkippedItemCount", u->skipped_items);
	mv_set_int(o, "ItemsSynced", u->synced_items);
	mv_set_int(o, "ItemsSkipped", u->skipped_items);
	mv_set_take(o, "ErrorSummary", str_or_null(u->error_summary ? u->error_summary : u->error));
	mv_set_str(o, "DataConsistencyScore", mg_consistency_name(u->consistency));
	mv_set_bool(o, "HasUnapprovedSkippedItems", mg_user_has_unapproved_skipped(u));
	mv_set_str(o, "TriggeredAction", "None");
	mv_set_str(o, "Guid", u->guid);
	mv_set_str(o, "Identifier", u->email);
	mv_set_str(o, "RequestGuid", u->guid);
	mv_set_str(o, "MailboxGuid", u->guid);
	mv_set_take(o, "LastSubscriptionCheckTime", mg_obj_time(u->sync_finished));
	mv_set_take(o, "UserName", str_or_null(u->user_name));
	mv_set_take(o, "UserRoot", str_or_null(u->user_root));
	mv_set_take(o, "TargetMailbox", str_or_null(u->target_mailbox));
	mv_set_int(o, "CsvLine", u->csv_line);
	mv_set_take(o, "StartAfter", mg_obj_time(u->start_after));
	mv_set_take(o, "CompleteAfter", mg_obj_time(u->complete_after));
}

mv *mg_obj_user(const mg_user *u)
{
	mv *o = mv_object(&mg_type_user);
	user_common(o, u);
	return o;
}

static mv *skipped_object(const mg_skipped_rec *s)
{
	mv *o = mv_object(&mg_type_skipped_item);
	mv_set_take(o, "DateReceived", mg_obj_time(s->date));
	mv_set_take(o, "Kind", str_or_null(s->kind));
	mv_set_take(o, "FolderName", str_or_null(s->folder));
	mv_set_take(o, "Subject", str_or_null(s->subject));
	mv_set_take(o, "MessageSize", mv_size(s->size));
	mv_set_take(o, "Reason", str_or_null(s->reason));
	mv_set_int(o, "Uid", s->uid);
	return o;
}

mv *mg_obj_user_stats(const mg_user *u, const mg_skipped_rec *skipped, size_t n_skipped,
                      long long limit, const char *report)
{
	mv *o = mv_object(&mg_type_user_stats);
	user_common(o, u);
	mv_set_str(o, "MigrationType", "IMAP");
	mv_set_take(o, "Error", str_or_null(u->error));
	mv_set_take(o, "ErrorCategory", str_or_null(u->error_category));
	mv_set_int(o, "TotalItemsInSourceMailboxCount", u->total_in_source);
	mv_set_take(o, "EstimatedTotalTransferSize", mv_size(u->bytes_in_source));
	mv_set_int(o, "EstimatedTotalTransferCount", u->total_in_source);
	mv_set_take(o, "BytesTransferred", mv_size(u->bytes_transferred));
	long long secs = u->in_progress_seconds > 0 ? u->in_progress_seconds : 0;
	mv_set_take(o, "AverageBytesTransferredPerHour",
	            mv_size(secs ? u->bytes_transferred * 3600 / secs : 0));
	long long cur = 0;
	if (u->sync_finished > u->sync_started && u->sync_started)
		cur = u->bytes_transferred * 60 / (u->sync_finished - u->sync_started);
	mv_set_take(o, "CurrentBytesTransferredPerMinute", mv_size(cur));
	mv_set_int(o, "PercentageComplete", mg_user_percent_complete(u));
	mv_set_take(o, "TotalQueuedDuration", duration(u->queued_seconds));
	mv_set_take(o, "TotalInProgressDuration", duration(u->in_progress_seconds));
	mv_set_take(o, "TotalSyncedDuration", duration(u->synced_seconds));
	mv_set_take(o, "TotalStalledDuration", duration(u->stalled_seconds));
	mv_set_int(o, "ItemsLarge", u->items_large);
	mv_set_int(o, "ItemsBad", u->items_bad);
	mv_set_int(o, "ItemsFiltered", u->items_filtered);
	mv_set_int(o, "KeywordsNotKeptCount", u->keywords_lost);
	mv_set_int(o, "ItemsExcluded", u->items_excluded);
	mv_set_int(o, "ItemsOverLimit", u->items_over_limit);
	mv_set_int(o, "ItemsDeletedAtSource", u->items_deleted_at_source);
	mv_set_int(o, "ItemsDeletedAtDestination", u->items_deleted_at_dest);
	mv_set_int(o, "ItemsMoved", u->items_moved);
	mv_set_int(o, "FoldersInSource", u->folders_total);
	mv_set_int(o, "FoldersSynced", u->folders_synced);
	mv_set_int(o, "LastSyncCopiedItems", u->last_pass_copied);
	mv_set_int(o, "LastSyncFlagUpdates", u->last_pass_flags);
	mv_set_int(o, "SyncCount", u->passes);
	mv_set_take(o, "SyncStartTime", mg_obj_time(u->sync_started));
	mv_set_take(o, "SyncEndTime", mg_obj_time(u->sync_finished));
	mv_set_int(o, "ApprovedSkippedItemCount", u->approved_skipped_count);
	if (skipped) {
		mv *a = mv_array();
		for (size_t i = 0; i < n_skipped && (limit < 0 || (long long)i < limit); i++)
			mv_array_push_take(a, skipped_object(&skipped[i]));
		mv_set_take(o, "SkippedItems", a);
	} else {
		mv_set_str(o, "SkippedItems", NULL);
	}
	mv_set_take(o, "Report", report ? mv_string(report) : mv_null());
	mv_set_str(o, "DiagnosticInfo", NULL);
	return o;
}

mv *mg_obj_config(const mg_config *c, size_t n_batches)
{
	mv *o = mv_object(&mg_type_config);
	mv_set_str(o, "Identity", "MigrationConfig");
	mv_set_take(o, "MaxNumberOfBatches", unlimited(c->max_batches));
	mv_set_take(o, "MaxConcurrentMigrations", unlimited(c->max_concurrent_migrations));
	mv_set_take(o, "IncrementalSyncInterval", duration(c->incremental_sync_interval));
	mv *f = mv_array();
	mv_array_push_take(f, mv_string("MultiBatch"));
	mv_set_take(o, "Features", f);
	mv_set_bool(o, "CanSubmitNewBatch", mg_config_can_submit(c, n_batches));
	mv_set_bool(o, "SupportsCutover", false);
	mv_set_int(o, "BatchCount", (long long)n_batches);
	return o;
}

mv *mg_obj_batch_load(mg_store *st, const mg_batch *b, bool include_report)
{
	/* counts by SQL aggregates; only the few users that matter are read */
	mg_batch_counts cnt;
	mg_err err;
	mg_err_clear(&err);
	if (mg_store_batch_counts(st, b->name, &cnt, &err) < 0)
		memset(&cnt, 0, sizeof cnt);
	mg_user **lv = NULL, **iv = NULL;
	size_t ln = 0, in = 0;
	if (mg_store_user_list_lossy(st, b->name, &lv, &ln, &err) < 0) {
		lv = NULL;
		ln = 0;
	}
	if (mg_store_user_list_invalid(st, b->name, &iv, &in, &err) < 0) {
		iv = NULL;
		in = 0;
	}
	mv *o = batch_object(b, &cnt, mg_consistency_batch(lv, ln), iv, in, st, include_report);
	mg_user_list_free(lv, ln);
	mg_user_list_free(iv, in);
	return o;
}
