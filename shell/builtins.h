/*
 * builtins.h - the utility cmdlet declarations (shell/builtin_*.c), listed
 * in shell/builtins_list.c, plus parameter-table shorthands they share.
 */
#ifndef MIGSH_BUILTINS_H
#define MIGSH_BUILTINS_H

#include "shell/cmdlet.h"

#define P_INPUT(help) \
	{ "InputObject", MPT_OBJECT, MPF_PIPE_VALUE, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, help }
#define P_END { NULL, 0, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL }
#define EX_END { NULL, NULL, 0, NULL }

extern const mg_cmdlet mg_cmd_format_list, mg_cmd_format_table, mg_cmd_out_string;
extern const mg_cmdlet mg_cmd_select_object;
extern const mg_cmdlet mg_cmd_where_object, mg_cmd_foreach_object;
extern const mg_cmdlet mg_cmd_sort_object, mg_cmd_measure_object, mg_cmd_group_object;
extern const mg_cmdlet mg_cmd_convertto_json, mg_cmd_convertto_csv, mg_cmd_export_csv,
                       mg_cmd_import_csv, mg_cmd_convertfrom_csv;
extern const mg_cmdlet mg_cmd_out_file, mg_cmd_get_content, mg_cmd_set_content;
extern const mg_cmdlet mg_cmd_write_host, mg_cmd_write_output, mg_cmd_get_date,
                       mg_cmd_clear_host;
extern const mg_cmdlet mg_cmd_get_help, mg_cmd_get_command;
extern const mg_cmdlet mg_cmd_get_member, mg_cmd_out_null, mg_cmd_out_host, mg_cmd_start_sleep,
                       mg_cmd_write_warning, mg_cmd_write_verbose, mg_cmd_write_error,
                       mg_cmd_read_host;
extern const mg_cmdlet mg_cmd_connect_exchangeonline, mg_cmd_disconnect_exchangeonline,
                       mg_cmd_import_module;
extern const mg_cmdlet mg_cmd_add_content, mg_cmd_format_wide;
/* builtin_items.c */
extern const mg_cmdlet mg_cmd_test_path, mg_cmd_get_childitem, mg_cmd_get_item, mg_cmd_new_item,
                       mg_cmd_remove_item, mg_cmd_copy_item, mg_cmd_join_path, mg_cmd_split_path,
                       mg_cmd_get_location, mg_cmd_set_location;
/* builtin_objects.c, builtin_text.c, builtin_secure.c */
extern const mg_cmdlet mg_cmd_new_object, mg_cmd_add_member, mg_cmd_compare_object, mg_cmd_tee_object,
                       mg_cmd_convertfrom_json, mg_cmd_select_string, mg_cmd_convertto_securestring,
                       mg_cmd_get_credential;
/* builtin_session.c */
extern const mg_cmdlet mg_cmd_new_variable, mg_cmd_remove_variable;
extern const mg_cmdlet mg_cmd_get_variable, mg_cmd_set_variable, mg_cmd_invoke_expression,
                       mg_cmd_get_history, mg_cmd_write_progress, mg_cmd_start_transcript,
                       mg_cmd_stop_transcript, mg_cmd_new_timespan;

/* A PSCredential object (UserName, and secure: a SecureString of shell/secure.h). */
mv *mg_credential_new(const char *user, mv *secure);
/* Record a command line typed at the prompt for Get-History (times: epoch seconds). */
struct mg_session;
void mg_history_add(struct mg_session *s, const char *line, bool ok, int64_t start, int64_t end);
/* Write a command about to run, after the prompt text, into the running
 * transcript (nothing without one); its secrets are masked. */
void mg_transcript_command(struct mg_session *s, const char *prompt, const char *line, size_t len);

/* every utility cmdlet, NULL-terminated (shell/builtins_list.c) */
extern const mg_cmdlet *const mg_builtin_cmdlets[];

/* output types of the utility cmdlets */
extern const mv_type_info mg_type_measure_info;   /* Measure-Object: GenericMeasureInfo */
extern const mv_type_info mg_type_group_info;     /* Group-Object: GroupInfo */
extern const mv_type_info mg_type_help_summary;   /* Get-Help pattern: HelpInfoShort */
extern const mv_type_info mg_type_command_info;   /* Get-Command: CmdletInfo */
extern const mv_type_info mg_type_member_definition; /* Get-Member: MemberDefinition */
extern const mv_type_info mg_type_file_info, mg_type_dir_info;   /* Get-Item, Get-ChildItem */
extern const mv_type_info mg_type_path_info;      /* Get-Location: PathInfo */
extern const mv_type_info mg_type_credential;     /* PSCredential */
extern const mv_type_info mg_type_match_info, mg_type_match_info_file;   /* Select-String */
extern const mv_type_info mg_type_psvariable, mg_type_history_info;

#endif
