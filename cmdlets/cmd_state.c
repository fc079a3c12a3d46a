/*
 * cmd_state.c - Export-MigrationState and Import-MigrationState (migsh
 * extensions): a readable copy of the whole state store (endpoints, batches,
 * users with their skipped items and reports, the config) as a directory of
 * YAML files, for backups, for moving a migration to another host and for
 * support; and reading such a copy back (engine/store.h mg_store_dump and
 * mg_store_restore).  The copy holds the passwords of the CSV and of the
 * endpoints: its files are 0600 in 0700 directories.
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "common/mem.h"
#include "engine/service.h"
#include "engine/store.h"
#include "shell/paths.h"

#include <stdlib.h>

static int export_state_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	char *dir = mg_map_path_for_write(c->session, mg_arg_str(c, "Path"));
	int go = mg_cmd_confirm(c, dir, "Export migration state");
	int rc = go;
	if (go > 0) {
		rc = mg_store_dump(st, dir, &c->err) < 0 ? -1 : 0;
		if (rc == 0)
			rc = mg_emit_take(c, mv_string(dir));
	}
	free(dir);
	return rc;
}

static int import_state_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	mg_err err;
	mg_err_clear(&err);
	char *dir = mg_map_path(c->session, mg_arg_str(c, "Path"), &err);
	if (!dir)
		return mg_cmd_fail(c, &err);
	mg_service_info si;
	int rc = 0;
	if (mg_service_status(mg_store_home(st), &si, NULL) == 0 && si.running)
		rc = mg_err_set(&c->err, MGC_INVALIDOP, "ServiceRunning",
		                "The migration service is running (pid %ld); stop it first "
		                "(Stop-MigrationService), then import the state.", (long)si.pid);
	if (rc == 0) {
		int go = mg_cmd_confirm(c, dir, "Import migration state");
		rc = go;
		if (go > 0)
			rc = mg_store_restore(st, dir, mg_switch(c, "Replace"), &c->err) < 0 ? -1 : 0;
	}
	free(dir);
	return rc;
}

/* ---------------------------------------------------------------- declarations */

static const mg_param export_state_params[] = {
	{ "Path", MPT_STRING, MPF_MANDATORY | MPF_EXTENSION, 0, NULL, NULL, NULL, NULL, MGCOMP_FILE,
	  "The directory to write; it must not exist yet." },
	MG_P_END
};

static const mg_example export_state_examples[] = {
	{ "Export-MigrationState -Path migsh-state-copy",
	  "Writes every record of the data directory as YAML files under the new directory "
	  "migsh-state-copy (endpoints/, batches/<batch>/batch.yaml, "
	  "batches/<batch>/users/<user>.yaml, config.yaml).", 0, "migsh-state-copy" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_export_migration_state = {
	.name = "Export-MigrationState",
	.synopsis = "Writes a readable copy of the whole migration state (migsh extension).",
	.description =
	  "Export-MigrationState writes the endpoints, batches, users (with their skipped "
	  "items and per-user reports) and the config of the data directory into a new "
	  "directory of YAML files, one file per record: for backups, for moving a migration "
	  "to another host (Import-MigrationState there), or for support. Migrated mail, sync "
	  "state, logs and report files are not copied. The copy holds the passwords of the "
	  "endpoints and of the CSV: its files are created 0600 in 0700 directories. The "
	  "directory's path is written to the pipeline.",
	.params = export_state_params,
	.inputs = "None.",
	.outputs = "System.String: the directory written.",
	.examples = export_state_examples,
	.related = MG_NAMES("Import-MigrationState", "Get-MigrationConfig"),
	.flags = MCF_SHOULD_PROCESS | MCF_EXTENSION,
	.process = export_state_process,
};

static const mg_param import_state_params[] = {
	{ "Path", MPT_STRING, MPF_MANDATORY | MPF_EXTENSION, 0, NULL, NULL, NULL, NULL, MGCOMP_FILE,
	  "A directory written by Export-MigrationState." },
	{ "Replace", MPT_SWITCH, MPF_EXTENSION, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Replace the records the data directory holds already (without it, a data directory "
	  "with batches or endpoints is refused)." },
	MG_P_END
};

static const mg_example import_state_examples[] = {
	{ "Export-MigrationState -Path copy | Out-Null; Import-MigrationState -Path copy -Replace -Confirm:$false",
	  "Reads a copy written by Export-MigrationState back, replacing the records of the "
	  "data directory, in one transaction (all of it or nothing).", 0, NULL },
	{ "Export-MigrationState -Path copy2 | Out-Null; Import-MigrationState -Path copy2 -Confirm:$false",
	  "Refused when the data directory holds batches or endpoints already and -Replace is "
	  "not given.", MG_EXAMPLE_FAILS, "-Replace" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_import_migration_state = {
	.name = "Import-MigrationState",
	.synopsis = "Reads a copy written by Export-MigrationState back (migsh extension).",
	.description =
	  "Import-MigrationState reads the records of a directory written by "
	  "Export-MigrationState (or the YAML files of a data directory from before the SQLite "
	  "store) into the data directory, in one transaction: all of them or none. The "
	  "migration service must be stopped. A data directory that holds batches or "
	  "endpoints already is refused unless -Replace is given; then its records are "
	  "replaced (migrated mail and sync state on disk are not touched).",
	.params = import_state_params,
	.inputs = "None.",
	.outputs = "None.",
	.examples = import_state_examples,
	.related = MG_NAMES("Export-MigrationState", "Stop-MigrationService"),
	.flags = MCF_SHOULD_PROCESS | MCF_CONFIRM_HIGH | MCF_EXTENSION,
	.process = import_state_process,
};
