/*
 * builtin_session.c - cmdlets about the session itself: Get-Variable (gv),
 * Set-Variable, New-Variable, Remove-Variable, Invoke-Expression (iex), Get-History (h, history,
 * ghy), Write-Progress, Start-Transcript / Stop-Transcript and New-TimeSpan.
 *
 * The history and the transcript live in session slots ("history",
 * "transcript"); the REPL adds each command line with mg_history_add.  A
 * transcript tees the session's output and error streams into its file
 * (fopencookie) until Stop-Transcript or the end of the session; the REPL
 * writes each command into it first (mg_transcript_command).  Both keep
 * secret tokens masked (secret_mask.h).
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/eval.h"
#include "shell/parser.h"
#include "shell/paths.h"
#include "shell/runtime.h"
#include "shell/secret_mask.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* ---- Get-Variable / Set-Variable / New-Variable / Remove-Variable ---- */

static const char *const var_dp[] = { "Name", "Value", NULL };
const mv_type_info mg_type_psvariable = { "System.Management.Automation.PSVariable", var_dp, 1, "Name" };

static bool hidden_var(const char *name)
{
	return strchr(name, ':') != NULL;   /* function:NAME and other drive-qualified entries */
}

static mv *var_object(const char *name, mv *val, bool private_)
{
	mv *o = mv_object(&mg_type_psvariable);
	mv_set_str(o, "Name", name);
	mv_set(o, "Value", val);
	mv_set_str(o, "Visibility", "Public");
	mv_set_str(o, "Options", private_ ? "Private" : "None");
	return o;
}

static int var_cmp(const void *a, const void *b)
{
	return strcasecmp((*(mg_var *const *)a)->name, (*(mg_var *const *)b)->name);
}

/* The scope -Scope names (NULL without -Scope), or -1 with the error set.
 * -Scope Private is the current scope, the variable made private there. */
static int arg_scope(mg_ctx *c, mg_scope **sc)
{
	const char *spec = mg_arg_str(c, "Scope");
	*sc = NULL;
	if (!spec)
		return 0;
	*sc = mg_scope_named(c->session, spec, &c->err);
	return *sc ? 0 : -1;
}

static bool scope_private(mg_ctx *c)
{
	const char *spec = mg_arg_str(c, "Scope");
	return spec && str_ieq(spec, "Private");
}

/* A plain variable name: without $ (which Set-Variable $x would leave) and
 * without a scope or drive qualifier (-Scope says the scope). */
static const char *plain_name(mg_ctx *c, const char *name)
{
	const char *nm = name[0] == '$' ? name + 1 : name;
	if (!*nm || strchr(nm, ':')) {
		mg_err_set(&c->err, MGC_INVALIDARG, "VariableNameNotValid",
		           "Cannot use a variable named '%s': give a plain name without $ or a scope (use -Scope).", name);
		return NULL;
	}
	return nm;
}

static int gv_process(mg_ctx *c, mv *input)
{
	mg_session *s = c->session;
	mg_scope *sc;
	if (arg_scope(c, &sc) < 0)
		return -1;
	char **pats = bu_strv(input ? input : mg_arg(c, "Name"), NULL);
	char **excl = bu_strv(mg_arg(c, "Exclude"), NULL);
	bool value_only = mg_switch(c, "ValueOnly");
	/* the visible variables (or those of the -Scope scope), sorted like PowerShell */
	size_t nall = 0;
	mg_var **all;
	if (sc) {
		all = xcalloc(sc->nvars + 1, sizeof *all);
		for (size_t i = 0; i < sc->nvars; i++)
			all[nall++] = &sc->vars[i];
	} else {
		all = mg_vars_visible(s, &nall);
	}
	mg_var **vars = xcalloc(nall + 1, sizeof *vars);
	size_t n = 0;
	for (size_t i = 0; i < nall; i++)
		if (!hidden_var(all[i]->name))
			vars[n++] = all[i];
	free(all);
	qsort(vars, n, sizeof *vars, var_cmp);
	int rc = 0;
	char *star[] = { (char *)"*", NULL };
	char **list = pats ? pats : star;
	for (size_t p = 0; list[p] && rc == 0; p++) {
		bool found = false;
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (!str_wildcard(list[p], vars[i]->name, true))
				continue;
			bool skip = false;
			for (size_t k = 0; excl && excl[k]; k++)
				if (str_wildcard(excl[k], vars[i]->name, true))
					skip = true;
			if (skip)
				continue;
			found = true;
			rc = value_only ? mg_emit(c, vars[i]->val) :
			     mg_emit_take(c, var_object(vars[i]->name, vars[i]->val, vars[i]->private_));
		}
		if (!found && !str_has_wildcard(list[p])) {
			mg_err e;
			mg_err_set(&e, MGC_NOTFOUND, "VariableNotFound",
			           "Cannot find a variable with the name '%s'.", list[p]);
			rc = mg_error(c, &e, list[p]);
		}
	}
	free(vars);
	bu_strv_free(pats);
	bu_strv_free(excl);
	return rc;
}

#define SCOPE_PARAM \
	{ "Scope", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, \
	  "The scope: Global, Script, Local, or a number (0 is the current scope, 1 its parent, ...)." }

static const mg_param gv_params[] = {
	{ "Name", MPT_STRINGS, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, "*", MGCOMP_NONE,
	  "Names of variables (without $); wildcards allowed." },
	{ "ValueOnly", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the values instead of PSVariable objects." },
	{ "Exclude", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Leaves out names that match these patterns." },
	SCOPE_PARAM,
	P_END
};

static const mg_example gv_examples[] = {
	{ "$batchName = 'IMAPBatch1'; Get-Variable batchName", "Shows the variable's name and value.", 0, "IMAPBatch1" },
	{ "$a = 5; Get-Variable a -ValueOnly", "Prints 5.", 0, "5" },
	{ "function f { $a = 2; Get-Variable a -Scope 1 -ValueOnly }; $a = 1; f",
	  "The caller's $a, not the function's: prints 1.", 0, "1" },
	EX_END
};

const mg_cmdlet mg_cmd_get_variable = {
	.name = "Get-Variable",
	.aliases = MG_NAMES("gv"),
	.synopsis = "Gets variables of the session.",
	.description = "Get-Variable writes a PSVariable object (Name, Value) for each variable "
	               "whose name matches, sorted by name, or the values with -ValueOnly: the "
	               "variables visible from where it runs (a function's own, then its caller's, "
	               "up to the global ones), or with -Scope those of one scope. A name "
	               "without wildcards that matches nothing is an error.",
	.params = gv_params,
	.inputs = "System.String",
	.outputs = "System.Management.Automation.PSVariable",
	.output_type = &mg_type_psvariable,
	.examples = gv_examples,
	.related = MG_NAMES("Set-Variable"),
	.process = gv_process,
};

static int sv_process(mg_ctx *c, mv *input)
{
	mg_scope *sc;
	if (arg_scope(c, &sc) < 0)
		return -1;
	if (!sc)
		sc = c->session->scope;
	char **names = bu_strv(mg_arg(c, "Name"), NULL);
	mv *val = input ? input : mg_arg(c, "Value");
	int rc = 0;
	for (size_t i = 0; names && names[i] && rc == 0; i++) {
		const char *nm = plain_name(c, names[i]);
		if (!nm) {
			rc = -1;
			break;
		}
		mg_scope_set_take(sc, nm, val ? mv_ref(val) : NULL, scope_private(c));
		if (mg_switch(c, "PassThru")) {
			mg_var *v = mg_scope_find(sc, nm);
			rc = mg_emit_take(c, var_object(v->name, v->val, v->private_));
		}
	}
	bu_strv_free(names);
	return rc;
}

static const mg_param sv_params[] = {
	{ "Name", MPT_STRINGS, MPF_MANDATORY | MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The variable's name (without $)." },
	{ "Value", MPT_OBJECT, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 1, NULL, NULL, NULL, "$null", MGCOMP_NONE,
	  "The new value." },
	{ "PassThru", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the variable (a PSVariable object)." },
	SCOPE_PARAM,
	{ "Option", MPT_STRINGS, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility (ReadOnly and Constant are not enforced)." },
	{ "Description", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility." },
	P_END
};

static const mg_example sv_examples[] = {
	{ "Set-Variable -Name batch -Value IMAPBatch1; $batch", "Prints IMAPBatch1.", 0, "IMAPBatch1" },
	{ "function f { Set-Variable n 5 -Scope Global }; f; $global:n", "Sets a global variable: prints 5.", 0, "5" },
	EX_END
};

const mg_cmdlet mg_cmd_set_variable = {
	.name = "Set-Variable",
	.aliases = MG_NAMES("set", "sv"),
	.synopsis = "Sets the value of a variable.",
	.description = "Set-Variable gives the named variable (created if needed) the value, "
	               "like $name = value: in the current scope, or in the one -Scope names.",
	.params = sv_params,
	.inputs = "System.Object",
	.outputs = "None, or with -PassThru System.Management.Automation.PSVariable",
	.examples = sv_examples,
	.related = MG_NAMES("Get-Variable"),
	.process = sv_process,
};

static int nv_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_scope *sc;
	if (arg_scope(c, &sc) < 0)
		return -1;
	if (!sc)
		sc = c->session->scope;
	const char *nm = plain_name(c, mg_arg_str(c, "Name"));
	if (!nm)
		return -1;
	bool private_ = scope_private(c);
	char **opts = bu_strv(mg_arg(c, "Option"), NULL);
	for (size_t i = 0; opts && opts[i]; i++)
		if (str_ieq(opts[i], "Private"))
			private_ = true;
	bu_strv_free(opts);
	if (mg_scope_find(sc, nm) && !mg_switch(c, "Force")) {
		mg_err e;
		mg_err_set(&e, MGC_EXISTS, "VariableAlreadyExists", "A variable with name '%s' already exists.", nm);
		return mg_error(c, &e, nm);
	}
	mv *val = mg_arg(c, "Value");
	mg_scope_set_take(sc, nm, val ? mv_ref(val) : NULL, private_);
	if (!mg_switch(c, "PassThru"))
		return 0;
	mg_var *v = mg_scope_find(sc, nm);
	return mg_emit_take(c, var_object(v->name, v->val, v->private_));
}

static const mg_param nv_params[] = {
	{ "Name", MPT_STRING, MPF_MANDATORY | MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The variable's name (without $)." },
	{ "Value", MPT_OBJECT, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 1, NULL, NULL, NULL, "$null", MGCOMP_NONE,
	  "Its value." },
	SCOPE_PARAM,
	{ "Option", MPT_STRINGS, 0, -1, NULL, NULL, NULL, "None", MGCOMP_NONE,
	  "Private: the variable is not seen from child scopes (ReadOnly and Constant are accepted, "
	  "not enforced)." },
	{ "Force", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Replaces a variable of that name in the scope instead of failing." },
	{ "PassThru", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the variable (a PSVariable object)." },
	{ "Description", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility." },
	P_END
};

static const mg_example nv_examples[] = {
	{ "New-Variable -Name batch -Value IMAPBatch1; $batch", "Prints IMAPBatch1.", 0, "IMAPBatch1" },
	EX_END
};

const mg_cmdlet mg_cmd_new_variable = {
	.name = "New-Variable",
	.aliases = MG_NAMES("nv"),
	.synopsis = "Creates a variable.",
	.description = "New-Variable creates the variable in the current scope (or the one -Scope "
	               "names); a variable of that name already in that scope is an error unless "
	               "-Force is given.",
	.params = nv_params,
	.inputs = "System.Object",
	.outputs = "None, or with -PassThru System.Management.Automation.PSVariable",
	.examples = nv_examples,
	.process = nv_process,
};

static int rv_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_session *s = c->session;
	mg_scope *sc;
	if (arg_scope(c, &sc) < 0)
		return -1;
	char **names = bu_strv(mg_arg(c, "Name"), NULL);
	int rc = 0;
	for (size_t i = 0; names && names[i] && rc == 0; i++) {
		const char *nm = plain_name(c, names[i]);
		if (!nm) {
			rc = -1;
			break;
		}
		bool found = false;
		if (str_has_wildcard(nm)) {
			/* every matching variable of the scope (or the visible ones) */
			size_t n = 0;
			mg_var **all = sc ? NULL : mg_vars_visible(s, &n);
			char **hit = xcalloc((sc ? sc->nvars : n) + 1, sizeof *hit);
			size_t nh = 0;
			for (size_t k = 0; k < (sc ? sc->nvars : n); k++) {
				const char *vn = sc ? sc->vars[k].name : all[k]->name;
				if (!hidden_var(vn) && str_wildcard(nm, vn, true))
					hit[nh++] = xstrdup(vn);
			}
			free(all);
			for (size_t k = 0; k < nh; k++) {
				if (sc)
					mg_scope_remove(sc, hit[k]);
				else
					mg_var_remove(s, hit[k]);
				free(hit[k]);
			}
			free(hit);
			continue;
		}
		if (sc) {
			found = mg_scope_remove(sc, nm);
		} else if (mg_var_get(s, nm)) {
			mg_var_remove(s, nm);
			found = true;
		}
		if (!found) {
			mg_err e;
			mg_err_set(&e, MGC_NOTFOUND, "VariableNotFound", "Cannot find a variable with the name '%s'.", nm);
			rc = mg_error(c, &e, nm);
		}
	}
	bu_strv_free(names);
	return rc;
}

static const mg_param rv_params[] = {
	{ "Name", MPT_STRINGS, MPF_MANDATORY | MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Names of variables (without $); wildcards allowed." },
	SCOPE_PARAM,
	{ "Force", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted for compatibility (ReadOnly is not enforced)." },
	P_END
};

static const mg_example rv_examples[] = {
	{ "$tmp = 1; Remove-Variable tmp; $null -eq $tmp", "Prints True.", 0, "True" },
	EX_END
};

const mg_cmdlet mg_cmd_remove_variable = {
	.name = "Remove-Variable",
	.aliases = MG_NAMES("rv"),
	.synopsis = "Deletes a variable.",
	.description = "Remove-Variable deletes the named variable: the one visible from where it "
	               "runs (the nearest scope that has it), or the one of the scope -Scope names. "
	               "A name without wildcards that names no variable is an error.",
	.params = rv_params,
	.inputs = "None",
	.outputs = "None",
	.examples = rv_examples,
	.process = rv_process,
};

/* ---- Invoke-Expression ---- */

static int iex_process(mg_ctx *c, mv *input)
{
	mg_session *s = c->session;
	mv *cmd = input ? input : mg_arg(c, "Command");
	if (!cmd)
		return 0;
	char *src = mv_to_string(cmd);
	/* -ErrorAction holds for what the text runs, as for a function */
	mv *old_pref = NULL;
	bool set_pref = mg_has(c, "ErrorAction");
	if (set_pref) {
		old_pref = mg_var_get(s, "local:ErrorActionPreference");
		if (old_pref)
			mv_ref(old_pref);
		mg_var_set(s, "ErrorActionPreference", mg_arg(c, "ErrorAction"));
	}
	mv *out = mv_array();
	bool fatal = false;
	int rc = mg_eval_text(s, src, strlen(src), out, &c->err, &fatal);
	free(src);
	if (set_pref) {
		if (old_pref)
			mg_var_set_take(s, "ErrorActionPreference", old_pref);
		else
			mg_var_remove(s, "local:ErrorActionPreference");
	}
	if (rc < 0) {
		/* a terminating error inside ends Invoke-Expression: the caller's
		 * try/catch gets it */
		mv_unref(out);
		if (fatal)
			mg_error_ends_script(c);
		return -1;
	}
	/* errors reported inside count for $? (the pipeline's errors_written) */
	int r = bu_emit_enum(c, out);
	mv_unref(out);
	return r;
}

static const mg_param iex_params[] = {
	{ "Command", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The PowerShell text to run." },
	P_END
};

static const mg_example iex_examples[] = {
	{ "Invoke-Expression 'Get-MigrationBatch | Measure-Object'", "Runs a command held in a string.", 0, "Count" },
	{ "$cmd = 'Get-Date -Format yyyy'; iex $cmd", "The current year.", 0, "2" },
	EX_END
};

const mg_cmdlet mg_cmd_invoke_expression = {
	.name = "Invoke-Expression",
	.aliases = MG_NAMES("iex"),
	.synopsis = "Runs a string as PowerShell commands.",
	.description = "Invoke-Expression parses the string and runs it in the current scope "
	               "(its variables and functions stay defined), writing its output. Text that "
	               "does not parse is a terminating error and nothing of it runs. Inside, an "
	               "error that ends a statement is reported and the next statement runs, as "
	               "in a script block; in a try block, or for throw and -ErrorAction Stop, it "
	               "ends the text and goes to the caller's catch.",
	.params = iex_params,
	.inputs = "System.String",
	.outputs = "System.Object",
	.examples = iex_examples,
	.notes = "Never pass text from an untrusted source (a CSV file, a mail) to "
	         "Invoke-Expression.",
	.related = MG_NAMES("about_migsh_language"),
	.process = iex_process,
};

/* ---- Get-History ---- */

static const char *const hist_dp[] = { "Id", "CommandLine", NULL };
const mv_type_info mg_type_history_info = { "Microsoft.PowerShell.Commands.HistoryInfo", hist_dp, 1,
                                            "CommandLine" };

static void history_release(void *p)
{
	mv_unref(p);
}

void mg_history_add(mg_session *s, const char *line, bool ok, int64_t start, int64_t end)
{
	mv *h = mg_session_slot(s, "history");
	if (!h) {
		h = mv_array();
		mg_session_set_slot(s, "history", h, history_release);
	}
	mv *o = mv_object(&mg_type_history_info);
	mv_set_int(o, "Id", (long long)h->u.arr.n + 1);
	char *masked = mg_mask_secrets(s, line, strlen(line));   /* Get-History never shows a secret */
	mv_set_str(o, "CommandLine", masked);
	free(masked);
	mv_set_str(o, "ExecutionStatus", ok ? "Completed" : "Failed");
	mv_set_take(o, "StartExecutionTime", mv_datetime(start, 0));
	mv_set_take(o, "EndExecutionTime", mv_datetime(end, 0));
	mv_set_take(o, "Duration", mv_timespan_ms((end - start) * 1000));
	mv_array_push_take(h, o);
}

static int ghy_process(mg_ctx *c, mv *input)
{
	(void)input;
	mv *h = mg_session_slot(c->session, "history");
	size_t n = h ? h->u.arr.n : 0;
	mv *ids = mg_arg(c, "Id");
	if (ids) {
		int rc = 0;
		size_t k;
		char **v = bu_strv(ids, &k);
		for (size_t i = 0; i < k && rc == 0; i++) {
			long long id = atoll(v[i]);
			if (id >= 1 && (size_t)id <= n) {
				rc = mg_emit(c, h->u.arr.items[id - 1]);
			} else {
				mg_err e;
				mg_err_set(&e, MGC_NOTFOUND, "GetHistoryInvalidArgument",
				           "Cannot locate history for Id %lld.", id);
				rc = mg_error(c, &e, v[i]);
			}
		}
		bu_strv_free(v);
		return rc;
	}
	long long count = 4096;
	if (mg_has(c, "Count"))
		mv_to_ll(mg_arg(c, "Count"), &count);
	size_t from = count >= 0 && (size_t)count < n ? n - (size_t)count : 0;
	for (size_t i = from; i < n; i++)
		if (mg_emit(c, h->u.arr.items[i]) < 0)
			return -1;
	return 0;
}

static const mg_param ghy_params[] = {
	{ "Id", MPT_STRINGS, MPF_PIPE_VALUE, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The numbers of the entries to get." },
	{ "Count", MPT_INT, 0, 1, NULL, NULL, NULL, "4096", MGCOMP_NONE, "The last N entries." },
	P_END
};

static const mg_example ghy_examples[] = {
	{ "Get-History -Count 5", "The last five command lines typed at the prompt (none in a script).", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_get_history = {
	.name = "Get-History",
	.aliases = MG_NAMES("h", "history", "ghy"),
	.synopsis = "Lists the command lines entered in this session.",
	.description = "Get-History writes a HistoryInfo object (Id, CommandLine, "
	               "ExecutionStatus, StartExecutionTime, EndExecutionTime) for each command "
	               "line typed at the interactive prompt of this session. Scripts have no "
	               "history. (Readline's own history of earlier sessions is in "
	               "$MIGSH_HOME/history.)",
	.params = ghy_params,
	.inputs = "System.Int64",
	.outputs = "Microsoft.PowerShell.Commands.HistoryInfo",
	.output_type = &mg_type_history_info,
	.examples = ghy_examples,
	.related = MG_NAMES("Invoke-Expression"),
	.process = ghy_process,
};

/* ---- Write-Progress ---- */

static int wp_process(mg_ctx *c, mv *input)
{
	(void)input;
	const char *act = mg_arg_str(c, "Activity");
	const char *status = mg_arg_str(c, "Status");
	if (mg_switch(c, "Completed")) {
		mg_session *s = c->session;
		mg_progress(c, act, status, -1, true);
		if (s->interactive && isatty(fileno(s->errf))) {
			fputs("\r\033[K", s->errf);
			fflush(s->errf);
		}
		return 0;
	}
	if (!act) {
		mg_err_set(&c->err, MGC_INVALIDARG, "MissingActivity",
		           "Write-Progress needs -Activity (or -Completed).");
		return -1;
	}
	long long pct = -1;
	if (mg_has(c, "PercentComplete"))
		mv_to_ll(mg_arg(c, "PercentComplete"), &pct);
	if (pct > 100) {
		mg_err_set(&c->err, MGC_INVALIDARG, "ParameterArgumentValidationError",
		           "Cannot validate argument on parameter 'PercentComplete'. The %lld argument is "
		           "greater than the maximum allowed range of 100. Supply an argument that is less "
		           "than or equal to 100 and then try the command again.", pct);
		return -1;
	}
	const char *op = mg_arg_str(c, "CurrentOperation");
	char *st = op ? xasprintf("%s%s%s", status ? status : "", status ? " " : "", op)
	              : xstrdup(status ? status : "Processing");
	mg_progress(c, act, st, (int)pct, false);
	free(st);
	return 0;
}

static const mg_param wp_params[] = {
	{ "Activity", MPT_STRING, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "What is being done (the bar's title)." },
	{ "Status", MPT_STRING, 0, 1, NULL, NULL, NULL, "Processing", MGCOMP_NONE,
	  "The current state, shown after the title." },
	{ "Id", MPT_INT, 0, 2, NULL, NULL, NULL, "0", MGCOMP_NONE,
	  "Accepted; one bar is shown at a time." },
	{ "PercentComplete", MPT_INT, 0, -1, NULL, NULL, NULL, "-1", MGCOMP_NONE,
	  "How far along, 0 to 100 (-1: unknown)." },
	{ "SecondsRemaining", MPT_INT, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility." },
	{ "CurrentOperation", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "More detail, shown after the status." },
	{ "ParentId", MPT_INT, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility." },
	{ "Completed", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Removes the bar." },
	P_END
};

static const mg_example wp_examples[] = {
	{ "foreach ($i in 1..3) { Write-Progress -Activity 'Checking batches' -Status \"$i of 3\" -PercentComplete ($i * 33) }; Write-Progress -Activity 'Checking batches' -Completed",
	  "A progress bar on the terminal's error stream (nothing when the output is not a terminal).", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_write_progress = {
	.name = "Write-Progress",
	.synopsis = "Shows a progress bar.",
	.description = "Write-Progress shows (or with -Completed removes) a one-line progress bar "
	               "on the terminal, on the error stream, so the output of a script is not "
	               "mixed with it. Without a terminal it shows nothing.",
	.params = wp_params,
	.inputs = "None",
	.outputs = "None",
	.examples = wp_examples,
	.related = MG_NAMES("Write-Host", "Start-Sleep"),
	.process = wp_process,
};

/* ---- Start-Transcript / Stop-Transcript ---- */

typedef struct transcript {
	mg_session *s;
	FILE *orig_out, *orig_err;   /* the streams before the transcript */
	FILE *file;
	FILE *tee_out, *tee_err;
	char *path;
} transcript;

typedef struct tee_cookie {
	transcript *t;
	bool err;
} tee_cookie;

static ssize_t tee_write(void *cookie, const char *buf, size_t n)
{
	tee_cookie *k = cookie;
	FILE *o = k->err ? k->t->orig_err : k->t->orig_out;
	fwrite(buf, 1, n, o);
	fflush(o);
	if (k->t->file)
		fwrite(buf, 1, n, k->t->file);
	return (ssize_t)n;
}

static int tee_close(void *cookie)
{
	free(cookie);
	return 0;
}

static void stamp(char *buf, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(buf, n, "%Y%m%d%H%M%S", &tm);
}

/* End the transcript t: restore the streams, write the trailer, free t. */
static void transcript_end(void *p)
{
	transcript *t = p;
	if (t->s->out == t->tee_out)
		t->s->out = t->orig_out;
	if (t->s->errf == t->tee_err)
		t->s->errf = t->orig_err;
	fclose(t->tee_out);
	fclose(t->tee_err);
	char ts[32];
	stamp(ts, sizeof ts);
	fprintf(t->file, "**********************\nPowerShell transcript end\nEnd time: %s\n**********************\n", ts);
	fclose(t->file);
	free(t->path);
	free(t);
}

void mg_transcript_command(mg_session *s, const char *prompt, const char *line, size_t len)
{
	transcript *t = mg_session_slot(s, "transcript");
	if (!t || !t->file)
		return;
	/* PowerShell 7 writes each command as typed after the prompt text, then
	 * its output; a secret in it is masked as in an echoed error line */
	fflush(s->out);
	fflush(s->errf);
	char *masked = mg_mask_secrets(s, line, len);
	fprintf(t->file, "%s%s\n", prompt ? prompt : "PS>", masked);
	fflush(t->file);
	free(masked);
}

static FILE *tee_open(transcript *t, bool err)
{
	tee_cookie *k = xcalloc(1, sizeof *k);
	k->t = t;
	k->err = err;
	cookie_io_functions_t io = { .read = NULL, .write = tee_write, .seek = NULL, .close = tee_close };
	FILE *f = fopencookie(k, "w", io);
	if (!f)
		free(k);
	else
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

static int start_tr_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_session *s = c->session;
	if (mg_session_slot(s, "transcript")) {
		mg_err_set(&c->err, MGC_INVALIDOP, "CannotStartTranscription",
		           "Transcription has already been started. Use Stop-Transcript first.");
		return -1;
	}
	if (s->file_root) {
		mg_err_set(&c->err, MGC_PERMISSION, "PathNotAllowed", "This session may not write files.");
		return -1;
	}
	const char *given = mg_arg_str(c, "Path");
	if (!given)
		given = mg_arg_str(c, "LiteralPath");
	if (!given)
		given = mg_arg_str(c, "OutputDirectory");
	char *path;
	char host[256] = "localhost";
	gethostname(host, sizeof host - 1);
	char ts[32];
	stamp(ts, sizeof ts);
	if (!given || mg_has(c, "OutputDirectory")) {
		const char *dir = given ? given : getenv("HOME");
		path = xasprintf("%s/PowerShell_transcript.%s.%08lx.%s.txt", dir ? dir : ".", host,
		                 (unsigned long)((unsigned long)getpid() * 2654435761u) & 0xffffffffUL, ts);
	} else {
		path = mg_map_path_for_write(s, given);
	}
	if (mg_switch(c, "NoClobber") && access(path, F_OK) == 0) {
		mg_err_set(&c->err, MGC_EXISTS, "NoClobber", "The file '%s' already exists.", path);
		free(path);
		return -1;
	}
	transcript *t = xcalloc(1, sizeof *t);
	t->s = s;
	t->file = fopen(path, mg_switch(c, "Append") ? "a" : "w");
	if (!t->file) {
		mg_err_sys(&c->err, MGC_WRITE, "CannotStartTranscription", "Cannot write the transcript '%s'", path);
		free(path);
		free(t);
		return -1;
	}
	t->path = path;
	t->orig_out = s->out;
	t->orig_err = s->errf;
	t->tee_out = tee_open(t, false);
	t->tee_err = tee_open(t, true);
	if (!t->tee_out || !t->tee_err) {
		if (t->tee_out)
			fclose(t->tee_out);
		if (t->tee_err)
			fclose(t->tee_err);
		fclose(t->file);
		free(path);
		free(t);
		mg_err_set(&c->err, MGC_RESOURCE, "CannotStartTranscription", "Cannot start the transcript.");
		return -1;
	}
	struct passwd pw, *pwp = NULL;
	char buf[4096];
	const char *user = getpwuid_r(getuid(), &pw, buf, sizeof buf, &pwp) == 0 && pwp ? pwp->pw_name : "?";
	struct utsname un;
	uname(&un);
	fprintf(t->file,
	        "**********************\nPowerShell transcript start\nStart time: %s\nUsername: %s\n"
	        "RunAs User: %s\nConfiguration Name: \nMachine: %s (%s %s)\nHost Application: migsh\n"
	        "Process ID: %ld\nPSVersion: %s\n**********************\n",
	        ts, user, user, host, un.sysname, un.release, (long)getpid(), PACKAGE_VERSION);
	fflush(s->out);
	fflush(s->errf);
	s->out = t->tee_out;
	s->errf = t->tee_err;
	mg_session_set_slot(s, "transcript", t, transcript_end);
	return mg_emit_take(c, mv_stringf("Transcript started, output file is %s", path));
}

static const mg_param start_tr_params[] = {
	{ "Path", MPT_STRING, 0, 0, NULL, NULL, NULL, "$HOME/PowerShell_transcript.HOST.ID.TIME.txt", MGCOMP_FILE,
	  "The transcript file." },
	{ "LiteralPath", MPT_STRING, 0, -1, NULL, NULL, MG_NAMES("PSPath", "LP"), NULL, MGCOMP_FILE,
	  "The transcript file, taken as it is." },
	{ "OutputDirectory", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_FILE,
	  "The directory of an automatically named transcript file." },
	{ "Append", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Adds to the end of an existing file." },
	{ "NoClobber", MPT_SWITCH, 0, -1, NULL, NULL, MG_NAMES("NoOverwrite"), "False", MGCOMP_NONE,
	  "Refuses to replace an existing file." },
	{ "Force", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE, "Accepted." },
	{ "IncludeInvocationHeader", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted for compatibility." },
	{ "UseMinimalHeader", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted for compatibility." },
	P_END
};

static const mg_example start_tr_examples[] = {
	{ "Start-Transcript -Path ./migration-log.txt; Get-MigrationBatch; Stop-Transcript",
	  "Keeps what the console showed in a file.", 0, "Transcript stopped" },
	EX_END
};

const mg_cmdlet mg_cmd_start_transcript = {
	.name = "Start-Transcript",
	.synopsis = "Records the session's console output in a file.",
	.description = "Start-Transcript copies everything the session writes to the console "
	               "(output, errors, warnings, host text) into a text file, after a header, "
	               "until Stop-Transcript or the end of the session. In the interactive shell "
	               "each command typed at the prompt is written first, after the prompt text, "
	               "as PowerShell 7 does (the statements of a script are not, as in PowerShell); "
	               "the value of a secret parameter such as -Password is written as ********.",
	.params = start_tr_params,
	.inputs = "None",
	.outputs = "System.String",
	.examples = start_tr_examples,
	.related = MG_NAMES("Stop-Transcript", "Out-File", "Tee-Object"),
	.process = start_tr_process,
};

static int stop_tr_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_session *s = c->session;
	transcript *t = mg_session_slot(s, "transcript");
	if (!t) {
		mg_err_set(&c->err, MGC_INVALIDOP, "InvalidOperation",
		           "An error occurred stopping transcription: The host is not currently transcribing.");
		return -1;
	}
	char *path = xstrdup(t->path);
	fflush(s->out);
	fflush(s->errf);
	mg_session_set_slot(s, "transcript", NULL, NULL);   /* ends it (transcript_end) */
	mv *msg = mv_stringf("Transcript stopped, output file is %s", path);
	free(path);
	return mg_emit_take(c, msg);
}

static const mg_param stop_tr_params[] = { P_END };
static const mg_example stop_tr_examples[] = {
	{ "Start-Transcript -Path ./t.txt | Out-Null; 'logged'; Stop-Transcript", "Ends the transcript.", 0,
	  "Transcript stopped" },
	EX_END
};

const mg_cmdlet mg_cmd_stop_transcript = {
	.name = "Stop-Transcript",
	.synopsis = "Ends the transcript.",
	.description = "Stop-Transcript ends the transcript Start-Transcript began and writes the "
	               "name of its file. Without a transcript it is an error.",
	.params = stop_tr_params,
	.inputs = "None",
	.outputs = "System.String",
	.examples = stop_tr_examples,
	.related = MG_NAMES("Start-Transcript"),
	.process = stop_tr_process,
};

/* ---- New-TimeSpan ---- */

static int nts_process(mg_ctx *c, mv *input)
{
	if (mg_has(c, "Start") || mg_has(c, "End") || input) {
		mv *sv = input ? input : mg_arg(c, "Start"), *ev = mg_arg(c, "End");
		mv *now = mv_datetime_now();
		const mv *a = sv && sv->kind == MV_DATETIME ? sv : now, *b = ev && ev->kind == MV_DATETIME ? ev : now;
		long long ms = (long long)(b->u.dt.sec - a->u.dt.sec) * 1000 + (b->u.dt.usec - a->u.dt.usec) / 1000;
		mv_unref(now);
		return mg_emit_take(c, mv_timespan_ms(ms));
	}
	static const struct { const char *p; long long ms; } parts[] = {
		{ "Days", 86400000LL }, { "Hours", 3600000LL }, { "Minutes", 60000LL }, { "Seconds", 1000LL },
		{ "Milliseconds", 1LL } };
	long long ms = 0;
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		long long v = 0;
		if (mg_has(c, parts[i].p))
			mv_to_ll(mg_arg(c, parts[i].p), &v);
		ms += v * parts[i].ms;
	}
	return mg_emit_take(c, mv_timespan_ms(ms));
}

static const mg_param nts_params[] = {
	{ "Start", MPT_DATETIME, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, MG_NAMES("Date"), MG_NAMES("LastWriteTime"), "now",
	  MGCOMP_NONE, "The start of the interval." },
	{ "End", MPT_DATETIME, MPF_PIPE_PROPNAME, 1, NULL, MG_NAMES("Date"), NULL, "now", MGCOMP_NONE,
	  "The end of the interval." },
	{ "Days", MPT_INT, 0, -1, NULL, MG_NAMES("Time"), NULL, "0", MGCOMP_NONE, "Days." },
	{ "Hours", MPT_INT, 0, -1, NULL, MG_NAMES("Time"), NULL, "0", MGCOMP_NONE, "Hours." },
	{ "Minutes", MPT_INT, 0, -1, NULL, MG_NAMES("Time"), NULL, "0", MGCOMP_NONE, "Minutes." },
	{ "Seconds", MPT_INT, 0, -1, NULL, MG_NAMES("Time"), NULL, "0", MGCOMP_NONE, "Seconds." },
	{ "Milliseconds", MPT_INT, 0, -1, NULL, MG_NAMES("Time"), NULL, "0", MGCOMP_NONE, "Milliseconds." },
	P_END
};

static const mg_example nts_examples[] = {
	{ "(New-TimeSpan -Hours 1 -Minutes 30).TotalMinutes", "Prints 90.", 0, "90" },
	{ "(New-TimeSpan -Start (Get-Date).AddHours(-2)).TotalHours -ge 2", "The time since two hours ago.", 0, "True" },
	EX_END
};

const mg_cmdlet mg_cmd_new_timespan = {
	.name = "New-TimeSpan",
	.synopsis = "Makes a time interval.",
	.description = "New-TimeSpan writes the TimeSpan between -Start and -End (each defaults "
	               "to now), or the one made of -Days, -Hours, -Minutes, -Seconds and "
	               "-Milliseconds.",
	.params = nts_params,
	.default_set = "Date",
	.inputs = "System.DateTime",
	.outputs = "System.TimeSpan",
	.examples = nts_examples,
	.related = MG_NAMES("Get-Date", "Start-Sleep"),
	.process = nts_process,
};
