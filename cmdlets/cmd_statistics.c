/*
 * cmd_statistics.c - Get-MigrationUserStatistics (per-user counts, skipped
 * items, the per-user report) and Get-MigrationStatistics (counts over all
 * batches).
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "cmdlets/objects.h"
#include "cmdlets/types.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/lifecycle.h"
#include "engine/store.h"

#include <stdlib.h>
#include <string.h>

static int user_stats_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = NULL;
	mg_user *u = NULL;
	int found = mg_cmd_load_user(c, "give the user's email address", &st, &u);
	if (found <= 0)
		return found;
	mg_err err;
	mg_err_clear(&err);
	mg_skipped_rec *sk = NULL;
	size_t nsk = 0;
	bool with_skipped = mg_switch(c, "IncludeSkippedItems");
	long long limit = -1;
	if (mg_has(c, "LimitSkippedItemsTo")) {
		if (mv_to_ll(mg_arg(c, "LimitSkippedItemsTo"), &limit) < 0 || limit < 0) {
			mg_user_free(u);
			return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidLimit",
			                  "-LimitSkippedItemsTo must be a non-negative number.");
		}
		with_skipped = true;
	}
	if (with_skipped && mg_store_skipped_load(st, u->batch, u->email, &sk, &nsk, &err) < 0) {
		mg_error(c, &err, u->email);
		sk = NULL;
		nsk = 0;
	}
	char *report = NULL;
	if (mg_switch(c, "IncludeReport") &&
	    mg_store_user_report_read(st, u->batch, u->email, &report, &err) < 0) {
		mg_error(c, &err, u->email);
		report = NULL;
	}
	static const mg_skipped_rec none[1];
	int rc = mg_emit_take(c, mg_obj_user_stats(u, with_skipped ? (sk ? sk : none) : NULL,
	                                           nsk, limit, report));
	free(report);
	mg_skipped_recs_free(sk, nsk);
	mg_user_free(u);
	return rc;
}

static int statistics_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	mg_batch_counts k;
	if (mg_store_batch_counts(st, NULL, &k, &c->err) < 0)   /* SQL aggregates */
		return -1;
	mv *o = mv_object(&mg_type_statistics);
	mv_set_str(o, "Identity", "MigrationStatistics");
	mv_set_int(o, "TotalCount", k.total);
	mv_set_int(o, "ActiveCount", k.active);
	mv_set_int(o, "StoppedCount", k.stopped);
	mv_set_int(o, "SyncedCount", k.synced);
	mv_set_int(o, "FinalizedCount", k.finalized);
	mv_set_int(o, "FailedCount", k.failed);
	mv_set_int(o, "PendingCount", k.pending);
	mv_set_int(o, "ProvisionedCount", 0);
	mv_set_str(o, "MigrationType", "IMAP");
	mv_set_int(o, "BatchCount", (long long)mg_store_batch_count(st));
	mv_set_int(o, "ItemsSynced", k.items_synced);
	mv_set_int(o, "ItemsSkipped", k.items_skipped);
	mv_set_int(o, "ItemsInSource", k.items_total);
	mv_set_str(o, "DiagnosticInfo", NULL);
	return mg_emit_take(c, o);
}

/* ---------------------------------------------------------------- declarations */

static const mg_param user_stats_params[] = {
	{ "Identity", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL,
	  NULL, NULL, NULL, MGCOMP_USER,
	  "The user's email address (or Guid); Get-MigrationUser output can be piped in." },
	{ "IncludeReport", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Fill Report with the user's migration log: connections, folders, counts per pass, "
	  "skipped items (folder, subject, size, reason) and errors. Never contains passwords." },
	{ "IncludeSkippedItems", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Fill SkippedItems: one object per skipped message with DateReceived, Kind "
	  "(LargeItem, BadItem, OverItemLimit, Filtered, FolderExcluded, FolderNameInvalid, "
	  "TargetRejected), FolderName, Subject, MessageSize and Reason. BadItem: the source "
	  "server could not deliver the message; TargetRejected: the target IMAP server "
	  "refused to store it (Dovecot refuses a zero-byte message); both count as bad "
	  "items (ItemsBad, -BadItemLimit, DataConsistencyScore)." },
	{ "LimitSkippedItemsTo", MPT_INT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "At most this many SkippedItems (implies -IncludeSkippedItems)." },
	{ "SkipSubscription", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility and ignored." },
	{ "Diagnostic", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; use -IncludeReport." },
	{ "DiagnosticArgument", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility and ignored." },
	MG_P_DIAGNOSTICINFO,
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example user_stats_examples[] = {
	{ "Get-MigrationUserStatistics -Identity terrya@contoso.edu -IncludeReport | Format-List Status,Error,Report",
	  "Shows the status, the error (if any) and the migration log of one user. (Microsoft's "
	  "IMAP migration walkthrough.)", 0, "Report" },
	{ "Get-MigrationUser -BatchId IMAPBatch1 | Get-MigrationUserStatistics",
	  "Statistics of every user of a batch: Identity, Batch, Status, items synced and "
	  "skipped.", 0, "terrya@contoso.edu" },
	{ "Get-MigrationUserStatistics terrya@contoso.edu | Format-List SyncedItemCount,SkippedItemCount,TotalItemsInSourceMailboxCount,BytesTransferred,DataConsistencyScore",
	  "The counts behind the data consistency score.", 0, "DataConsistencyScore" },
	{ "Get-MigrationUserStatistics terrya@contoso.edu -IncludeSkippedItems | Select-Object -ExpandProperty SkippedItems",
	  "Lists the skipped messages with their folder, subject, size and reason.", 0, NULL },
	{ "Get-MigrationUserStatistics -Identity nobody@contoso.edu", "An unknown user is an "
	  "error.", MG_EXAMPLE_FAILS, "couldn't be found" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_get_migration_user_statistics = {
	.name = "Get-MigrationUserStatistics",
	.synopsis = "Shows detailed statistics, skipped items and the report of a migration user.",
	.description =
	  "Get-MigrationUserStatistics returns one user's progress: Status, Error, "
	  "SyncedItemCount, SkippedItemCount, TotalItemsInSourceMailboxCount, "
	  "EstimatedTotalTransferSize, BytesTransferred, PercentageComplete, the durations "
	  "(TotalQueuedDuration, TotalInProgressDuration, TotalSyncedDuration, "
	  "TotalStalledDuration), LastSuccessfulSyncTime, DataConsistencyScore and "
	  "HasUnapprovedSkippedItems; with -IncludeSkippedItems the skipped messages and with "
	  "-IncludeReport the per-user log.\n\n"
	  "DataConsistencyScore says how much was lost: Perfect (nothing), Good (large items "
	  "or fewer than 0.1 % bad items), Investigate (fewer than 1 % bad, or items beyond "
	  "the 500,000-item limit), Poor (1 % or more bad). Items left out on purpose "
	  "(-ExcludeFolders, -IncludeFolders, -ContentFilter) do not count.\n\n"
	  "migsh extras: ItemsLarge, ItemsBad, ItemsFiltered, ItemsExcluded, ItemsOverLimit, "
	  "FoldersInSource, FoldersSynced, LastSyncCopiedItems, LastSyncFlagUpdates, "
	  "SyncCount, TargetMailbox, ErrorCategory.\n\n"
	  "Changes at the source after a message was copied (migsh extras, beyond Exchange): "
	  "ItemsMoved counts messages moved to another folder at the source and moved at the "
	  "destination too (never copied again, never left in the old folder); "
	  "ItemsDeletedAtSource counts copied messages deleted at the source since, and "
	  "ItemsDeletedAtDestination those of them removed at the destination because the "
	  "batch has -SyncDeletions (the others stay at the destination). A message that was "
	  "moved but has no Message-ID cannot be recognised: it is copied into its new folder "
	  "and its old copy counts as deleted at the source.",
	.params = user_stats_params,
	.inputs = "String or MigrationUser (the Identity, by value or by property name).",
	.outputs = "MigrationUserStatistics (default table: Identity, Batch, Status, ItemsSynced, "
	           "ItemsSkipped).",
	.output_type = &mg_type_user_stats,
	.examples = user_stats_examples,
	.related = MG_NAMES("Get-MigrationUser", "Get-MigrationBatch", "Set-MigrationBatch",
	                    "about_migsh_troubleshooting"),
	.process = user_stats_process,
};

static const mg_param statistics_params[] = {
	MG_P_DIAGNOSTICINFO,
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example statistics_examples[] = {
	{ "Get-MigrationStatistics",
	  "Counts of users over every batch (Microsoft's reference example).", 0, "TotalCount" },
	{ "Get-MigrationStatistics | Format-List TotalCount,SyncedCount,FailedCount",
	  "Only the main counts.", 0, "SyncedCount" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_get_migration_statistics = {
	.name = "Get-MigrationStatistics",
	.synopsis = "Shows the numbers of migration users over all batches.",
	.description =
	  "Get-MigrationStatistics returns one object with the counts of migration users in "
	  "every batch: TotalCount, ActiveCount, StoppedCount, SyncedCount, FinalizedCount, "
	  "FailedCount, PendingCount, ProvisionedCount (always 0 for IMAP), plus migsh's "
	  "BatchCount, ItemsSynced, ItemsSkipped and ItemsInSource.",
	.params = statistics_params,
	.inputs = "None.",
	.outputs = "MigrationStatistics.",
	.output_type = &mg_type_statistics,
	.examples = statistics_examples,
	.related = MG_NAMES("Get-MigrationBatch", "Get-MigrationUser", "Get-MigrationConfig"),
	.process = statistics_process,
};
