/*
 * cmd_service.c - Get-, Start- and Stop-MigrationService (migsh extension):
 * the background process that copies the mail of running batches
 * (engine/service.h).  Start-MigrationBatch & co. start it by themselves;
 * these cmdlets show it and let admins and tests stop it.
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "cmdlets/objects.h"
#include "cmdlets/types.h"
#include "engine/service.h"

#include <string.h>

static mv *service_object(const mg_service_info *si, const char *home)
{
	mv *o = mv_object(&mg_type_service);
	mv_set_str(o, "Status", si->running ? "Running" : "Stopped");
	mv_set_int(o, "ProcessId", si->running ? (long long)si->pid : 0);
	mv_set_take(o, "StartTime", mg_obj_time(si->running ? si->started : 0));
	mv_set_take(o, "Heartbeat", mg_obj_time(si->running ? si->heartbeat : 0));
	mv_set_int(o, "ActiveInitialSyncs", si->active_initial);
	mv_set_int(o, "ActiveIncrementalSyncs", si->active_incremental);
	mv_set_str(o, "Home", si->home[0] ? si->home : home);
	mv_set_str(o, "LogPath", si->log_path[0] ? si->log_path : NULL);
	return o;
}

static int emit_status(mg_ctx *c)
{
	mg_service_info si;
	memset(&si, 0, sizeof si);
	if (mg_service_status(mg_home(c), &si, &c->err) < 0)
		return -1;
	return mg_emit_take(c, service_object(&si, mg_home(c)));
}

static int get_service_process(mg_ctx *c, mv *input)
{
	(void)input;
	return emit_status(c);
}

static int start_service_process(mg_ctx *c, mv *input)
{
	(void)input;
	int go = mg_cmd_confirm(c, mg_home(c), "Start migration service");
	if (go <= 0)
		return go;
	if (mg_cmd_ensure_service(c) < 0)
		return -1;
	return emit_status(c);
}

static int stop_service_process(mg_ctx *c, mv *input)
{
	(void)input;
	int go = mg_cmd_confirm(c, mg_home(c), "Stop migration service");
	if (go <= 0)
		return go;
	long long wait = 30;
	if (mg_has(c, "TimeoutSeconds") &&
	    (mv_to_ll(mg_arg(c, "TimeoutSeconds"), &wait) < 0 || wait < 0))
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidTimeout",
		                  "-TimeoutSeconds must be a non-negative number.");
	return mg_service_stop(mg_home(c), (int)wait, &c->err);
}

/* ---------------------------------------------------------------- declarations */

static const mg_param no_params[] = { MG_P_END };

static const mg_param stop_service_params[] = {
	{ "TimeoutSeconds", MPT_INT, 0, -1, NULL, NULL, NULL, "30", MGCOMP_NONE,
	  "How long to wait for running copies to stop at a safe point before the service is "
	  "killed." },
	MG_P_END
};

static const mg_example get_service_examples[] = {
	{ "Get-MigrationService", "Shows whether the migration service runs, its process id and "
	  "how many mailboxes it is copying.", 0, "Status" },
	{ "migsh -c '(Get-MigrationService).Status'",
	  "From bash: prints Running or Stopped.", MG_EXAMPLE_BASH, NULL },
	{ NULL, NULL, 0, NULL }
};

static const mg_example start_service_examples[] = {
	{ "Start-MigrationService", "Starts the service (it resumes every unfinished batch).",
	  0, "Running" },
	{ "@reboot migsh -c 'Start-MigrationService' >/dev/null",
	  "A crontab line: start the service when the machine boots, so that synced batches "
	  "keep getting their incremental syncs.", MG_EXAMPLE_BASH, NULL },
	{ NULL, NULL, 0, NULL }
};

static const mg_example stop_service_examples[] = {
	{ "Stop-MigrationService",
	  "Stops the service; running copies stop at a safe point and resume when it starts "
	  "again (any migration cmdlet that needs it starts it).", 0, NULL },
	{ "Stop-MigrationService; Get-MigrationService | Format-List Status",
	  "Stops it and shows that it is stopped.", 0, "Stopped" },
	{ NULL, NULL, 0, NULL }
};

#define SERVICE_DESC \
	"The migration service is one background process per data directory ($MIGSH_HOME). " \
	"Start-MigrationBatch, New-MigrationBatch -AutoStart, Set-MigrationBatch -SyncNow and " \
	"Complete-MigrationBatch start it when it is not running; it copies the mailboxes of " \
	"running batches, runs the incremental syncs of synced ones, and resumes unfinished " \
	"work after a restart. Its log is logs/service.log in the data directory. "

const mg_cmdlet mg_cmd_get_migration_service = {
	.name = "Get-MigrationService",
	.synopsis = "Shows the state of the background migration service (migsh extension).",
	.description = SERVICE_DESC
	  "Get-MigrationService shows Status (Running or Stopped), ProcessId, StartTime, "
	  "Heartbeat, ActiveInitialSyncs, ActiveIncrementalSyncs, Home and LogPath.",
	.params = no_params,
	.inputs = "None.",
	.outputs = "MigrationService.",
	.output_type = &mg_type_service,
	.examples = get_service_examples,
	.related = MG_NAMES("Start-MigrationService", "Stop-MigrationService",
	                    "Start-MigrationBatch"),
	.flags = MCF_EXTENSION,
	.process = get_service_process,
};

const mg_cmdlet mg_cmd_start_migration_service = {
	.name = "Start-MigrationService",
	.synopsis = "Starts the background migration service (migsh extension).",
	.description = SERVICE_DESC
	  "Start-MigrationService starts it if it is not running and shows its state. To run "
	  "it under systemd instead, use `migsh --service --foreground`.",
	.params = no_params,
	.inputs = "None.",
	.outputs = "MigrationService.",
	.output_type = &mg_type_service,
	.examples = start_service_examples,
	.related = MG_NAMES("Get-MigrationService", "Stop-MigrationService"),
	.flags = MCF_EXTENSION | MCF_SHOULD_PROCESS,
	.process = start_service_process,
};

const mg_cmdlet mg_cmd_stop_migration_service = {
	.name = "Stop-MigrationService",
	.synopsis = "Stops the background migration service (migsh extension).",
	.description = SERVICE_DESC
	  "Stop-MigrationService asks the service to stop: running copies are cancelled at a "
	  "safe point (nothing is lost or duplicated; they resume when it starts again). "
	  "Batch statuses are not changed. Stopping a service that is not running is not an "
	  "error.",
	.params = stop_service_params,
	.inputs = "None.",
	.outputs = "None.",
	.examples = stop_service_examples,
	.related = MG_NAMES("Get-MigrationService", "Start-MigrationService",
	                    "Stop-MigrationBatch"),
	.flags = MCF_EXTENSION | MCF_SHOULD_PROCESS,
	.process = stop_service_process,
};
