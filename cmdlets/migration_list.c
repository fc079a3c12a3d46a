/*
 * migration_list.c - the migration cmdlets, as joined into the dispatch
 * table by cmdlets/table.c.  One declaration per cmdlet lives in the
 * cmd_*.c file of its family.
 */
#include "config.h"
#include "shell/cmdlet.h"

#include <stddef.h>

extern const mg_cmdlet mg_cmd_new_migration_endpoint;
extern const mg_cmdlet mg_cmd_get_migration_endpoint;
extern const mg_cmdlet mg_cmd_set_migration_endpoint;
extern const mg_cmdlet mg_cmd_remove_migration_endpoint;
extern const mg_cmdlet mg_cmd_test_migration_server_availability;
extern const mg_cmdlet mg_cmd_new_migration_batch;
extern const mg_cmdlet mg_cmd_get_migration_batch;
extern const mg_cmdlet mg_cmd_set_migration_batch;
extern const mg_cmdlet mg_cmd_start_migration_batch;
extern const mg_cmdlet mg_cmd_stop_migration_batch;
extern const mg_cmdlet mg_cmd_complete_migration_batch;
extern const mg_cmdlet mg_cmd_remove_migration_batch;
extern const mg_cmdlet mg_cmd_get_migration_user;
extern const mg_cmdlet mg_cmd_remove_migration_user;
extern const mg_cmdlet mg_cmd_start_migration_user;
extern const mg_cmdlet mg_cmd_stop_migration_user;
extern const mg_cmdlet mg_cmd_set_migration_user;
extern const mg_cmdlet mg_cmd_get_migration_user_statistics;
extern const mg_cmdlet mg_cmd_get_migration_statistics;
extern const mg_cmdlet mg_cmd_get_migration_config;
extern const mg_cmdlet mg_cmd_set_migration_config;
extern const mg_cmdlet mg_cmd_export_migration_state;
extern const mg_cmdlet mg_cmd_import_migration_state;
extern const mg_cmdlet mg_cmd_get_migration_service;
extern const mg_cmdlet mg_cmd_start_migration_service;
extern const mg_cmdlet mg_cmd_stop_migration_service;

const mg_cmdlet *const mg_migration_cmdlets[] = {
	&mg_cmd_new_migration_endpoint,
	&mg_cmd_get_migration_endpoint,
	&mg_cmd_set_migration_endpoint,
	&mg_cmd_remove_migration_endpoint,
	&mg_cmd_test_migration_server_availability,
	&mg_cmd_new_migration_batch,
	&mg_cmd_get_migration_batch,
	&mg_cmd_set_migration_batch,
	&mg_cmd_start_migration_batch,
	&mg_cmd_stop_migration_batch,
	&mg_cmd_complete_migration_batch,
	&mg_cmd_remove_migration_batch,
	&mg_cmd_get_migration_user,
	&mg_cmd_remove_migration_user,
	&mg_cmd_start_migration_user,
	&mg_cmd_stop_migration_user,
	&mg_cmd_set_migration_user,
	&mg_cmd_get_migration_user_statistics,
	&mg_cmd_get_migration_statistics,
	&mg_cmd_get_migration_config,
	&mg_cmd_set_migration_config,
	&mg_cmd_export_migration_state,
	&mg_cmd_import_migration_state,
	&mg_cmd_get_migration_service,
	&mg_cmd_start_migration_service,
	&mg_cmd_stop_migration_service,
	NULL
};
