/*
 * cmd_user.c - Get-MigrationUser and Remove-MigrationUser: the users of the
 * batches (one per CSV row), their status and their last sync.
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

/* Get-MigrationUser's listing: users streamed from the store into the pipeline. */
typedef struct emit_users {
	mg_ctx   *c;
	long long limit, emitted;
} emit_users;

static int emit_user(mg_user *u, void *arg, mg_err *err)
{
	(void)err;
	emit_users *e = arg;
	int rc = 1;
	if (mg_cmd_within_result_size(e->c, e->limit, e->emitted)) {
		rc = mg_emit_take(e->c, mg_obj_user(u)) < 0 ? -1 : 0;
		e->emitted++;
	}
	mg_user_free(u);
	return rc;
}

static int get_user_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	const char *id = mg_arg_nonempty(c, "Identity");
	if (!id)
		id = mg_arg_nonempty(c, "EmailAddress");
	if (!id)
		id = mg_arg_nonempty(c, "MailboxGuid");
	if (id) {
		mg_user *u = NULL;
		int found = mg_cmd_find_user(c, st, id, &u);
		if (found <= 0)
			return found;
		int rc = mg_emit_take(c, mg_obj_user(u));
		mg_user_free(u);
		return rc;
	}
	int status = mg_arg_enum(c, "Status", -1);
	bool by_status = status >= 0;
	mg_user_status want = by_status ? (mg_user_status)status : MG_US_QUEUED;
	int summary = mg_arg_enum(c, "StatusSummary", -1);
	long long limit = 1000;
	if (mg_arg_limit(c, "ResultSize", &limit) < 0)
		return -1;
	const char *batch = mg_arg_nonempty(c, "BatchId");
	char *bname = NULL;
	if (batch) {
		mg_batch *b = NULL;
		int found = mg_cmd_find_batch(c, st, batch, &b);
		if (found <= 0)
			return found;
		bname = xstrdup(b->name);
		mg_batch_free(b);
	}
	/* the store filters by status (index) and stops after the limit */
	unsigned long mask = 0;
	for (int s = 0; s < MG_US__COUNT; s++)
		if ((!by_status || (mg_user_status)s == want) &&
		    (summary < 0 || (int)mg_user_status_summary_of((mg_user_status)s) == summary))
			mask |= 1UL << s;
	emit_users eu = { c, limit, 0 };
	/* one more than the limit: the warning says when there are more */
	int rc = mg_store_user_each(st, bname, mask == (1UL << MG_US__COUNT) - 1 ? 0 : mask,
	                            limit < 0 ? -1 : limit + 1, emit_user, &eu, &c->err);
	free(bname);
	return rc;
}

static int remove_user_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = NULL;
	mg_user *u = NULL;
	int rc = mg_cmd_load_user(c, "give the user's email address", &st, &u);
	if (rc <= 0)
		return rc;
	char target[512];
	snprintf(target, sizeof target, "%s (batch %s)", u->email, u->batch);
	char *email = xstrdup(u->email);
	mg_user_free(u);
	rc = mg_cmd_confirm(c, target, "Remove migration user");
	if (rc > 0) {
		mg_err err;
		mg_err_clear(&err);
		rc = mg_user_remove(st, email, &err) < 0 ? mg_cmd_report(c, &err, email) : 0;
	}
	free(email);
	return rc;
}

/* ---------------------------------------------------------------- declarations */

static const mg_param get_user_params[] = {
	{ "Identity", MPT_STRING, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, MG_NAMES("Identity"), NULL,
	  NULL, MGCOMP_USER, "The user's email address (or Guid)." },
	{ "BatchId", MPT_STRING, 0, -1, NULL, MG_NAMES("StatusAndBatchId"), NULL, NULL, MGCOMP_BATCH,
	  "The users of this batch." },
	{ "Status", MPT_ENUM, 0, -1, mg_user_status_names, MG_NAMES("StatusAndBatchId"), NULL, NULL,
	  MGCOMP_ENUM,
	  "Only users with this status (Queued, Syncing, Synced, IncrementalSyncing, Failed, "
	  "IncrementalFailed, Stopped, Completed, ...)." },
	{ "StatusSummary", MPT_ENUM, 0, -1, mg_status_summary_names, MG_NAMES("StatusAndBatchId"), NULL,
	  NULL, MGCOMP_ENUM, "Only users whose StatusSummary is Active, Completed, Failed, "
	  "Stopped or Synced." },
	{ "EmailAddress", MPT_STRING, MPF_MANDATORY, -1, NULL, MG_NAMES("EmailAddress"), NULL, NULL,
	  MGCOMP_USER, "The user's email address (a form of its own)." },
	{ "MailboxGuid", MPT_STRING, MPF_MANDATORY, -1, NULL, MG_NAMES("MailboxGuid"), NULL, NULL,
	  MGCOMP_NONE, "The user's Guid (a form of its own)." },
	{ "ResultSize", MPT_UNLIMITED, 0, -1, NULL, MG_NAMES("StatusAndBatchId"), NULL, "1000", MGCOMP_NONE,
	  "At most this many users (a number or Unlimited)." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example get_user_examples[] = {
	{ "Get-MigrationUser -BatchId IMAPBatch1",
	  "Lists the users of a batch with their status and last sync time.", 0, "Identity" },
	{ "Get-MigrationUser -Identity terrya@contoso.edu",
	  "Shows one user (Microsoft's reference example, with an IMAP address).", 0,
	  "terrya@contoso.edu" },
	{ "Get-MigrationUser -BatchId IMAPBatch1 | Get-MigrationUserStatistics",
	  "Shows the statistics of every user of the batch. (Microsoft's IMAP migration "
	  "walkthrough.)", 0, "terrya@contoso.edu" },
	{ "Get-MigrationUser -StatusSummary Failed | Format-List Identity,Batch,Status,ErrorSummary",
	  "Lists every failed user with the reason.", 0, NULL },
	{ "Get-MigrationUser -Identity nobody@contoso.edu", "An unknown user is an error.",
	  MG_EXAMPLE_FAILS, "couldn't be found" },
	{ "migsh -c 'Get-MigrationUser -StatusSummary Failed | Select-Object -ExpandProperty Identity'",
	  "From bash: the addresses of the failed users, one per line.", MG_EXAMPLE_BASH, NULL },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_get_migration_user = {
	.name = "Get-MigrationUser",
	.synopsis = "Shows the users of migration batches and their status.",
	.description =
	  "Get-MigrationUser returns migration users: one by -Identity (email address), the "
	  "users of a batch (-BatchId), or all, optionally only those with a -Status or "
	  "-StatusSummary. The default display is a table of Identity, Batch, Status and "
	  "LastSyncTime. Pipe users into Get-MigrationUserStatistics for item counts, skipped "
	  "items and the per-user report.\n\n"
	  "User status values: Queued (waiting for a free slot), Syncing (initial copy), Synced, "
	  "IncrementalSyncing, Completing, Completed, Failed (validation or initial sync "
	  "failed), IncrementalFailed, Stopped, Removing. StatusSummary groups them into "
	  "Active, Synced, Completed, Failed and Stopped.",
	.params = get_user_params,
	.default_set = "Identity",
	.inputs = "String (the Identity).",
	.outputs = "MigrationUser.",
	.output_type = &mg_type_user,
	.examples = get_user_examples,
	.notes = "migsh adds UserName (the source login, admin formats as given), UserRoot, "
	         "TargetMailbox (where the mail goes) and CsvLine.",
	.related = MG_NAMES("Get-MigrationUserStatistics", "Start-MigrationUser",
	                    "Stop-MigrationUser", "Set-MigrationUser", "Remove-MigrationUser",
	                    "Get-MigrationBatch"),
	.process = get_user_process,
};

static const mg_param remove_user_params[] = {
	{ "Identity", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL,
	  NULL, NULL, NULL, MGCOMP_USER, "The email address (or Guid) of the user to remove." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example remove_user_examples[] = {
	{ "Remove-MigrationUser -Identity terrya@contoso.edu",
	  "Removes the user from its batch after asking for confirmation.", MG_EXAMPLE_TTY,
	  "Are you sure you want to perform this action?" },
	{ "Remove-MigrationUser -Identity terrya@contoso.edu -Confirm:$false",
	  "Removes it without asking. Mail already migrated stays in the destination mailbox.",
	  0, NULL },
	{ "Get-MigrationUser -StatusSummary Failed | Remove-MigrationUser -Confirm:$false",
	  "Removes every failed user (for example before adding them again with a corrected "
	  "CSV via Set-MigrationBatch -AddUsers).", 0, NULL },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_remove_migration_user = {
	.name = "Remove-MigrationUser",
	.synopsis = "Removes a user from its migration batch.",
	.description =
	  "Remove-MigrationUser deletes a migration user (its record, statistics and report) "
	  "from its batch; the mail already copied stays in the destination. Refused while the "
	  "user is being synchronized: stop the batch first. Asks for confirmation unless "
	  "-Confirm:$false is given.",
	.params = remove_user_params,
	.inputs = "String or MigrationUser (the Identity).",
	.outputs = "None.",
	.examples = remove_user_examples,
	.related = MG_NAMES("Get-MigrationUser", "Set-MigrationBatch", "Stop-MigrationBatch"),
	.flags = MCF_SHOULD_PROCESS | MCF_CONFIRM_HIGH,
	.process = remove_user_process,
};
