/*
 * cmd_batch.c - New-MigrationBatch, Get-MigrationBatch and
 * Set-MigrationBatch: creating a batch from a CSV (validated by
 * engine/csv_batch.h through engine/lifecycle.h), listing batches, and
 * changing a batch's settings, adding users and asking for a sync now.
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "cmdlets/endpoint_conn.h"
#include "cmdlets/objects.h"
#include "cmdlets/types.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/csv_batch.h"
#include "engine/lifecycle.h"
#include "engine/service.h"
#include "engine/store.h"
#include "engine/tz.h"
#include "shell/paths.h"

#include <stdlib.h>
#include <string.h>

/* The CSV bytes from -CSVData or (extension) -CSVFile. 1 given, 0 absent, -1 error. */
static int csv_input(mg_ctx *c, unsigned char **data, size_t *len)
{
	int r = mg_arg_bytes(c, "CSVData", data, len);
	if (r != 0)
		return r;
	const char *file = mg_arg_nonempty(c, "CSVFile");
	if (!file)
		return 0;
	mg_err err;
	mg_err_clear(&err);
	char *path = mg_map_path(c->session, file, &err);
	if (!path)
		return mg_cmd_fail(c, &err);
	char *buf = NULL;
	/* read more than the CSV limit so the validator can name the size rule */
	if (mg_read_file(path, MG_CSV_MAX_BYTES + 4096, &buf, len, &err) < 0) {
		free(path);
		return mg_cmd_fail(c, &err);
	}
	free(path);
	*data = (unsigned char *)buf;
	return 1;
}

static void warn_invalid_rows(mg_ctx *c, mg_store *st, const char *batch)
{
	mg_user **uv = NULL;
	size_t nu = 0;
	mg_err err;
	mg_err_clear(&err);
	if (mg_store_user_list_invalid(st, batch, &uv, &nu, &err) < 0)
		return;
	size_t bad = nu;
	if (bad) {
		mg_warning(c, "%zu of %lld users in the CSV failed validation and were created with "
		           "status Failed (their mail will not be migrated; the rest of the batch goes "
		           "on):", bad, mg_store_user_count(st, batch));
		for (size_t i = 0; i < nu; i++)
			if (uv[i]->validation_failed)
				mg_warning(c, "  line %ld: %s: %s", uv[i]->csv_line,
				           uv[i]->email && *uv[i]->email ? uv[i]->email : "(no address)",
				           uv[i]->error ? uv[i]->error : "invalid row");
	}
	mg_user_list_free(uv, nu);
}

/* A String[] parameter, when given, replaces the list *field. */
static void arg_strv_into(mg_ctx *c, const char *param, char ***field)
{
	char **strv = mg_arg_strv(c, param, NULL);
	if (!strv)
		return;
	mg_strv_free_all(*field);
	*field = mg_strv_dup(strv);
	mg_arg_strv_free(strv);
}

/* A non-empty string parameter, when given, replaces *field. */
static void arg_str_into(mg_ctx *c, const char *param, char **field)
{
	if (!mg_arg_nonempty(c, param))
		return;
	free(*field);
	*field = xstrdup(mg_arg_str(c, param));
}

/* BadItemLimit / LargeItemLimit from mg_arg_limit (-1 = Unlimited). */
static void set_item_limit(long long *limit, bool *is_set, long long value)
{
	*limit = value < 0 ? MG_UNLIMITED : value;
	*is_set = true;
}

/* ---------------------------------------------------------------- New- */

static int new_batch_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	const char *name = mg_arg_nonempty(c, "Name");
	if (!name)
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidName",
		                  "-Name is empty: give the batch a name (up to 64 characters).");
	unsigned char *csv = NULL;
	size_t csv_len = 0;
	int have = csv_input(c, &csv, &csv_len);
	if (have < 0)
		return -1;
	if (have == 0)
		return mg_err_set(&c->err, MGC_INVALIDARG, "MissingCsvData",
		                  "Give the users of the batch with -CSVData "
		                  "([System.IO.File]::ReadAllBytes(\"users.csv\")) or -CSVFile users.csv.");

	mg_batch *b = mg_batch_new(name);
	mg_batch *created = NULL;
	mg_tz *tz = NULL;
	int rc = -1, r;
	long long secs, lim;
	int64_t when;

	free(b->source_endpoint);
	b->source_endpoint = xstrdup(mg_arg_nonempty(c, "SourceEndpoint"));
	if (!b->source_endpoint) {
		mg_err_set(&c->err, MGC_INVALIDARG, "MissingSourceEndpoint",
		           "-SourceEndpoint is required for an IMAP batch: name the endpoint created "
		           "with New-MigrationEndpoint -IMAP.");
		goto out;
	}
	free(b->target_endpoint);
	b->target_endpoint = xstrdup(mg_arg_nonempty(c, "TargetEndpoint"));
	arg_strv_into(c, "ExcludeFolders", &b->exclude_folders);
	arg_strv_into(c, "IncludeFolders", &b->include_folders);
	arg_strv_into(c, "NotificationEmails", &b->notification_emails);
	arg_str_into(c, "ContentFilter", &b->content_filter);
	arg_str_into(c, "ContentFilterLanguage", &b->content_filter_language);
	if ((r = mg_arg_seconds(c, "ReportInterval", &secs)) < 0)
		goto out;
	if (r > 0)
		b->report_interval = secs;
	b->skip_reports = mg_switch(c, "SkipReports");
	b->sync_deletions = mg_switch(c, "SyncDeletions");
	if (mg_has(c, "AllowUnknownColumnsInCsv"))
		b->allow_unknown_columns = mv_truthy(mg_arg(c, "AllowUnknownColumnsInCsv"));
	if ((r = mg_arg_limit(c, "BadItemLimit", &lim)) < 0)
		goto out;
	if (r > 0)
		set_item_limit(&b->bad_item_limit, &b->bad_item_limit_set, lim);
	if ((r = mg_arg_limit(c, "LargeItemLimit", &lim)) < 0)
		goto out;
	if (r > 0)
		set_item_limit(&b->large_item_limit, &b->large_item_limit_set, lim);
	arg_str_into(c, "TimeZone", &b->time_zone);
	if (mg_cmd_open_zone(c, b->time_zone, &tz) < 0)
		goto out;
	if ((r = mg_arg_epoch_in_zone(c, "StartAfter", tz, &when)) < 0)
		goto out;
	if (r > 0)
		b->start_after = when;
	if ((r = mg_arg_epoch_in_zone(c, "CompleteAfter", tz, &when)) < 0)
		goto out;
	if (r > 0)
		b->complete_after = when;
	b->auto_start = mg_switch(c, "AutoStart");
	b->auto_complete = mg_switch(c, "AutoComplete");
	if (getenv("USER")) {
		free(b->submitted_by);
		b->submitted_by = xstrdup(getenv("USER"));
	}

	int go = mg_cmd_confirm(c, name, "Create migration batch");
	if (go <= 0) {
		rc = go;
		goto out;
	}
	if (mg_batch_create_in_zone(st, b, tz, csv, csv_len, &created, &c->err) < 0)
		goto out;
	warn_invalid_rows(c, st, created->name);
	if (b->auto_start)
		mg_warn_batch_untrusted(c, created->name);
	if (b->auto_start && mg_cmd_ensure_service(c) < 0) {
		mg_error(c, &c->err, created->name);
		mg_err_clear(&c->err);
	}
	mg_batch *now = NULL;
	mg_err err;
	mg_err_clear(&err);
	if (mg_store_batch_load(st, created->name, &now, &err) < 0)
		now = mg_batch_dup(created);
	rc = mg_emit_take(c, mg_obj_batch_load(st, now, false));
	mg_batch_free(now);
out:
	if (csv) {
		mg_wipe(csv, csv_len);
		free(csv);
	}
	mg_batch_free(created);
	mg_batch_free(b);
	mg_tz_free(tz);
	return rc;
}

/* ---------------------------------------------------------------- Get- */

/* -Diagnostic: where the batch lives, the service, and each user's state. */
static mv *batch_with_diagnostics(mg_ctx *c, mg_store *st, const mg_batch *b, bool report)
{
	mv *o = mg_obj_batch_load(st, b, report);
	strbuf sb = STRBUF_INIT;
	char *dir = mg_store_batch_dir(st, b->name);
	char *rep = mg_store_reports_dir(st, b->name);
	strbuf_addf(&sb, "BatchDirectory: %s\nReportDirectory: %s\n", dir ? dir : "", rep ? rep : "");
	free(dir);
	free(rep);
	mg_service_info si;
	memset(&si, 0, sizeof si);
	mg_err err;
	mg_err_clear(&err);
	if (mg_service_status(mg_home(c), &si, &err) == 0) {
		if (si.running)
			strbuf_addf(&sb, "Service: Running, pid %ld (initial syncs %ld, incremental "
			            "%ld), log %s\n", (long)si.pid, si.active_initial,
			            si.active_incremental, si.log_path);
		else
			strbuf_addf(&sb, "Service: Stopped (Start-MigrationBatch or "
			            "Start-MigrationService starts it), log %s\n", si.log_path);
	}
	if (b->req_sync_now || b->req_update)
		strbuf_addf(&sb, "Pending requests:%s%s\n", b->req_sync_now ? " SyncNow" : "",
		            b->req_update ? " Update" : "");
	mg_user **uv = NULL;
	size_t nu = 0;
	if (mg_store_user_list(st, b->name, &uv, &nu, &err) == 0) {
		for (size_t i = 0; i < nu; i++) {
			const mg_user *u = uv[i];
			strbuf_addf(&sb, "User %s: %s, passes %lld, synced %lld, skipped %lld",
			            u->email ? u->email : "", mg_user_status_name(u->status), u->passes,
			            u->synced_items, u->skipped_items);
			if (u->error)
				strbuf_addf(&sb, ", last error: %s", u->error);
			strbuf_addc(&sb, '\n');
		}
		mg_user_list_free(uv, nu);
	}
	mv_set_take(o, "DiagnosticInfo", mv_string_take(strbuf_detach(&sb, NULL)));
	return o;
}

static int get_batch_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	bool report = mg_switch(c, "IncludeReport");
	bool diag = mg_switch(c, "Diagnostic");
	const char *id = mg_arg_nonempty(c, "Identity");
	int status = mg_arg_enum(c, "Status", -1);
	bool filter_status = status >= 0;
	mg_batch_status want = filter_status ? (mg_batch_status)status : MG_BS_CREATED;
	long long limit = 1000;
	if (mg_arg_limit(c, "ResultSize", &limit) < 0)
		return -1;
	if (id) {
		mg_batch *b = NULL;
		int rc = mg_cmd_find_batch(c, st, id, &b);
		if (rc <= 0)
			return rc;
		rc = 0;
		if (!filter_status || b->status == want)
			rc = mg_emit_take(c, diag ? batch_with_diagnostics(c, st, b, report)
			                          : mg_obj_batch_load(st, b, report));
		mg_batch_free(b);
		return rc;
	}
	const char *endpoint = mg_arg_nonempty(c, "Endpoint");
	if (endpoint) {
		mg_endpoint *e = NULL;
		int found = mg_cmd_find_endpoint(c, st, endpoint, &e);
		if (found <= 0)
			return found;
		mg_endpoint_free(e);
	}
	mg_batch **v = NULL;
	size_t n = 0;
	if (mg_store_batch_list(st, &v, &n, &c->err) < 0)
		return -1;
	int rc = 0;
	long long emitted = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (filter_status && v[i]->status != want)
			continue;
		if (endpoint && !((v[i]->source_endpoint && str_ieq(v[i]->source_endpoint, endpoint)) ||
		                  (v[i]->target_endpoint && str_ieq(v[i]->target_endpoint, endpoint))))
			continue;
		if (!mg_cmd_within_result_size(c, limit, emitted))
			break;
		rc = mg_emit_take(c, diag ? batch_with_diagnostics(c, st, v[i], report)
		                          : mg_obj_batch_load(st, v[i], report));
		emitted++;
	}
	mg_batch_list_free(v, n);
	return rc;
}

/* ---------------------------------------------------------------- Set- */

struct set_args {
	char **emails;
	bool has_emails;
	long long report_interval;
	bool has_report_interval;
	bool skip_reports, has_skip_reports;
	bool sync_deletions, has_sync_deletions;
	int64_t start_after, complete_after;
	bool has_start_after, has_complete_after;
	long long bad, large;
	bool has_bad, has_large;
	bool allow_unknown, has_allow_unknown;
	bool update;
};

static int set_edit(mg_batch *b, void *arg, mg_err *err)
{
	(void)err;
	struct set_args *a = arg;
	if (a->has_emails) {
		mg_strv_free_all(b->notification_emails);
		b->notification_emails = mg_strv_dup(a->emails);
	}
	if (a->has_report_interval)
		b->report_interval = a->report_interval;
	if (a->has_skip_reports)
		b->skip_reports = a->skip_reports;
	if (a->has_sync_deletions)
		b->sync_deletions = a->sync_deletions;
	if (a->has_start_after)
		b->start_after = a->start_after;
	if (a->has_complete_after)
		b->complete_after = a->complete_after;
	if (a->has_bad)
		set_item_limit(&b->bad_item_limit, &b->bad_item_limit_set, a->bad);
	if (a->has_large)
		set_item_limit(&b->large_item_limit, &b->large_item_limit_set, a->large);
	if (a->has_allow_unknown)
		b->allow_unknown_columns = a->allow_unknown;
	if (a->update)
		b->req_update = true;
	return 0;
}

static int set_batch_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = NULL;
	mg_batch *b = NULL;
	int found = mg_cmd_load_batch(c, "name the batch to change", &st, &b);
	if (found <= 0)
		return found;
	char *name = xstrdup(b->name);
	char *zone = xstrdup(b->time_zone);
	bool batch_allows_unknown = b->allow_unknown_columns;
	mg_batch_free(b);

	struct set_args a;
	memset(&a, 0, sizeof a);
	unsigned char *csv = NULL;
	size_t csv_len = 0;
	int rc = -1, r;
	bool want_service = false;
	mg_tz *tz = NULL;

	if ((r = mg_arg_bytes(c, "CSVData", &csv, &csv_len)) < 0)
		goto out;
	bool add_users = mg_switch(c, "AddUsers");
	if (add_users && !csv) {
		mg_err_set(&c->err, MGC_INVALIDARG, "MissingCsvData",
		           "-AddUsers needs the new users in -CSVData (the same format as the batch's "
		           "CSV file).");
		goto out;
	}
	if (csv && !add_users) {
		mg_err_set(&c->err, MGC_INVALIDARG, "MissingAddUsers",
		           "-CSVData on Set-MigrationBatch adds users: add -AddUsers.");
		goto out;
	}
	if (mg_has(c, "NotificationEmails")) {
		a.emails = mg_arg_strv(c, "NotificationEmails", NULL);
		a.has_emails = true;
	}
	if ((r = mg_arg_seconds(c, "ReportInterval", &a.report_interval)) < 0)
		goto out;
	a.has_report_interval = r > 0;
	if (mg_has(c, "SkipReports")) {
		a.has_skip_reports = true;
		a.skip_reports = mv_truthy(mg_arg(c, "SkipReports"));
	}
	if (mg_has(c, "SyncDeletions")) {
		a.has_sync_deletions = true;
		a.sync_deletions = mv_truthy(mg_arg(c, "SyncDeletions"));
	}
	/* the batch's zone, looked up once for both dates */
	if ((mg_has(c, "StartAfter") || mg_has(c, "CompleteAfter")) && mg_cmd_open_zone(c, zone, &tz) < 0)
		goto out;
	if ((r = mg_arg_epoch_in_zone(c, "StartAfter", tz, &a.start_after)) < 0)
		goto out;
	a.has_start_after = r > 0;
	if ((r = mg_arg_epoch_in_zone(c, "CompleteAfter", tz, &a.complete_after)) < 0)
		goto out;
	a.has_complete_after = r > 0;
	if ((r = mg_arg_limit(c, "BadItemLimit", &a.bad)) < 0)
		goto out;
	a.has_bad = r > 0;
	if ((r = mg_arg_limit(c, "LargeItemLimit", &a.large)) < 0)
		goto out;
	a.has_large = r > 0;
	if (mg_has(c, "AllowUnknownColumnsInCsv")) {
		a.has_allow_unknown = true;
		a.allow_unknown = mv_truthy(mg_arg(c, "AllowUnknownColumnsInCsv"));
	}
	a.update = mg_switch(c, "Update");

	int go = mg_cmd_confirm(c, name, "Set migration batch");
	if (go <= 0) {
		rc = go;
		goto out;
	}
	bool any_setting = a.has_emails || a.has_report_interval || a.has_skip_reports || a.has_sync_deletions ||
	                   a.has_start_after || a.has_complete_after || a.has_bad || a.has_large ||
	                   a.has_allow_unknown || a.update;
	if (any_setting) {
		if (mg_batch_update(st, name, set_edit, &a, &c->err) < 0)
			goto out;
		want_service |= a.update || a.has_start_after;
	}
	if (add_users) {
		size_t added = 0;
		bool allow = a.has_allow_unknown ? a.allow_unknown : batch_allows_unknown;
		if (mg_batch_add_users(st, name, csv, csv_len, allow, &added, &c->err) < 0)
			goto out;
		mg_verbose(c, "%zu user(s) added to the migration batch '%s'.", added, name);
		if (!added)
			mg_warning(c, "No user was added to the migration batch '%s': every address in "
			           "the CSV is already in it.", name);
		warn_invalid_rows(c, st, name);
		want_service = true;
	}
	if (mg_switch(c, "ApproveSkippedItems") &&
	    mg_batch_approve_skipped(st, name, &c->err) < 0)
		goto out;
	if (mg_switch(c, "SyncNow")) {
		if (mg_batch_sync_now(st, name, &c->err) < 0)
			goto out;
		want_service = true;
	}
	if (want_service && mg_cmd_ensure_service_for_batch(c, st, name) < 0)
		goto out;
	rc = 0;
out:
	if (csv) {
		mg_wipe(csv, csv_len);
		free(csv);
	}
	mg_arg_strv_free(a.emails);
	mg_tz_free(tz);
	free(zone);
	free(name);
	return rc;
}

/* ---------------------------------------------------------------- declarations */

static const mg_param new_batch_params[] = {
	{ "Name", MPT_STRING, MPF_MANDATORY, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "A unique name for the batch, up to 64 characters. Other cmdlets refer to the batch by "
	  "it (-Identity)." },
	{ "SourceEndpoint", MPT_STRING, MPF_MANDATORY, -1, NULL, NULL, NULL, NULL, MGCOMP_ENDPOINT,
	  "The IMAP endpoint (New-MigrationEndpoint -IMAP) of the server the mail is copied from." },
	{ "CSVData", MPT_BYTES, MPF_MANDATORY, -1, NULL, MG_NAMES("CSVData"), NULL, NULL, MGCOMP_NONE,
	  "The CSV file's bytes: ([System.IO.File]::ReadAllBytes(\"C:\\path\\users.csv\")) or "
	  "(Get-Content -Path users.csv -Encoding Byte -Raw). Columns EmailAddress, UserName, "
	  "Password and optionally UserRoot; see about_Migration_Csv for every rule." },
	{ "CSVFile", MPT_STRING, MPF_MANDATORY | MPF_EXTENSION, -1, NULL, MG_NAMES("CSVFile"), NULL, NULL,
	  MGCOMP_FILE,
	  "migsh extension: the path of the CSV file (instead of -CSVData). Windows paths are "
	  "mapped as for ReadAllBytes." },
	{ "TargetEndpoint", MPT_STRING, MPF_EXTENSION, -1, NULL, NULL, NULL, NULL, MGCOMP_ENDPOINT,
	  "migsh extension: copy into the IMAP server of this endpoint (which holds administrator "
	  "credentials) instead of the local store ($MIGSH_HOME/mail)." },
	{ "AutoStart", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Start the batch at once (status Starting, then Syncing). Without it the batch stays "
	  "Created until Start-MigrationBatch." },
	{ "AutoComplete", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; IMAP batches are never completed automatically." },
	{ "ExcludeFolders", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Folders not to migrate, relative to the mailbox root, case-insensitive: \"Deleted "
	  "Items\",\"Junk Email\"; \"Projects/*\" for a folder and its subfolders; #Inbox#-style "
	  "names for well-known folders (Inbox, SentItems, DeletedItems, Drafts, JunkEmail, "
	  "Archive, ...)." },
	{ "IncludeFolders", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Migrate only these folders (same syntax as -ExcludeFolders)." },
	{ "ContentFilter", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Migrate only messages whose received date matches, e.g. \"Received -gt '8/23/2020'\"; "
	  "operators -gt -ge -lt -le -eq, combined with -and. Dates are read in -TimeZone (UTC "
	  "by default); one ending in Z, such as '2020-08-23T08:00:00Z', is always UTC." },
	{ "ContentFilterLanguage", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Culture of the content filter (accepted; dates are read as M/d/yyyy or yyyy-MM-dd)." },
	{ "NotificationEmails", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Addresses that receive the batch's status report (a message with the error report "
	  "attached, delivered into each recipient's mailbox in the destination and written to "
	  "the reports folder)." },
	{ "ReportInterval", MPT_TIMESPAN, 0, -1, NULL, NULL, NULL, "1.00:00:00", MGCOMP_NONE,
	  "How often the status report goes to -NotificationEmails while the batch is syncing, "
	  "synced or completing (besides the report when a sync finishes, the batch stops or "
	  "completes); 0 = never send a message (the report files are still written)." },
	{ "SkipReports", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Do not send status reports." },
	{ "SyncDeletions", MPT_SWITCH, MPF_EXTENSION, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "migsh extension, beyond Exchange: on each incremental sync, remove at the "
	  "destination the copies of messages that were deleted at the source since they "
	  "were copied. Only copies migsh made are removed, never other mail. Off by default: "
	  "such messages stay at the destination and are counted in the user's report. "
	  "(Messages moved to another folder are moved at the destination either way.)" },
	{ "StartAfter", MPT_DATETIME, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Do not start copying before this time (the batch shows Waiting until then)." },
	{ "CompleteAfter", MPT_DATETIME, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted; IMAP batches have no automatic completion." },
	{ "TimeZone", MPT_STRING, 0, -1, NULL, NULL, NULL, "UTC", MGCOMP_NONE,
	  "The time zone in which the dates of -StartAfter, -CompleteAfter and -ContentFilter "
	  "(and later Set-MigrationBatch -StartAfter) are read: a Windows name such as "
	  "'Pacific Standard Time' or 'W. Europe Standard Time', an IANA name such as "
	  "'Europe/Berlin', or 'UTC+05:30'. Times are kept in UTC (StartAfterUTC); a date "
	  "ending in Z and a value from Get-Date are instants, not read in the zone." },
	{ "AllowUnknownColumnsInCsv", MPT_BOOL, 0, -1, NULL, NULL, NULL, "$false", MGCOMP_NONE,
	  "$true: ignore CSV columns other than EmailAddress, UserName, Password and UserRoot. "
	  "$false (default): an unknown column rejects the CSV." },
	{ "BadItemLimit", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, "Unlimited", MGCOMP_NONE,
	  "Deprecated in Exchange Online. When given, a user fails after more bad items than "
	  "this; by default bad items are only recorded (SkippedItems, DataConsistencyScore)." },
	{ "LargeItemLimit", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, "Unlimited", MGCOMP_NONE,
	  "Deprecated in Exchange Online. When given, a user fails after more messages over "
	  "35 MB than this; by default they are skipped and recorded." },
	{ "AllowIncrementalSyncs", MPT_BOOL, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted and ignored." },
	{ "AutoRetryCount", MPT_INT, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted and ignored." },
	{ "Locale", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted and ignored." },
	{ "DisallowExistingUsers", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted and ignored." },
	{ "SkipSteps", MPT_STRINGS, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted and ignored." },
	{ "WorkflowControlFlags", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted and ignored." },
	{ "TargetDeliveryDomain", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Used by other migration types; accepted and ignored." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example new_batch_examples[] = {
	{ "New-MigrationBatch -Name IMAPBatch1 -SourceEndpoint IMAPEndpoint -CSVData ([System.IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv\")) -AutoStart",
	  "Creates the batch IMAPBatch1 from a CSV file and starts it at once. "
	  "(Microsoft's IMAP migration walkthrough.)", 0, "IMAPBatch1" },
	{ "New-MigrationBatch -Name IMAPbatch1 -CSVData ([System.IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv\")) -SourceEndpoint IMAPEndpoint1 -ExcludeFolders \"Deleted Items\",\"Junk Email\"",
	  "Creates a batch that leaves the Deleted Items and Junk Email folders behind. Start it "
	  "with Start-MigrationBatch. (Microsoft's reference example.)", 0, "IMAPbatch1" },
	{ "New-MigrationBatch -Name Since2020 -SourceEndpoint IMAPEndpoint -CSVData ([System.IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv\")) -ContentFilter \"Received -gt '8/23/2020'\"",
	  "Migrates only messages received after August 23, 2020.", 0, "Since2020" },
	{ "New-MigrationBatch -Name Weekend -SourceEndpoint IMAPEndpoint -CSVFile ./IMAPmigration_1.csv -TimeZone \"Pacific Standard Time\" -StartAfter \"12/24/2030 8:00 PM\" -ContentFilter \"Received -ge '1/1/2020'\" -AutoStart | Format-List Status,StartAfterUTC,TimeZone",
	  "Reads the dates in California time: copying starts at 8 PM Pacific on December 24 "
	  "(04:00 UTC the next day; the batch waits until then), and only mail received since "
	  "midnight Pacific time on January 1, 2020 is migrated.", 0, "Pacific Standard Time" },
	{ "New-MigrationBatch -Name BadZone -SourceEndpoint IMAPEndpoint -CSVFile ./IMAPmigration_1.csv -TimeZone \"Pacific Time\"",
	  "Refused: the time zone is neither a Windows time zone name nor an IANA name; the "
	  "error lists the forms that work.", MG_EXAMPLE_FAILS, "isn't known" },
	{ "New-MigrationBatch -Name InboxOnly -SourceEndpoint IMAPEndpoint -CSVData (Get-Content -Path IMAPmigration_1.csv -Encoding Byte -Raw) -IncludeFolders \"#Inbox#\",\"Projects/*\"",
	  "Migrates only the inbox and the Projects folder with its subfolders; the CSV is read "
	  "with Get-Content as in Windows PowerShell 5.1.", 0, "InboxOnly" },
	{ "New-MigrationBatch -Name FromFile -SourceEndpoint IMAPEndpoint -CSVFile ./IMAPmigration_1.csv -NotificationEmails admin@contoso.edu -AutoStart",
	  "migsh extension: read the CSV from a path, and send the status report to "
	  "admin@contoso.edu.", 0, "FromFile" },
	{ "New-MigrationBatch -Name ToNewServer -SourceEndpoint IMAPEndpoint -TargetEndpoint NewServer -CSVFile ./IMAPmigration_1.csv",
	  "migsh extension: copy into another IMAP server (an endpoint created with "
	  "-Credentials) instead of the local store.", 0, "ToNewServer" },
	{ "New-MigrationBatch -Name Broken -SourceEndpoint IMAPEndpoint -CSVFile ./missing-password-column.csv",
	  "Refused: the CSV has no Password column, so no batch is created; the error names the "
	  "missing column.", MG_EXAMPLE_FAILS, "Password" },
	{ "New-MigrationBatch -Name NoEndpoint -SourceEndpoint NoSuchEndpoint -CSVFile ./IMAPmigration_1.csv",
	  "Refused: the source endpoint does not exist.", MG_EXAMPLE_FAILS, "couldn't be found" },
	{ "migsh -c 'New-MigrationBatch -Name IMAPBatch1 -SourceEndpoint IMAPEndpoint -CSVData (Get-Content -Path ./IMAPmigration_1.csv -AsByteStream -Raw) -AutoStart' && migsh -c 'Get-MigrationBatch IMAPBatch1'",
	  "From bash: create and start a batch, then show it.", MG_EXAMPLE_BASH, "IMAPBatch1" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_new_migration_batch = {
	.name = "New-MigrationBatch",
	.synopsis = "Creates an IMAP migration batch from a CSV file of users.",
	.description =
	  "New-MigrationBatch creates a batch: one migration user per CSV row, copying that "
	  "user's mail from the source IMAP server (-SourceEndpoint) into the destination "
	  "mailbox named by EmailAddress - the local Maildir++ store under $MIGSH_HOME/mail, or "
	  "with -TargetEndpoint (extension) another IMAP server.\n\n"
	  "The CSV is validated first. These problems reject the whole file and no batch is "
	  "created (the error names the check): an empty file; not comma-separated; more than "
	  "50,000 rows; larger than 10 MB; a header without EmailAddress, UserName or Password "
	  "(names are case-insensitive, UserRoot is optional); an unknown column (unless "
	  "-AllowUnknownColumnsInCsv $true); a row with a different number of columns than the "
	  "header (the line is named). Problems of one row - a malformed EmailAddress, an empty "
	  "UserName or Password, an address that appears twice in the file or is already in "
	  "another batch - do not stop the batch: that user is created with status Failed and "
	  "the validation error, and the other users are migrated.\n\n"
	  "UserName may use an administrator format, passed to the server untouched: "
	  "Domain/Admin/User (Exchange), user*admin (Dovecot master user), "
	  "#user@domain#admin# (Mirapoint), or an admin login with the UserRoot column.\n\n"
	  "Without -AutoStart the batch stays Created. With it (or with Start-MigrationBatch) "
	  "the background migration service copies the mail: status Syncing, then Synced (or "
	  "SyncedWithErrors / Failed). Synced batches get an incremental sync every 24 hours "
	  "(Set-MigrationConfig -IncrementalSyncInterval) until they are completed or removed. "
	  "At most 100 batches may exist.",
	.params = new_batch_params,
	.default_set = "CSVData",
	.inputs = "None.",
	.outputs = "MigrationBatch. The new batch.",
	.output_type = &mg_type_batch,
	.examples = new_batch_examples,
	.notes =
	  "The source is only read (EXAMINE and BODY.PEEK): nothing is changed or marked read "
	  "there. Messages over 35 MB and beyond 500,000 items per mailbox (newest first) are "
	  "skipped and reported. Passwords from the CSV are kept in the state directory (files "
	  "0600) and never shown. See about_migsh_workflow and about_Migration_Csv.",
	.related = MG_NAMES("Get-MigrationBatch", "Start-MigrationBatch", "Set-MigrationBatch",
	                    "Get-MigrationUser", "Get-MigrationUserStatistics",
	                    "New-MigrationEndpoint", "about_migsh_workflow", "about_Migration_Csv"),
	.flags = MCF_SHOULD_PROCESS,
	.process = new_batch_process,
};

static const mg_param get_batch_params[] = {
	{ "Identity", MPT_STRING, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, MG_NAMES("Identity"), NULL,
	  NULL, MGCOMP_BATCH, "The name (or BatchGuid) of the batch. Omitted: every batch." },
	{ "Endpoint", MPT_STRING, 0, -1, NULL, MG_NAMES("Endpoint"), NULL, NULL, MGCOMP_ENDPOINT,
	  "Only the batches using this endpoint (as source or target). Not with -Identity." },
	{ "Status", MPT_ENUM, 0, -1, mg_batch_status_names, NULL, NULL, NULL, MGCOMP_ENUM,
	  "Only batches with this status (Created, Syncing, Synced, SyncedWithErrors, Stopped, "
	  "Failed, Completed, ...)." },
	{ "IncludeReport", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Fill the Report property: the batch's report files (MigrationErrors.csv with the "
	  "failed users, Summary.txt, notification messages)." },
	{ "ResultSize", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, "1000", MGCOMP_NONE,
	  "At most this many batches (a number or Unlimited)." },
	{ "Diagnostic", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Fill DiagnosticInfo with troubleshooting details: the batch's directories, the state "
	  "of the migration service, pending requests and each user's status, sync passes and "
	  "last error." },
	{ "DiagnosticArgument", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility and ignored." },
	MG_P_DIAGNOSTICINFO,
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example get_batch_examples[] = {
	{ "Get-MigrationBatch IMAPBatch1 -Diagnostic | Format-List Identity,Status,DiagnosticInfo",
	  "Troubleshooting details: directories, the migration service, each user's state.",
	  0, "DiagnosticInfo" },
	{ "Get-MigrationBatch IMAPBatch1",
	  "Shows the batch: Identity, Status, Type and TotalCount. (Microsoft's IMAP migration "
	  "walkthrough.)", 0, "IMAPBatch1" },
	{ "Get-MigrationBatch -Identity IMAPBatch1 | Format-List",
	  "Shows every property of the batch.", 0, "TotalCount" },
	{ "Get-MigrationBatch -Identity IMAPBatch1 | Format-List Status",
	  "Shows only the status.", 0, "Status" },
	{ "Get-MigrationBatch", "Lists every batch.", 0, "IMAPBatch1" },
	{ "Get-MigrationBatch -Status SyncedWithErrors",
	  "Lists the batches in which some users failed.", 0, NULL },
	{ "Get-MigrationBatch -Endpoint IMAPEndpoint", "Lists the batches using an endpoint.",
	  0, "IMAPBatch1" },
	{ "Get-MigrationBatch IMAPBatch1 -IncludeReport | Format-List Identity,Status,FailedCount,Report",
	  "Names the batch's report files (the error report MigrationErrors.csv and the "
	  "summary).", 0, "Report" },
	{ "Get-MigrationBatch NoSuchBatch", "An unknown batch is an error.", MG_EXAMPLE_FAILS,
	  "couldn't be found" },
	{ "foreach ($b in Get-MigrationBatch) { if ($b.FailedCount -gt 0) { Get-MigrationUser -BatchId $b.Identity.Name -StatusSummary Failed | Format-Table Identity,Batch,ErrorSummary } }",
	  "In a script: list the failed users of every batch that has some.", 0, NULL },
	{ "*/30 * * * * migsh -c 'Get-MigrationBatch | Where-Object { $_.FailedCount -gt 0 } | Format-Table Identity,Status,FailedCount' >> $HOME/migsh-failures.log 2>&1",
	  "A crontab line: every 30 minutes, log the batches with failed users.",
	  MG_EXAMPLE_BASH, NULL },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_get_migration_batch = {
	.name = "Get-MigrationBatch",
	.synopsis = "Shows migration batches and their status.",
	.description =
	  "Get-MigrationBatch returns the batches (all, one by -Identity, those of an -Endpoint, "
	  "or with a -Status). The counts (TotalCount, ActiveCount, StoppedCount, SyncedCount, "
	  "FinalizedCount, FailedCount, FailedInitialSyncCount, FailedIncrementalSyncCount, "
	  "PendingCount) are computed from the batch's users. Dates: CreationDateTime, "
	  "StartDateTime, InitialSyncDateTime, LastSyncedDateTime, FinalizedDateTime. "
	  "SupportedActions lists what the batch's status allows.\n\n"
	  "migsh adds DataConsistencyScore (the worst of its users: Perfect, Good, "
	  "Investigate, Poor), ItemsSynced, ItemsSkipped, ItemsInSource, ValidationWarnings "
	  "(the CSV rows that failed validation) and, with -IncludeReport, ReportDirectory and "
	  "ReportFiles.",
	.params = get_batch_params,
	.default_set = "Identity",
	.inputs = "String or MigrationBatch (the Identity, by value or by property name).",
	.outputs = "MigrationBatch (default table: Identity, Status, Type, TotalCount).",
	.output_type = &mg_type_batch,
	.examples = get_batch_examples,
	.notes = "Batch status values: Created, Starting, Syncing, Stopping, Stopped, Synced, "
	         "SyncedWithErrors, IncrementalSyncing, Completing, Completed, CompletedWithErrors, "
	         "Failed, Removing, Corrupted, Waiting. See about_migsh_workflow for what each "
	         "allows.",
	.related = MG_NAMES("New-MigrationBatch", "Set-MigrationBatch", "Start-MigrationBatch",
	                    "Stop-MigrationBatch", "Complete-MigrationBatch",
	                    "Remove-MigrationBatch", "Get-MigrationUser"),
	.process = get_batch_process,
};

static const mg_param set_batch_params[] = {
	{ "Identity", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL,
	  NULL, NULL, MGCOMP_BATCH, "The name (or BatchGuid) of the batch to change." },
	{ "AddUsers", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Add the users of -CSVData to the batch (rows for addresses already in it are "
	  "skipped). Refused while the batch is Starting, Syncing, Stopping, Completing or "
	  "Removing." },
	{ "CSVData", MPT_BYTES, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "With -AddUsers: the CSV bytes of the users to add, in the same format as for "
	  "New-MigrationBatch." },
	{ "AllowUnknownColumnsInCsv", MPT_BOOL, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "$true: ignore unknown CSV columns." },
	{ "NotificationEmails", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Replaces the list of report recipients." },
	{ "ReportInterval", MPT_TIMESPAN, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "How often the status report goes to the recipients while the batch is syncing, "
	  "synced or completing; 0 = never send a message. Takes effect at once." },
	{ "SkipReports", MPT_BOOL, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "$true to stop sending reports, $false to send them again (a Boolean here, a switch "
	  "on New-MigrationBatch)." },
	{ "SyncDeletions", MPT_BOOL, MPF_EXTENSION, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "migsh extension, beyond Exchange: $true to remove at the destination the copies of "
	  "messages deleted or moved away at the source (from the next sync on; only copies "
	  "migsh made), $false (the default) to keep them." },
	{ "StartAfter", MPT_DATETIME, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Do not copy before this time." },
	{ "CompleteAfter", MPT_DATETIME, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted; recorded only." },
	{ "SyncNow", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Start an incremental synchronization of the batch's synced users now (for example "
	  "right after the MX record was changed). Failed users are not retried (use "
	  "Start-MigrationBatch for that)." },
	{ "Update", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Make the running batch re-read its endpoint, batch and user settings now." },
	{ "ApproveSkippedItems", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Mark every item skipped so far as approved (clears HasUnapprovedSkippedItems; the "
	  "DataConsistencyScore stays as it is)." },
	{ "BadItemLimit", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Deprecated in Exchange Online; see New-MigrationBatch." },
	{ "LargeItemLimit", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Deprecated in Exchange Online; see New-MigrationBatch." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example set_batch_examples[] = {
	{ "Set-MigrationBatch -Identity IMAPBatch1 -SyncNow",
	  "Runs an incremental synchronization now, for example right after switching the MX "
	  "record to the new server.", 0, NULL },
	{ "Set-MigrationBatch -Identity IMAPBatch1 -ApproveSkippedItems",
	  "Approves the items skipped so far (Microsoft's reference example).", 0, NULL },
	{ "Set-MigrationBatch -Identity IMAPBatch1 -AddUsers -CSVData ([System.IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\IMAPmigration_2.csv\"))",
	  "Adds the users of a second CSV file to the batch.", 0, NULL },
	{ "Set-MigrationBatch -Identity IMAPBatch1 -NotificationEmails admin@contoso.edu,helpdesk@contoso.edu -ReportInterval 12:00:00",
	  "Sends the status report to two addresses every 12 hours.", 0, NULL },
	{ "Set-MigrationBatch IMAPBatch1 -SkipReports $true", "Stops sending reports.", 0, NULL },
	{ "Set-MigrationBatch -Identity NoSuchBatch -SyncNow", "An unknown batch is an error.",
	  MG_EXAMPLE_FAILS, "couldn't be found" },
	{ "0 6 * * * migsh -c 'Set-MigrationBatch -Identity IMAPBatch1 -SyncNow'",
	  "A crontab line: an extra incremental sync every morning at 6.", MG_EXAMPLE_BASH, NULL },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_set_migration_batch = {
	.name = "Set-MigrationBatch",
	.synopsis = "Changes a migration batch: settings, added users, an immediate sync.",
	.description =
	  "Set-MigrationBatch changes a batch's report settings, start time and item limits, "
	  "adds users from another CSV (-AddUsers -CSVData), approves skipped items, makes a "
	  "running batch re-read its settings (-Update) or starts an incremental "
	  "synchronization at once (-SyncNow). Refused for a Completed batch without "
	  "failures, and while it is being removed or is corrupted; the error says the status "
	  "and what it allows. Nothing is written to the pipeline on success.",
	.params = set_batch_params,
	.inputs = "String or MigrationBatch (the Identity).",
	.outputs = "None.",
	.examples = set_batch_examples,
	.notes = "There is no -ExcludeFolders on Set-MigrationBatch (as in Exchange): create a new "
	         "batch to change the folder selection.",
	.related = MG_NAMES("New-MigrationBatch", "Get-MigrationBatch", "Start-MigrationBatch",
	                    "Set-MigrationConfig", "about_migsh_workflow"),
	.flags = MCF_SHOULD_PROCESS,
	.process = set_batch_process,
};
