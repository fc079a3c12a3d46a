/*
 * cmd_config.c - Get-MigrationConfig and Set-MigrationConfig: the limits
 * that apply to every batch (MaxNumberOfBatches, MaxConcurrentMigrations)
 * and, as an extension, the incremental synchronization interval.
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "cmdlets/objects.h"
#include "cmdlets/types.h"
#include "common/str.h"
#include "engine/store.h"

#include <string.h>

static int get_config_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	mg_config cfg;
	mg_config_defaults(&cfg);
	if (mg_store_config_load(st, &cfg, &c->err) < 0)
		return -1;
	mv *o = mg_obj_config(&cfg, mg_store_batch_count(st));
	mv_set_str(o, "DataDirectory", mg_home(c));
	return mg_emit_take(c, o);
}

static int set_config_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	long long lim, secs;
	int r1, r2, r3;
	if ((r1 = mg_arg_limit(c, "MaxConcurrentMigrations", &lim)) < 0)
		return -1;
	if (r1 > 0 && lim == 0)
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidConcurrencyLimit",
		                  "-MaxConcurrentMigrations must be at least 1 (or Unlimited).");
	long long max_batches = 0;
	if ((r2 = mg_arg_limit(c, "MaxNumberOfBatches", &max_batches)) < 0)
		return -1;
	if (r2 > 0 && (max_batches < 1 || max_batches > 100))
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidMaxNumberOfBatches",
		                  "-MaxNumberOfBatches must be between 1 and 100 (Exchange Online's "
		                  "limit).");
	if ((r3 = mg_arg_seconds(c, "IncrementalSyncInterval", &secs)) < 0)
		return -1;
	if (r3 > 0 && secs < 1)
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidIncrementalSyncInterval",
		                  "-IncrementalSyncInterval must be at least one second "
		                  "(00:00:01); the default is one day (1.00:00:00).");
	int go = mg_cmd_confirm(c, "MigrationConfig", "Set migration config");
	if (go <= 0)
		return go;
	if (mg_store_lock(st, &c->err) < 0)
		return -1;
	mg_config cfg;
	mg_config_defaults(&cfg);
	int rc = -1;
	if (mg_store_config_load(st, &cfg, &c->err) == 0) {
		if (r1 > 0)
			cfg.max_concurrent_migrations = lim < 0 ? MG_UNLIMITED : lim;
		if (r2 > 0)
			cfg.max_batches = max_batches;
		if (r3 > 0)
			cfg.incremental_sync_interval = secs;
		rc = mg_store_config_save(st, &cfg, &c->err);
	}
	mg_store_unlock(st);
	return rc;
}

/* ---------------------------------------------------------------- declarations */

static const mg_param get_config_params[] = {
	{ "AllPartitions", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Reserved for internal Microsoft use; accepted and ignored." },
	MG_P_PARTITION,
	MG_P_DOMAINCONTROLLER,
	MG_P_END
};

static const mg_example get_config_examples[] = {
	{ "Get-MigrationConfig", "Shows the migration limits.", 0, "MaxNumberOfBatches" },
	{ "Get-MigrationConfig | Format-List MaxNumberOfBatches,MaxConcurrentMigrations,IncrementalSyncInterval",
	  "Only the limits.", 0, "MaxConcurrentMigrations" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_get_migration_config = {
	.name = "Get-MigrationConfig",
	.synopsis = "Shows the settings that apply to every migration batch.",
	.description =
	  "Get-MigrationConfig returns Identity, MaxNumberOfBatches (100), "
	  "MaxConcurrentMigrations (300 mailboxes at once over all endpoints), Features, "
	  "CanSubmitNewBatch (False once 100 batches exist), SupportsCutover (False) and "
	  "migsh's IncrementalSyncInterval (1.00:00:00 = every 24 hours), BatchCount and "
	  "DataDirectory.",
	.params = get_config_params,
	.inputs = "None.",
	.outputs = "MigrationConfig.",
	.output_type = &mg_type_config,
	.examples = get_config_examples,
	.related = MG_NAMES("Set-MigrationConfig", "Get-MigrationStatistics"),
	.process = get_config_process,
};

static const mg_param set_config_params[] = {
	{ "MaxConcurrentMigrations", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, "300", MGCOMP_NONE,
	  "Mailboxes migrated at the same time over all endpoints (each endpoint's own limits "
	  "apply too)." },
	{ "MaxNumberOfBatches", MPT_INT, 0, -1, NULL, NULL, NULL, "100", MGCOMP_NONE,
	  "How many batches may exist, 1 to 100." },
	{ "IncrementalSyncInterval", MPT_TIMESPAN, MPF_EXTENSION, -1, NULL, NULL, NULL,
	  "1.00:00:00", MGCOMP_NONE,
	  "migsh extension: time between incremental synchronizations of a synced user "
	  "(Exchange: 24 hours). Shorter intervals pick up new mail sooner during the "
	  "switch-over." },
	{ "Features", MPT_STRINGS, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "On-premises only; accepted and ignored." },
	MG_P_PARTITION,
	MG_P_DOMAINCONTROLLER,
	MG_P_END
};

static const mg_example set_config_examples[] = {
	{ "Set-MigrationConfig -IncrementalSyncInterval 00:30:00",
	  "Synchronizes synced mailboxes every 30 minutes instead of every 24 hours (for the "
	  "days around the MX switch).", 0, NULL },
	{ "Set-MigrationConfig -MaxConcurrentMigrations 50",
	  "At most 50 mailboxes are copied at once, over all batches.", 0, NULL },
	{ "Set-MigrationConfig -IncrementalSyncInterval 0",
	  "Refused: the interval must be at least one second.", MG_EXAMPLE_FAILS,
	  "IncrementalSyncInterval" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_set_migration_config = {
	.name = "Set-MigrationConfig",
	.synopsis = "Changes the settings that apply to every migration batch.",
	.description =
	  "Set-MigrationConfig changes the overall concurrency limit, the maximum number of "
	  "batches and (migsh extension) the incremental synchronization interval. The "
	  "running migration service picks the new values up within a second. Nothing is "
	  "written to the pipeline.",
	.params = set_config_params,
	.inputs = "None.",
	.outputs = "None.",
	.examples = set_config_examples,
	.notes = "In Exchange Online these settings cannot be changed (the cmdlet is "
	         "on-premises only); migsh allows it because you run the service.",
	.related = MG_NAMES("Get-MigrationConfig", "Set-MigrationEndpoint"),
	.flags = MCF_SHOULD_PROCESS | MCF_EXTENSION,
	.process = set_config_process,
};
