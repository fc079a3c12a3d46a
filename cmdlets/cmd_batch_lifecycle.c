/*
 * cmd_batch_lifecycle.c - Start-, Stop-, Complete- and Remove-MigrationBatch.
 * The status rules and refusal messages are the control plane's
 * (engine/lifecycle.h); the cmdlets resolve the batch, ask for confirmation,
 * make sure the background service runs, and (extension -Wait) follow the
 * batch with a progress bar until it settles.
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "cmdlets/endpoint_conn.h"
#include "cmdlets/objects.h"
#include "cmdlets/types.h"
#include "common/mem.h"
#include "common/str.h"
#include "engine/lifecycle.h"
#include "engine/service.h"
#include "engine/store.h"
#include "shell/session.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The batch named by -Identity, or when omitted the only batch there is:
 * 1 with its malloc'd canonical name in *out, 0 / -1 as in cmd_common.h. */
static int resolve_batch(mg_ctx *c, mg_store *st, char **out)
{
	*out = NULL;
	const char *id = mg_arg_nonempty(c, "Identity");
	if (id) {
		mg_batch *b = NULL;
		int found = mg_cmd_find_batch(c, st, id, &b);
		if (found > 0) {
			*out = xstrdup(b->name);
			mg_batch_free(b);
		}
		return found;
	}
	mg_batch **v = NULL;
	size_t n = 0;
	if (mg_store_batch_list(st, &v, &n, &c->err) < 0)
		return -1;
	/* omitted: the only batch, else the only one being processed */
	char *name = n == 1 ? xstrdup(v[0]->name) : NULL;
	if (!name && n > 1) {
		size_t active = 0, which = 0;
		for (size_t i = 0; i < n; i++)
			if (mg_batch_status_active(v[i]->status)) {
				active++;
				which = i;
			}
		if (active == 1)
			name = xstrdup(v[which]->name);
	}
	mg_batch_list_free(v, n);
	if (name) {
		*out = name;
		return 1;
	}
	mg_err err;
	mg_err_clear(&err);
	mg_err_set(&err, MGC_INVALIDARG, "IdentityRequired",
	           n ? "There are %zu migration batches and not exactly one of them is running: "
	             "name one with -Identity."
	             : "There is no migration batch%.0zu: create one with New-MigrationBatch.",
	           n);
	return mg_cmd_report(c, &err, NULL);
}

/* How Start-, Stop-, Complete- and Remove- begin: the store, the batch
 * (resolve_batch) and the go-ahead for `action` (-WhatIf, -Confirm).
 * 1 = go ahead (*st and *name set; free *name), 0 / -1 as in cmd_common.h. */
static int batch_to_process(mg_ctx *c, const char *action, mg_store **st, char **name)
{
	*name = NULL;
	*st = mg_cmd_store(c);
	if (!*st)
		return -1;
	int r = resolve_batch(c, *st, name);
	if (r > 0 && (r = mg_cmd_confirm(c, *name, action)) <= 0) {
		free(*name);
		*name = NULL;
	}
	return r;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static bool settled(mg_batch_status s, bool completing)
{
	switch (s) {
	case MG_BS_FAILED: case MG_BS_STOPPED: case MG_BS_CORRUPTED:
	case MG_BS_COMPLETED: case MG_BS_COMPLETED_WITH_ERRORS:
		return true;
	case MG_BS_SYNCED: case MG_BS_SYNCED_WITH_ERRORS:
		return !completing;
	default:
		return false;
	}
}

/* The -Wait bar: items done (copied or skipped) of the mailboxes' items,
 * which the sync engine counts before copying (engine/sync_count.c), so the
 * total is right from the start; before any count, users done of users. */
static int wait_percent(const mg_batch_counts *k)
{
	long long pct = -1;
	if (k->items_total > 0)
		pct = (k->items_synced + k->items_skipped) * 100 / k->items_total;
	else if (k->total > 0)
		pct = (k->synced + k->failed + k->finalized) * 100 / k->total;
	return pct > 100 ? 100 : (int)pct;
}

/* items done when the wait began, for the ETA */
typedef struct wait_pace { int64_t t0; long long done0; bool started; } wait_pace;

static void human_bytes(long long n, char *out, size_t len)
{
	if (n >= 10LL << 30)
		snprintf(out, len, "%lld GB", n >> 30);
	else if (n >= 10LL << 20)
		snprintf(out, len, "%lld MB", n >> 20);
	else
		snprintf(out, len, "%lld KB", (n + 1023) >> 10);
}

static void wait_status(const mg_batch_counts *k, mg_batch_status bs, wait_pace *pace, char *out,
                        size_t len)
{
	long long done = k->items_synced + k->items_skipped;
	int64_t now = (int64_t)time(NULL);
	if (!pace->started && k->items_total > 0) {
		*pace = (wait_pace){ now, done, true };
	}
	int n = snprintf(out, len, "%s: %lld of %lld users synced, %lld failed, %lld active; %lld of "
	                 "%lld items", mg_batch_status_name(bs), k->synced + k->finalized, k->total,
	                 k->failed, k->active, done > k->items_total ? k->items_total : done,
	                 k->items_total);
	if (n < 0 || (size_t)n >= len)
		return;
	if (k->bytes_total > 0) {
		char a[32], b[32];
		human_bytes(k->bytes_done, a, sizeof a);
		human_bytes(k->bytes_total, b, sizeof b);
		n += snprintf(out + n, len - (size_t)n, ", %s of %s", a, b);
	}
	if (n >= 0 && (size_t)n < len && pace->started && done > pace->done0 && k->items_total > done &&
	    now > pace->t0) {
		long long eta = (long long)(now - pace->t0) * (k->items_total - done) / (done - pace->done0);
		snprintf(out + n, len - (size_t)n, "; about %lld:%02lld:%02lld left", eta / 3600,
		         eta / 60 % 60, eta % 60);
	}
}

/* -Wait: follow the batch with a progress bar until it reaches
 * Synced/SyncedWithErrors (Start) or Completed/CompletedWithErrors
 * (Complete), Failed or Stopped; then emit it. */
static int wait_for_batch(mg_ctx *c, mg_store *st, const char *name, bool completing)
{
	char activity[256];
	snprintf(activity, sizeof activity, "%s migration batch %s",
	         completing ? "Completing" : "Synchronizing", name);
	int service_missing = 0;
	wait_pace pace = { 0, 0, false };
	for (;;) {
		mg_batch *b = NULL;
		mg_err err;
		mg_err_clear(&err);
		if (mg_cmd_get_batch(st, name, &b, &err) < 0) {
			mg_progress(c, activity, "", -1, true);
			return mg_cmd_fail(c, &err);
		}
		mg_batch_counts k;
		if (mg_store_batch_counts(st, name, &k, &err) < 0)
			memset(&k, 0, sizeof k);
		if (settled(b->status, completing)) {
			mg_progress(c, activity, "", 100, true);
			int rc = mg_emit_take(c, mg_obj_batch_load(st, b, false));
			mg_batch_free(b);
			return rc;
		}
		char status[512];
		wait_status(&k, b->status, &pace, status, sizeof status);
		mg_progress(c, activity, status, wait_percent(&k), false);
		mg_batch_free(b);

		mg_service_info si;
		memset(&si, 0, sizeof si);
		if (mg_service_status(mg_home(c), &si, &err) == 0 && !si.running) {
			if (++service_missing >= 10) {
				mg_progress(c, activity, "", -1, true);
				return mg_err_set(&c->err, MGC_RESOURCE, "ServiceNotRunning",
				                  "The migration service stopped while waiting for the "
				                  "migration batch '%s'. See %s, then run "
				                  "Start-MigrationService.", name,
				                  si.log_path[0] ? si.log_path : "logs/service.log");
			}
		} else {
			service_missing = 0;
		}
		if (mg_session_interrupted(c->session)) {
			mg_progress(c, activity, "", -1, true);
			return mg_err_set(&c->err, MGC_STOPPED, "WaitInterrupted",
			                  "Stopped waiting for the migration batch '%s' (Ctrl-C). The "
			                  "batch goes on in the background: Get-MigrationBatch %s shows it.",
			                  name, name);
		}
		sleep_ms(500);
	}
}

typedef int (*batch_op)(mg_store *st, const char *identity, mg_err *err);

static int lifecycle_common(mg_ctx *c, batch_op op, const char *action, bool completing)
{
	mg_store *st = NULL;
	char *name = NULL;
	int rc = batch_to_process(c, action, &st, &name);
	if (rc <= 0)
		return rc;
	rc = 0;
	mg_err err;
	mg_err_clear(&err);
	if (op(st, name, &err) < 0) {
		rc = mg_cmd_report(c, &err, name);
		goto out;
	}
	if (op == mg_batch_start || op == mg_batch_complete)
		mg_warn_batch_untrusted(c, name);
	if (mg_cmd_ensure_service(c) < 0) {
		rc = -1;
		goto out;
	}
	if (mg_switch(c, "Wait"))
		rc = wait_for_batch(c, st, name, completing);
out:
	free(name);
	return rc;
}

static int start_batch_process(mg_ctx *c, mv *input)
{
	(void)input;
	return lifecycle_common(c, mg_batch_start, "Start migration batch", false);
}

static int stop_batch_process(mg_ctx *c, mv *input)
{
	(void)input;
	return lifecycle_common(c, mg_batch_stop, "Stop migration batch", false);
}

static int complete_batch_process(mg_ctx *c, mv *input)
{
	(void)input;
	return lifecycle_common(c, mg_batch_complete, "Complete migration batch", true);
}

static int remove_batch_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = NULL;
	char *name = NULL;
	mv *obj = NULL;
	int rc = batch_to_process(c, "Remove migration batch", &st, &name);
	if (rc <= 0)
		return rc;
	rc = 0;
	if (mg_cmd_ensure_service_for_batch(c, st, name) < 0) {
		rc = -1;
		goto out;
	}
	mg_err err;
	mg_err_clear(&err);
	/* as in Exchange Online: the batch is returned with Status Removing (a
	 * Corrupted batch, whose record cannot be read, returns nothing) */
	mg_batch *b = NULL;
	if (mg_cmd_get_batch(st, name, &b, NULL) == 0) {
		b->status = MG_BS_REMOVING;
		obj = mg_obj_batch_load(st, b, false);
		mg_batch_free(b);
	}
	bool removed_now = false;
	if (mg_batch_remove(st, name, 60, &removed_now, &err) < 0) {
		rc = mg_cmd_report(c, &err, name);
		goto out;
	}
	if (!removed_now)
		mg_warning(c, "The migration batch '%s' is being removed (status Removing): the "
		           "service stops its running work first; it disappears within a minute.",
		           name);
	if (obj) {
		rc = mg_emit_take(c, obj);
		obj = NULL;
	}
out:
	if (obj)
		mv_unref(obj);
	free(name);
	return rc;
}

/* ---------------------------------------------------------------- declarations */

#define P_IDENTITY_OPT(help) \
	{ "Identity", MPT_STRING, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, NULL, \
	  MGCOMP_BATCH, help }
#define P_WAIT(help) \
	{ "Wait", MPT_SWITCH, MPF_EXTENSION, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, help }

static const mg_param start_batch_params[] = {
	P_IDENTITY_OPT("The name (or BatchGuid) of the batch to start. Omitted: the only batch, "
	               "or the only one being processed."),
	P_WAIT("migsh extension: wait with a progress bar (users and items) until the batch is "
	       "Synced, SyncedWithErrors, Failed or Stopped, then show it."),
	{ "Validate", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted and ignored." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example start_batch_examples[] = {
	{ "Start-MigrationBatch -Identity IMAPBatch1",
	  "Starts the batch: its users are queued and copied by the migration service. "
	  "(Microsoft's IMAP migration walkthrough.)", 0, NULL },
	{ "Start-MigrationBatch IMAPBatch1 -Wait",
	  "migsh extension: start and wait, with a progress bar, until the initial "
	  "synchronization has finished; then show the batch.", 0, "IMAPBatch1" },
	{ "Get-MigrationBatch -Status SyncedWithErrors | Start-MigrationBatch",
	  "Retries the failed users of every batch in which some users failed.", 0, NULL },
	{ "Start-MigrationBatch -Identity NoSuchBatch", "An unknown batch is an error.",
	  MG_EXAMPLE_FAILS, "couldn't be found" },
	{ "migsh -c 'Start-MigrationBatch -Identity IMAPBatch1 -Wait | Format-List Status,SyncedCount,FailedCount'",
	  "From a shell script: start the batch and block until it is synced.", MG_EXAMPLE_BASH,
	  "SyncedCount" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_start_migration_batch = {
	.name = "Start-MigrationBatch",
	.synopsis = "Starts a migration batch, resumes a stopped one, or retries failed users.",
	.description =
	  "Start-MigrationBatch starts a Created batch, resumes a Stopped one, and in a Failed, "
	  "Synced, SyncedWithErrors or CompletedWithErrors batch retries the failed users. The "
	  "background migration service is started when it is not running; it copies the "
	  "mailboxes (at most MaxConcurrentMigrations per endpoint at once; the others wait as "
	  "Queued).\n\n"
	  "Refused while the batch is Starting, Syncing, Stopping, Completing or Removing, and "
	  "when it is Corrupted; the error names the current status and the actions it allows. "
	  "Nothing is written to the pipeline unless -Wait is given.",
	.params = start_batch_params,
	.inputs = "String or MigrationBatch (the Identity, by value or by property name).",
	.outputs = "None; with -Wait the MigrationBatch once it has settled.",
	.output_type = &mg_type_batch,
	.examples = start_batch_examples,
	.notes = "Users with a validation error from the CSV stay Failed: fix the CSV and add "
	         "them again with Set-MigrationBatch -AddUsers (after Remove-MigrationUser).",
	.related = MG_NAMES("Stop-MigrationBatch", "Get-MigrationBatch", "Complete-MigrationBatch",
	                    "Get-MigrationService", "about_migsh_workflow"),
	.flags = MCF_SHOULD_PROCESS,
	.process = start_batch_process,
};

static const mg_param stop_batch_params[] = {
	P_IDENTITY_OPT("The name (or BatchGuid) of the batch to stop. Omitted: the only batch, "
	               "or the only one being processed."),
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example stop_batch_examples[] = {
	{ "Stop-MigrationBatch -Identity IMAPBatch1",
	  "Stops the batch: copies in progress stop at once (in a consistent state), finished "
	  "mailboxes are untouched, and no incremental syncs run until Start-MigrationBatch.",
	  0, NULL },
	{ "Stop-MigrationBatch -Identity NoSuchBatch", "An unknown batch is an error.",
	  MG_EXAMPLE_FAILS, "couldn't be found" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_stop_migration_batch = {
	.name = "Stop-MigrationBatch",
	.synopsis = "Stops a running or synced migration batch.",
	.description =
	  "Stop-MigrationBatch stops the batch's work: active copies are cancelled at a safe "
	  "point (whatever was copied stays and is not copied twice on resume), the status goes "
	  "Stopping, then Stopped, and the error report lists the users that were in progress "
	  "or waiting. Allowed while the batch is Starting, Waiting, Syncing, Synced, "
	  "SyncedWithErrors or IncrementalSyncing (stopping a Synced batch halts its "
	  "incremental syncs). Refused when it is already Stopped or Stopping, and when there "
	  "is nothing to stop (Created, Completed, Failed). Start-MigrationBatch resumes it.",
	.params = stop_batch_params,
	.inputs = "String or MigrationBatch (the Identity).",
	.outputs = "None.",
	.examples = stop_batch_examples,
	.related = MG_NAMES("Start-MigrationBatch", "Get-MigrationBatch", "Remove-MigrationBatch"),
	.flags = MCF_SHOULD_PROCESS,
	.process = stop_batch_process,
};

static const mg_param complete_batch_params[] = {
	P_IDENTITY_OPT("The name (or BatchGuid) of the batch to complete. Omitted: the only "
	               "batch, or the only one being processed."),
	P_WAIT("migsh extension: wait with a progress bar until the batch is Completed, "
	       "CompletedWithErrors or Failed, then show it."),
	{ "SyncAndComplete", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted; completing an IMAP batch always runs a final synchronization first." },
	{ "NotificationEmails", MPT_STRINGS, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted and ignored (use Set-MigrationBatch -NotificationEmails)." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example complete_batch_examples[] = {
	{ "Complete-MigrationBatch -Identity IMAPBatch1",
	  "Runs a final synchronization of every synced mailbox, then marks the batch "
	  "Completed; no more incremental syncs run.", 0, NULL },
	{ "Complete-MigrationBatch IMAPBatch1 -Wait | Format-List Status,FinalizedCount,FailedCount",
	  "migsh extension: complete and wait until it is done.", 0, "Completed" },
	{ "Complete-MigrationBatch -Identity NoSuchBatch", "An unknown batch is an error.",
	  MG_EXAMPLE_FAILS, "couldn't be found" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_complete_migration_batch = {
	.name = "Complete-MigrationBatch",
	.synopsis = "Finishes a synced migration batch with a final synchronization.",
	.description =
	  "Complete-MigrationBatch, as the IMAP migration documents describe it, runs one last "
	  "incremental synchronization of every synced mailbox in the batch (status Completing) "
	  "and then marks the batch Completed (CompletedWithErrors when some users failed). "
	  "After that no more incremental synchronizations run; remove the batch with "
	  "Remove-MigrationBatch when you no longer need its reports. Allowed only for Synced "
	  "and SyncedWithErrors batches; other statuses are refused with the current status "
	  "and the allowed actions.",
	.params = complete_batch_params,
	.inputs = "String or MigrationBatch (the Identity).",
	.outputs = "None; with -Wait the MigrationBatch once it has settled.",
	.output_type = &mg_type_batch,
	.examples = complete_batch_examples,
	.notes = "Exchange Online itself now refuses Complete-MigrationBatch for IMAP batches; "
	         "migsh follows the documented IMAP workflow instead. Switch the MX record and "
	         "let at least one incremental sync run before completing.",
	.related = MG_NAMES("Get-MigrationBatch", "Remove-MigrationBatch", "Set-MigrationBatch",
	                    "about_migsh_workflow"),
	.flags = MCF_SHOULD_PROCESS,
	.process = complete_batch_process,
};

static const mg_param remove_batch_params[] = {
	P_IDENTITY_OPT("The name (or BatchGuid) of the batch to remove."),
	{ "Force", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted (corrupted batches are removed without it)." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example remove_batch_examples[] = {
	{ "Remove-MigrationBatch -Identity IMAPBatch1",
	  "Removes the batch after asking for confirmation. (Microsoft's IMAP migration "
	  "walkthrough.)", MG_EXAMPLE_TTY, "Are you sure you want to perform this action?" },
	{ "Remove-MigrationBatch -Identity IMAPBatch1 -Confirm:$false",
	  "Removes it without asking, as scripts must, and returns the batch with Status "
	  "Removing. Migrated mail stays in the destination mailboxes.", 0, "Removing" },
	{ "Get-MigrationBatch -Status Completed | Remove-MigrationBatch -Confirm:$false",
	  "Removes every completed batch.", 0, NULL },
	{ "Remove-MigrationBatch IMAPBatch1 -WhatIf", "Shows what would be removed.", 0,
	  "What if" },
	{ "Remove-MigrationBatch -Identity NoSuchBatch -Confirm:$false",
	  "An unknown batch is an error.", MG_EXAMPLE_FAILS, "couldn't be found" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_remove_migration_batch = {
	.name = "Remove-MigrationBatch",
	.synopsis = "Removes a migration batch (never the migrated mail).",
	.description =
	  "Remove-MigrationBatch stops the batch's synchronization and deletes the batch, its "
	  "users and its reports from the state directory. Mail already copied stays in the "
	  "destination mailboxes. A batch with work running is set to Removing; the migration "
	  "service stops that work and then deletes it (the cmdlet waits up to a minute). "
	  "Afterwards Get-MigrationBatch reports that the batch couldn't be found.\n\n"
	  "It asks for confirmation unless -Confirm:$false is given; without a terminal it "
	  "cannot ask and fails, telling to add -Confirm:$false.",
	.params = remove_batch_params,
	.inputs = "String or MigrationBatch (the Identity).",
	.outputs = "MigrationBatch: the batch, with Status Removing (as Exchange Online returns it).",
	.output_type = &mg_type_batch,
	.examples = remove_batch_examples,
	.notes = "Keep a batch at least 72 hours after switching the MX record, and make sure an "
	         "incremental sync ran after mail started arriving at the new mailboxes, before "
	         "removing it.",
	.related = MG_NAMES("Get-MigrationBatch", "Stop-MigrationBatch", "Complete-MigrationBatch",
	                    "Remove-MigrationUser"),
	.flags = MCF_SHOULD_PROCESS | MCF_CONFIRM_HIGH,
	.process = remove_batch_process,
};
