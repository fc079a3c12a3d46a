/*
 * builtins_list.c - the utility cmdlets, as joined into the dispatch table
 * by cmdlets/table.c.  Each declaration lives in shell/builtin_*.c.
 */
#include "config.h"
#include "shell/builtins.h"

#include <stddef.h>

const mg_cmdlet *const mg_builtin_cmdlets[] = {
	&mg_cmd_format_list,
	&mg_cmd_format_table,
	&mg_cmd_out_string,
	&mg_cmd_select_object,
	&mg_cmd_where_object,
	&mg_cmd_foreach_object,
	&mg_cmd_sort_object,
	&mg_cmd_measure_object,
	&mg_cmd_group_object,
	&mg_cmd_convertto_json,
	&mg_cmd_convertto_csv,
	&mg_cmd_export_csv,
	&mg_cmd_import_csv,
	&mg_cmd_convertfrom_csv,
	&mg_cmd_out_file,
	&mg_cmd_get_content,
	&mg_cmd_set_content,
	&mg_cmd_write_host,
	&mg_cmd_write_output,
	&mg_cmd_get_date,
	&mg_cmd_clear_host,
	&mg_cmd_get_help,
	&mg_cmd_get_command,
	&mg_cmd_get_member,
	&mg_cmd_out_null,
	&mg_cmd_out_host,
	&mg_cmd_start_sleep,
	&mg_cmd_write_warning,
	&mg_cmd_write_verbose,
	&mg_cmd_write_error,
	&mg_cmd_read_host,
	&mg_cmd_connect_exchangeonline,
	&mg_cmd_disconnect_exchangeonline,
	&mg_cmd_import_module,
	NULL
};
