/*
 * cmd_user_lifecycle.c - Start-, Stop- and Set-MigrationUser: the batch
 * life cycle for one user of a batch while the rest of the batch goes on.
 * The status rules and refusal messages are the control plane's
 * (engine/lifecycle.h, engine/user_ops.c); the cmdlets resolve the user,
 * ask for confirmation and make sure the background service runs.
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "common/mem.h"
#include "engine/lifecycle.h"
#include "engine/store.h"
#include "engine/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The user named by -Identity (a piped MigrationUser binds its Identity),
 * or when omitted the only user there is: 1 with *out set (free it), 0 / -1
 * as in cmd_common.h. */
static int resolve_user(mg_ctx *c, mg_store *st, mg_user **out)
{
	*out = NULL;
	const char *id = mg_arg_nonempty(c, "Identity");
	if (id)
		return mg_cmd_find_user(c, st, id, out);
	/* a count, and the user only when there is exactly one */
	size_t n = (size_t)mg_store_user_count(st, NULL);
	if (n == 1) {
		mg_user **v = NULL;
		size_t k = 0;
		if (mg_store_user_list_status(st, NULL, 0, 1, &v, &k, &c->err) < 0)
			return -1;
		if (k == 1)
			*out = mg_user_dup(v[0]);
		mg_user_list_free(v, k);
	}
	if (*out)
		return 1;
	mg_err err;
	mg_err_clear(&err);
	mg_err_set(&err, MGC_INVALIDARG, "IdentityRequired",
	           n ? "There are %zu migration users: name one with -Identity, or pipe them in "
	             "(Get-MigrationUser -BatchId <batch> | %s)."
	             : "There is no migration user%.0zu: create a batch with New-MigrationBatch (%s "
	               "works on its users).",
	           n, c->cmd->name);
	return mg_cmd_report(c, &err, NULL);
}

/* How the three begin: the store, the user and the go-ahead for `action`
 * (-WhatIf, -Confirm) on "email (batch B)".  1 = go ahead (*st, *email and
 * *batch set; free the strings), 0 / -1 as in cmd_common.h. */
static int user_to_process(mg_ctx *c, const char *action, bool mandatory, mg_store **st,
                           char **email, char **batch)
{
	*email = *batch = NULL;
	mg_user *u = NULL;
	int r;
	if (mandatory) {
		r = mg_cmd_load_user(c, "give the user's email address", st, &u);
	} else {
		*st = mg_cmd_store(c);
		r = *st ? resolve_user(c, *st, &u) : -1;
	}
	if (r <= 0)
		return r;
	char target[512];
	snprintf(target, sizeof target, "%s (batch %s)", u->email, u->batch);
	r = mg_cmd_confirm(c, target, action);
	if (r > 0) {
		*email = xstrdup(u->email);
		*batch = xstrdup(u->batch);
	}
	mg_user_free(u);
	return r;
}

typedef int (*user_op)(mg_store *st, const char *identity, mg_err *err);

static int start_stop(mg_ctx *c, user_op op, const char *action)
{
	mg_store *st = NULL;
	char *email = NULL, *batch = NULL;
	int rc = user_to_process(c, action, false, &st, &email, &batch);
	if (rc <= 0)
		return rc;
	mg_err err;
	mg_err_clear(&err);
	if (op(st, email, &err) < 0)
		rc = mg_cmd_report(c, &err, email);
	else if (op == mg_user_start)
		rc = mg_cmd_ensure_service(c) < 0 ? -1 : 0;
	else
		rc = 0;
	free(email);
	free(batch);
	return rc;
}

static int start_user_process(mg_ctx *c, mv *input)
{
	(void)input;
	return start_stop(c, mg_user_start, "Start migration user");
}

static int stop_user_process(mg_ctx *c, mv *input)
{
	(void)input;
	return start_stop(c, mg_user_stop, "Stop migration user");
}

static int set_user_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = NULL;
	char *email = NULL, *batch = NULL;
	int rc = user_to_process(c, "Set migration user", true, &st, &email, &batch);
	if (rc <= 0)
		return rc;
	mg_user_settings s;
	memset(&s, 0, sizeof s);
	s.sync_now = mg_switch(c, "SyncNow");
	s.approve_skipped = mg_switch(c, "ApproveSkippedItems");
	/* dates are read in the batch's time zone, as for Set-MigrationBatch */
	mg_batch *b = NULL;
	mg_tz *tz = NULL;
	mg_err err;
	mg_err_clear(&err);
	rc = -1;
	if (mg_cmd_get_batch(st, batch, &b, &err) < 0) {
		mg_cmd_fail(c, &err);
		goto out;
	}
	int r;
	if ((mg_has(c, "StartAfter") || mg_has(c, "CompleteAfter")) &&
	    mg_cmd_open_zone(c, b->time_zone, &tz) < 0)
		goto out;
	if ((r = mg_arg_epoch_in_zone(c, "StartAfter", tz, &s.start_after)) < 0)
		goto out;
	s.has_start_after = r > 0;
	if ((r = mg_arg_epoch_in_zone(c, "CompleteAfter", tz, &s.complete_after)) < 0)
		goto out;
	s.has_complete_after = r > 0;
	if (!s.sync_now && !s.approve_skipped && !s.has_start_after && !s.has_complete_after) {
		mg_warning(c, "The command completed successfully but no settings of '%s' have been "
		           "modified.", email);
		rc = 0;
		goto out;
	}
	if (mg_user_set(st, email, &s, &err) < 0) {
		rc = mg_cmd_report(c, &err, email);
		goto out;
	}
	rc = 0;
	if ((s.sync_now || s.has_start_after) && mg_cmd_ensure_service_for_batch(c, st, batch) < 0)
		rc = -1;
out:
	mg_tz_free(tz);
	mg_batch_free(b);
	free(email);
	free(batch);
	return rc;
}

/* ---------------------------------------------------------------- declarations */

#define P_USER_IDENTITY(flags, help) \
	{ "Identity", MPT_STRING, (flags) | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL, \
	  NULL, NULL, MGCOMP_USER, help }

static const mg_param start_user_params[] = {
	P_USER_IDENTITY(0, "The email address (or Guid) of the user to start; Get-MigrationUser "
	                   "output can be piped in. Omitted: the only migration user there is."),
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example start_user_examples[] = {
	{ "Stop-MigrationUser -Identity terrya@contoso.edu; Start-MigrationUser -Identity terrya@contoso.edu; Get-MigrationUser terrya@contoso.edu",
	  "Stops one user and starts it again: it is queued and synchronized by the migration "
	  "service, which copies only what is new.", 0, "terrya@contoso.edu" },
	{ "Get-MigrationUser -BatchId IMAPBatch1 -StatusSummary Failed | Start-MigrationUser",
	  "Retries every failed user of a batch (for example after a password was corrected at "
	  "the source), without touching its other users.", 0, NULL },
	{ "Get-MigrationUser -StatusSummary Stopped | Start-MigrationUser",
	  "Starts every stopped user again.", 0, NULL },
	{ "Start-MigrationUser -Identity kevinm@contoso.edu",
	  "Refused: kevinm is Synced, so there is nothing to start; the error names the status "
	  "and what it allows.", MG_EXAMPLE_FAILS, "because its status is Synced" },
	{ "Start-MigrationUser -Identity nobody@contoso.edu", "An unknown user is an error.",
	  MG_EXAMPLE_FAILS, "couldn't be found" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_start_migration_user = {
	.name = "Start-MigrationUser",
	.synopsis = "Starts one stopped or failed user of a migration batch again.",
	.description =
	  "Start-MigrationUser queues one user again: a user stopped with Stop-MigrationUser "
	  "(or by stopping its batch) resumes where it stopped, a Failed or IncrementalFailed "
	  "user is retried. The rest of the batch is left as it is. A batch at rest (Created, "
	  "Stopped, Failed, CompletedWithErrors) is set to Starting for this user alone; the "
	  "background migration service is started when it is not running. The user waits for "
	  "its own StartAfter (Set-MigrationUser), else the batch's.\n\n"
	  "Refused for users that are queued, syncing, synced, stopping or completed, for users "
	  "whose CSV row failed validation (remove them and add them again with a corrected "
	  "CSV), and when the batch is Stopping, Completing, Completed, Removing or Corrupted; "
	  "the error names the user, the status and what it allows. Nothing is written to the "
	  "pipeline.",
	.params = start_user_params,
	.inputs = "String or MigrationUser (the Identity, by value or by property name).",
	.outputs = "None.",
	.examples = start_user_examples,
	.notes = "Start-MigrationBatch starts every stopped and failed user of a batch at once.",
	.related = MG_NAMES("Stop-MigrationUser", "Set-MigrationUser", "Get-MigrationUser",
	                    "Start-MigrationBatch"),
	.flags = MCF_SHOULD_PROCESS,
	.process = start_user_process,
};

static const mg_param stop_user_params[] = {
	P_USER_IDENTITY(0, "The email address (or Guid) of the user to stop; Get-MigrationUser "
	                   "output can be piped in. Omitted: the only migration user there is."),
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example stop_user_examples[] = {
	{ "Stop-MigrationUser -Identity terrya@contoso.edu",
	  "Stops one user: a copy in progress stops at a safe point, and the user gets no "
	  "incremental syncs until Start-MigrationUser. The other users of the batch go on.",
	  0, NULL },
	{ "Stop-MigrationUser terrya@contoso.edu; Get-MigrationUser -BatchId IMAPBatch1",
	  "terrya shows IncrementalStopped (stopped after its initial sync), kevinm is still "
	  "Synced.", 0, "IncrementalStopped" },
	{ "Get-MigrationUser -BatchId IMAPBatch1 | Stop-MigrationUser",
	  "Stops every user of the batch, one by one.", 0, NULL },
	{ "Stop-MigrationUser kevinm@contoso.edu -WhatIf", "Shows what would be stopped.", 0,
	  "What if" },
	{ "Stop-MigrationUser terrya@contoso.edu; Stop-MigrationUser terrya@contoso.edu",
	  "Refused the second time: the user is already stopped.", MG_EXAMPLE_FAILS,
	  "can't be stopped because its status is IncrementalStopped" },
	{ "Stop-MigrationUser -Identity nobody@contoso.edu", "An unknown user is an error.",
	  MG_EXAMPLE_FAILS, "couldn't be found" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_stop_migration_user = {
	.name = "Stop-MigrationUser",
	.synopsis = "Stops the synchronization of one user of a migration batch.",
	.description =
	  "Stop-MigrationUser stops one user while the rest of its batch goes on: a copy in "
	  "progress is cancelled at a safe point (status Stopping, then Stopped; whatever was "
	  "copied stays and is not copied twice on resume), a queued or synced user is stopped "
	  "at once. A user whose initial synchronization had finished shows IncrementalStopped "
	  "(StatusSummary Stopped). No incremental synchronizations run for it until "
	  "Start-MigrationUser.\n\n"
	  "Allowed for users that are queued, syncing, synced or incrementally syncing, in a "
	  "batch that is Starting, Waiting, Syncing, Synced, SyncedWithErrors or "
	  "IncrementalSyncing. Refused when the user is already Stopped or Stopping, when it "
	  "failed or completed, and when its batch is Stopping, Completing, Completed or "
	  "Removing; the error names the user, the status and what it allows.",
	.params = stop_user_params,
	.inputs = "String or MigrationUser (the Identity, by value or by property name).",
	.outputs = "None.",
	.examples = stop_user_examples,
	.notes = "Stop-MigrationBatch stops a whole batch; Start-MigrationBatch then resumes its "
	         "users, those stopped one by one included.",
	.related = MG_NAMES("Start-MigrationUser", "Set-MigrationUser", "Get-MigrationUser",
	                    "Stop-MigrationBatch"),
	.flags = MCF_SHOULD_PROCESS,
	.process = stop_user_process,
};

static const mg_param set_user_params[] = {
	P_USER_IDENTITY(MPF_MANDATORY, "The email address (or Guid) of the user to change; "
	                               "Get-MigrationUser output can be piped in."),
	{ "SyncNow", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Start an incremental synchronization of this user now. Only for a Synced or "
	  "IncrementalSynced user of a batch that is Syncing, Synced, SyncedWithErrors or "
	  "IncrementalSyncing (Start-MigrationUser retries a failed or stopped one)." },
	{ "ApproveSkippedItems", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Mark every item of this user skipped so far as approved (clears "
	  "HasUnapprovedSkippedItems; the DataConsistencyScore stays as it is)." },
	{ "StartAfter", MPT_DATETIME, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Do not start copying this user before this time, read in the batch's time zone; "
	  "it replaces the batch's StartAfter for this user (earlier or later). It applies "
	  "whenever the user is queued: now, or after Start-MigrationUser." },
	{ "CompleteAfter", MPT_DATETIME, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted and recorded (CompleteAfter of the user); IMAP batches have no automatic "
	  "completion." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example set_user_examples[] = {
	{ "Set-MigrationUser -Identity terrya@contoso.edu -SyncNow",
	  "Runs an incremental synchronization of one user now; the other users keep their "
	  "schedule.", 0, NULL },
	{ "Set-MigrationUser -Identity terrya@contoso.edu -ApproveSkippedItems",
	  "Approves the items skipped so far for one user.", 0, NULL },
	{ "Stop-MigrationUser kevinm@contoso.edu; Set-MigrationUser kevinm@contoso.edu -StartAfter '12/24/2030 8:00 PM'; Start-MigrationUser kevinm@contoso.edu; Get-MigrationUser kevinm@contoso.edu | Format-List Identity,Status,StartAfter",
	  "kevinm is queued again but is not copied before 8 PM on December 24, 2030 (in the "
	  "batch's time zone); the rest of the batch is not held.", 0, "Queued" },
	{ "Get-MigrationUser -BatchId IMAPBatch1 | Set-MigrationUser -SyncNow",
	  "An immediate incremental synchronization of every user of the batch, one by one.",
	  0, NULL },
	{ "Stop-MigrationUser terrya@contoso.edu; Set-MigrationUser terrya@contoso.edu -SyncNow",
	  "Refused: a stopped user is not synchronized; start it with Start-MigrationUser.",
	  MG_EXAMPLE_FAILS, "can't be synchronized now (-SyncNow) because its status is IncrementalStopped" },
	{ "Set-MigrationUser -Identity nobody@contoso.edu -SyncNow", "An unknown user is an error.",
	  MG_EXAMPLE_FAILS, "couldn't be found" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_set_migration_user = {
	.name = "Set-MigrationUser",
	.synopsis = "Changes one user of a migration batch: an immediate sync, approvals, start time.",
	.description =
	  "Set-MigrationUser works on one user of a batch: -SyncNow starts an incremental "
	  "synchronization of that user at once, -ApproveSkippedItems approves the items "
	  "skipped so far, -StartAfter and -CompleteAfter set the user's own times, which take "
	  "the place of the batch's for this user. Settings of the user override the batch's; "
	  "the rest of the batch is not changed.\n\n"
	  "Refused for a user being removed or corrupted, and when its batch is Completed, "
	  "Removing or Corrupted; -SyncNow also for users that are not Synced (queued, "
	  "syncing, stopped, failed) and in batches that are not Syncing, Synced, "
	  "SyncedWithErrors or IncrementalSyncing. The error names the user, the status and "
	  "what it allows. Without any setting it warns that nothing was changed. Nothing is "
	  "written to the pipeline.",
	.params = set_user_params,
	.inputs = "String or MigrationUser (the Identity, by value or by property name).",
	.outputs = "None.",
	.examples = set_user_examples,
	.notes = "Get-MigrationUser shows the user's StartAfter and CompleteAfter; "
	         "Set-MigrationBatch -SyncNow synchronizes every synced user of a batch.",
	.related = MG_NAMES("Start-MigrationUser", "Stop-MigrationUser", "Get-MigrationUser",
	                    "Get-MigrationUserStatistics", "Set-MigrationBatch"),
	.flags = MCF_SHOULD_PROCESS,
	.process = set_user_process,
};
