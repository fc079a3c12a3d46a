/*
 * builtin_misc.c - small cmdlets scripts use around the migration cmdlets:
 * Get-Member (gm), Out-Null, Out-Host, Start-Sleep, Write-Warning,
 * Write-Error, Write-Verbose and Read-Host.
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/format.h"
#include "shell/secure.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- Get-Member ---- */

static const char *const gm_dp[] = { "Name", "MemberType", "Definition", NULL };
const mv_type_info mg_type_member_definition = {
	"Microsoft.PowerShell.Commands.MemberDefinition", gm_dp, 4, "Name" };

typedef struct gm_state {
	mvlist seen;    /* one sample object per type already described */
} gm_state;

static bool same_type(const mv *a, const mv *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == MV_OBJECT) {
		if (a->u.obj.type != b->u.obj.type)
			return false;
		if (a->u.obj.type)
			return true;
		/* custom objects: same property names */
		if (a->u.obj.n != b->u.obj.n)
			return false;
		for (size_t i = 0; i < a->u.obj.n; i++)
			if (strcasecmp(a->u.obj.props[i].name, b->u.obj.props[i].name))
				return false;
	}
	return true;
}

static const char *short_type(const mv *v)
{
	if (!v || v->kind == MV_NULL)
		return "object";
	switch (v->kind) {
	case MV_BOOL: return "bool";
	case MV_INT: return "int";
	case MV_DOUBLE: return "double";
	case MV_STRING: return "string";
	case MV_BYTES: return "byte[]";
	case MV_SIZE: return "ByteQuantifiedSize";
	case MV_DATETIME: return "datetime";
	case MV_TIMESPAN: return "timespan";
	case MV_ARRAY: return "Object[]";
	case MV_HASH: return "hashtable";
	case MV_SCRIPTBLOCK: return "scriptblock";
	case MV_OBJECT: return v->u.obj.type && v->u.obj.type->name ? v->u.obj.type->name
	                                                            : "PSCustomObject";
	default: return "object";
	}
}

/* The methods migsh's objects have (what the evaluator can call), per kind. */
typedef struct gm_method {
	const char *name, *def;
} gm_method;

static const gm_method m_common[] = {
	{ "Equals", "bool Equals(System.Object obj)" },
	{ "GetHashCode", "int GetHashCode()" },
	{ "GetType", "type GetType()" },
	{ "ToString", "string ToString()" },
	{ NULL, NULL }
};
static const gm_method m_string[] = {
	{ "Contains", "bool Contains(string value)" },
	{ "EndsWith", "bool EndsWith(string value)" },
	{ "IndexOf", "int IndexOf(string value)" },
	{ "PadLeft", "string PadLeft(int totalWidth), string PadLeft(int totalWidth, char paddingChar)" },
	{ "PadRight", "string PadRight(int totalWidth), string PadRight(int totalWidth, char paddingChar)" },
	{ "Replace", "string Replace(string oldValue, string newValue)" },
	{ "Split", "string[] Split(Params char[] separator)" },
	{ "StartsWith", "bool StartsWith(string value)" },
	{ "Substring", "string Substring(int startIndex), string Substring(int startIndex, int length)" },
	{ "ToLower", "string ToLower()" },
	{ "ToLowerInvariant", "string ToLowerInvariant()" },
	{ "ToUpper", "string ToUpper()" },
	{ "ToUpperInvariant", "string ToUpperInvariant()" },
	{ "Trim", "string Trim()" },
	{ "TrimEnd", "string TrimEnd()" },
	{ "TrimStart", "string TrimStart()" },
	{ NULL, NULL }
};
static const gm_method m_number[] = {
	{ "ToString", "string ToString(), string ToString(string format)" },
	{ NULL, NULL }
};
static const gm_method m_date[] = {
	{ "AddDays", "datetime AddDays(double value)" },
	{ "AddHours", "datetime AddHours(double value)" },
	{ "AddMinutes", "datetime AddMinutes(double value)" },
	{ "AddSeconds", "datetime AddSeconds(double value)" },
	{ "ToString", "string ToString(), string ToString(string format)" },
	{ NULL, NULL }
};
static const gm_method m_hash[] = {
	{ "Contains", "bool Contains(System.Object key)" },
	{ "ContainsKey", "bool ContainsKey(System.Object key)" },
	{ NULL, NULL }
};
static const gm_method m_block[] = {
	{ "Invoke", "System.Collections.ObjectModel.Collection[psobject] Invoke(Params System.Object[] args)" },
	{ NULL, NULL }
};

static const gm_method *kind_methods(const mv *v)
{
	switch (v->kind) {
	case MV_STRING: return m_string;
	case MV_INT: case MV_DOUBLE: return m_number;
	case MV_DATETIME: return m_date;
	case MV_HASH: return m_hash;
	case MV_SCRIPTBLOCK: return m_block;
	default: return NULL;
	}
}

/* Does -MemberType (NULL: all) select members of type mt? */
static bool type_wanted(char **want, const char *mt)
{
	if (!want)
		return true;
	bool prop = strstr(mt, "Property") != NULL, meth = strstr(mt, "Method") != NULL;
	for (size_t i = 0; want[i]; i++) {
		if (str_ieq(want[i], "All") || str_ieq(want[i], mt) ||
		    (str_ieq(want[i], "Properties") && prop) || (str_ieq(want[i], "Methods") && meth))
			return true;
	}
	return false;
}

static bool name_wanted(char **pats, const char *name)
{
	if (!pats)
		return true;
	for (size_t k = 0; pats[k]; k++)
		if (str_wildcard(pats[k], name, true))
			return true;
	return false;
}

static int member_out(mg_ctx *c, const char *tn, const char *name, const char *mt, mv *def)
{
	mv *m = mv_object(&mg_type_member_definition);
	mv_set_str(m, "TypeName", tn);
	mv_set_str(m, "Name", name);
	mv_set_str(m, "MemberType", mt);
	mv_set_take(m, "Definition", def);
	return mg_emit_take(c, m);
}

static int strptr_cmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static int prop_cmp(const void *a, const void *b)
{
	return strcasecmp((*(const mv_prop *const *)a)->name, (*(const mv_prop *const *)b)->name);
}

static int gm_one(mg_ctx *c, gm_state *st, mv *obj)
{
	for (size_t i = 0; i < st->seen.n; i++)
		if (same_type(st->seen.v[i], obj))
			return 0;
	mvlist_push(&st->seen, obj);
	const char *tn = mv_kind_name(obj);
	char **pats = bu_strv(mg_arg(c, "Name"), NULL);
	char **want = bu_strv(mg_arg(c, "MemberType"), NULL);
	int rc = 0;
	/* methods first, by name (the kind's own and the ones every object has) */
	const gm_method *own = kind_methods(obj);
	const char *mnames[64];
	const char *mdefs[64];
	size_t nm = 0;
	for (const gm_method *m = own; m && m->name && nm < 64; m++) {
		mnames[nm] = m->name;
		mdefs[nm++] = m->def;
	}
	for (const gm_method *m = m_common; m->name && nm < 64; m++) {
		bool dup = false;
		for (size_t k = 0; k < nm; k++)
			if (str_ieq(mnames[k], m->name))
				dup = true;
		if (!dup) {
			mnames[nm] = m->name;
			mdefs[nm++] = m->def;
		}
	}
	const char *order[64];
	for (size_t k = 0; k < nm; k++)
		order[k] = mnames[k];
	qsort(order, nm, sizeof *order, strptr_cmp);
	if (type_wanted(want, "Method"))
		for (size_t k = 0; k < nm && rc == 0; k++) {
			if (!name_wanted(pats, order[k]))
				continue;
			const char *def = NULL;
			for (size_t j = 0; j < nm; j++)
				if (mnames[j] == order[k])
					def = mdefs[j];
			rc = member_out(c, tn, order[k], "Method", mv_string(def));
		}
	if (obj->kind == MV_OBJECT || obj->kind == MV_HASH) {
		bool note = obj->kind == MV_OBJECT && !obj->u.obj.type;
		const char *mt = obj->kind == MV_HASH ? "Key" : note ? "NoteProperty" : "Property";
		const mv_prop **props = xcalloc(obj->u.obj.n + 1, sizeof *props);
		for (size_t i = 0; i < obj->u.obj.n; i++)
			props[i] = &obj->u.obj.props[i];
		qsort(props, obj->u.obj.n, sizeof *props, prop_cmp);
		for (size_t i = 0; i < obj->u.obj.n && rc == 0 && type_wanted(want, mt); i++) {
			const mv_prop *p = props[i];
			if (!name_wanted(pats, p->name))
				continue;
			char *val = mv_to_string(p->val);
			if (strlen(val) > 40)
				strcpy(val + 37, "...");
			/* PowerShell writes a note's bool as System.Boolean, a string as string */
			mv *def = note ? mv_stringf("%s %s=%s", p->val && p->val->kind == MV_BOOL ? "System.Boolean"
			                                        : short_type(p->val), p->name, val)
			               : mv_stringf("%s %s {get;}%s%s", short_type(p->val), p->name,
			                            *val ? " = " : "", val);
			free(val);
			rc = member_out(c, tn, p->name, mt, def);
		}
		free(props);
	} else {
		static const char *const props[] = { "Count", "Length", NULL };
		for (size_t i = 0; props[i] && rc == 0; i++) {
			mv *v = bu_member(obj, props[i]);
			if (!v)
				continue;
			mv_unref(v);
			bool alias = obj->kind == MV_ARRAY && !strcmp(props[i], "Count");
			const char *mt = alias ? "AliasProperty" : "Property";
			if (!type_wanted(want, mt) || !name_wanted(pats, props[i]))
				continue;
			rc = member_out(c, tn, props[i], mt, alias ? mv_string("Count = Length")
			                                           : mv_stringf("int %s {get;}", props[i]));
		}
	}
	bu_strv_free(pats);
	bu_strv_free(want);
	return rc;
}

static int gm_process(mg_ctx *c, mv *input)
{
	gm_state *st = c->state;
	mv *o = bu_input(c, input, "InputObject");
	return o ? gm_one(c, st, o) : 0;
}

static void gm_cleanup(mg_ctx *c)
{
	gm_state *st = c->state;
	mvlist_free(&st->seen);
}

static const char *const gm_types[] = {
	"AliasProperty", "CodeProperty", "Property", "NoteProperty", "ScriptProperty", "Properties",
	"PropertySet", "Method", "CodeMethod", "ScriptMethod", "Methods", "ParameterizedProperty",
	"MemberSet", "Event", "Dynamic", "Key", "All", NULL
};

static const mg_param gm_params[] = {
	{ "Name", MPT_STRINGS, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_PROPERTY,
	  "Only members whose name matches (wildcards allowed)." },
	{ "MemberType", MPT_ENUM, 0, -1, gm_types, NULL, MG_NAMES("Type"), "All", MGCOMP_ENUM,
	  "Only members of these kinds: Method, Property, NoteProperty, AliasProperty, "
	  "Properties (every kind of property), Methods, All." },
	{ "Force", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted for compatibility." },
	{ "Static", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted for compatibility; no static members are listed." },
	P_INPUT("The objects to describe. Usually piped in."),
	P_END
};

static const mg_example gm_examples[] = {
	{ "Get-MigrationBatch | Get-Member",
	  "The property names of a migration batch, to use with Format-List or Select-Object.",
	  0, NULL },
	{ "Get-MigrationUserStatistics -Identity terrya@contoso.edu | Get-Member *Count",
	  "Only the counters.", 0, NULL },
	{ "'text' | Get-Member -MemberType Method", "The methods a string has.", 0, "PadLeft" },
	EX_END
};

const mg_cmdlet mg_cmd_get_member = {
	.name = "Get-Member",
	.aliases = MG_NAMES("gm"),
	.synopsis = "Lists the properties of objects.",
	.description =
		"Get-Member describes the objects piped to it: for each distinct type, its "
		"methods and then its properties, sorted by name, each with its kind (MemberType) "
		"and a definition showing the value's type and (shortened) value. Use it to find the names to give Format-List, Select-Object, "
		"Where-Object or Sort-Object.",
	.params = gm_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "Microsoft.PowerShell.Commands.MemberDefinition\n\nProperties TypeName, Name, "
	           "MemberType and Definition.",
	.output_type = &mg_type_member_definition,
	.examples = gm_examples,
	.notes = "Methods are those migsh can call on the object (a subset of .NET's). The "
	         "console shows one table per type, under a TypeName heading, as PowerShell does.",
	.related = MG_NAMES("Format-List", "Select-Object"),
	.state_size = sizeof(gm_state),
	.process = gm_process,
	.cleanup = gm_cleanup,
};

/* ---- Out-Null / Out-Host ---- */

static int on_process(mg_ctx *c, mv *input)
{
	(void)c;
	(void)input;
	return 0;
}

static const mg_param on_params[] = { P_INPUT("The objects to discard."), P_END };
static const mg_example on_examples[] = {
	{ "Start-MigrationBatch -Identity IMAPBatch1 -Wait | Out-Null",
	  "Starts the batch and waits until it has settled, discarding the batch that -Wait "
	  "writes at the end.", 0, NULL },
	{ "1,2,3 | Out-Null", "Prints nothing.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_out_null = {
	.name = "Out-Null",
	.synopsis = "Discards its input.",
	.description = "Out-Null swallows everything piped to it, so nothing is displayed. "
	               "Errors are still shown.",
	.params = on_params,
	.inputs = "System.Object",
	.outputs = "None",
	.examples = on_examples,
	.related = MG_NAMES("Out-Host", "Out-File"),
	.process = on_process,
};

typedef struct oh_state {
	mvlist in;
} oh_state;

static int oh_process(mg_ctx *c, mv *input)
{
	oh_state *st = c->state;
	bu_collect(c, input, &st->in);
	return 0;
}

static int oh_end(mg_ctx *c)
{
	oh_state *st = c->state;
	strbuf sb = STRBUF_INIT;
	mg_format_default_buf(st->in.v, st->in.n, &sb);
	if (sb.len)
		mg_host(c, "%s", sb.buf);
	strbuf_free(&sb);
	return 0;
}

static void oh_cleanup(mg_ctx *c)
{
	oh_state *st = c->state;
	mvlist_free(&st->in);
}

static const mg_param oh_params[] = {
	{ "Paging", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; pipe migsh's output to less instead." },
	P_INPUT("The objects to display."),
	P_END
};
static const mg_example oh_examples[] = {
	{ "Get-MigrationBatch | Out-Host", "Shows the batches on the console even inside a "
	  "script whose output is captured.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_out_host = {
	.name = "Out-Host",
	.aliases = MG_NAMES("oh"),
	.synopsis = "Displays objects on the console.",
	.description = "Out-Host formats its input like the default display and writes the "
	               "text to the console instead of the pipeline.",
	.params = oh_params,
	.inputs = "System.Object",
	.outputs = "None",
	.examples = oh_examples,
	.related = MG_NAMES("Out-Null", "Out-String", "Write-Host"),
	.state_size = sizeof(oh_state),
	.process = oh_process,
	.end = oh_end,
	.cleanup = oh_cleanup,
};

/* ---- Start-Sleep ---- */

static int sleep_process(mg_ctx *c, mv *input)
{
	(void)input;
	double secs = 0;
	if (mg_has(c, "Milliseconds")) {
		long long ms = 0;
		mv_to_ll(mg_arg(c, "Milliseconds"), &ms);
		secs = (double)ms / 1000.0;
	} else if (mg_has(c, "Seconds") && mv_to_double(mg_arg(c, "Seconds"), &secs) < 0) {
		mg_err_set(&c->err, MGC_INVALIDARG, "ParameterArgumentTransformationError",
		           "Start-Sleep -Seconds needs a number, e.g. Start-Sleep -Seconds 30.");
		return -1;
	}
	if (secs < 0 || secs > 2147483.0) {
		mg_err_set(&c->err, MGC_INVALIDARG, "ParameterArgumentValidationError",
		           "Start-Sleep: the duration must be between 0 and 2147483 seconds.");
		return -1;
	}
	/* what the script printed before the pause is on the console during it */
	mg_session_flush_output(c->session);
	if (!mg_session_sleep(c->session, (long long)(secs * 1000.0 + 0.5))) {
		mg_err_set(&c->err, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
		return -1;   /* Ctrl-C */
	}
	return 0;
}

static const mg_param sleep_params[] = {
	{ "Seconds", MPT_OBJECT, MPF_MANDATORY, 0, NULL, MG_NAMES("Seconds"), NULL, NULL, MGCOMP_NONE,
	  "How long to wait, in seconds (fractions allowed)." },
	{ "Milliseconds", MPT_INT, MPF_MANDATORY, -1, NULL, MG_NAMES("Milliseconds"), MG_NAMES("ms"), NULL, MGCOMP_NONE,
	  "How long to wait, in milliseconds." },
	P_END
};

static const mg_example sleep_examples[] = {
	{ "Start-MigrationBatch -Identity IMAPBatch1; while ((Get-MigrationBatch IMAPBatch1).Status -notin 'Synced','SyncedWithErrors','Failed','Stopped') { Start-Sleep -Seconds 60 }; (Get-MigrationBatch IMAPBatch1).Status",
	  "Starts a batch and waits, checking once a minute, until its initial sync has "
	  "finished (in a script); then prints how it ended, e.g. Synced.", 0, "Synced" },
	{ "Start-Sleep -Milliseconds 10", "A short pause.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_start_sleep = {
	.name = "Start-Sleep",
	.aliases = NULL,   /* sleep is a Windows-only alias: on Linux it runs sleep(1) */
	.synopsis = "Waits for a time.",
	.description = "Start-Sleep pauses the script or command line for the given number of "
	               "seconds or milliseconds, e.g. between polls of a batch's status.",
	.params = sleep_params,
	.default_set = "Seconds",
	.inputs = "None",
	.outputs = "None",
	.examples = sleep_examples,
	.related = MG_NAMES("Get-MigrationBatch"),
	.process = sleep_process,
};

/* ---- Write-Warning / Write-Verbose / Write-Error ---- */

static char *message_of(mg_ctx *c, mv *input)
{
	mv *m = input ? input : mg_arg(c, "Message");
	return m ? mv_to_string(m) : xstrdup("");
}

static int ww_process(mg_ctx *c, mv *input)
{
	char *msg = message_of(c, input);
	mg_warning(c, "%s", msg);
	free(msg);
	return 0;
}

static int wv_process(mg_ctx *c, mv *input)
{
	char *msg = message_of(c, input);
	mg_verbose(c, "%s", msg);
	free(msg);
	return 0;
}

static int we_process(mg_ctx *c, mv *input)
{
	char *msg = message_of(c, input);
	mg_err_cat cat = (mg_err_cat)mg_arg_enum(c, "Category", MGC_NOTSPECIFIED);
	const char *id = mg_arg_str(c, "ErrorId");
	mg_err e;
	mg_err_set(&e, cat, id ? id : "Microsoft.PowerShell.Commands.WriteErrorException",
	           "%s", msg);
	free(msg);
	return mg_error(c, &e, mg_arg_str(c, "TargetObject"));
}

#define P_MESSAGE(h) { "Message", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE, 0, NULL, NULL, \
	MG_NAMES("Msg"), NULL, MGCOMP_NONE, h }

static const mg_param ww_params[] = { P_MESSAGE("The warning text."), P_END };
static const mg_example ww_examples[] = {
	{ "Write-Warning 'Batch IMAPBatch1 has failed users'",
	  "Prints WARNING: Batch IMAPBatch1 has failed users on standard error.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_write_warning = {
	.name = "Write-Warning",
	.synopsis = "Writes a warning message.",
	.description = "Write-Warning prints the message prefixed with WARNING: on standard "
	               "error (not into the pipeline). -WarningAction SilentlyContinue hides it.",
	.params = ww_params,
	.inputs = "System.String",
	.outputs = "None",
	.examples = ww_examples,
	.related = MG_NAMES("Write-Error", "Write-Verbose", "Write-Host"),
	.process = ww_process,
};

static const mg_param wv_params[] = { P_MESSAGE("The verbose text."), P_END };
static const mg_example wv_examples[] = {
	{ "Write-Verbose 'Checking batches' -Verbose", "Prints VERBOSE: Checking batches.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_write_verbose = {
	.name = "Write-Verbose",
	.synopsis = "Writes a message shown only with -Verbose.",
	.description = "Write-Verbose prints the message prefixed with VERBOSE: on standard "
	               "error when -Verbose is given; otherwise nothing.",
	.params = wv_params,
	.inputs = "System.String",
	.outputs = "None",
	.examples = wv_examples,
	.related = MG_NAMES("Write-Warning", "Write-Host", "about_CommonParameters"),
	.process = wv_process,
};

static const mg_param we_params[] = {
	P_MESSAGE("The error message."),
	{ "Category", MPT_ENUM, 0, -1, mg_err_category_names, NULL, NULL, "NotSpecified", MGCOMP_ENUM,
	  "The error category shown in CategoryInfo (e.g. InvalidData, ObjectNotFound)." },
	{ "ErrorId", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The FullyQualifiedErrorId of the error." },
	{ "TargetObject", MPT_OBJECT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The object the error is about." },
	P_END
};
static const mg_example we_examples[] = {
	{ "Write-Error 'No batch to start'", "A non-terminating error: the script goes on, $? is "
	  "False and the error is in $Error.", MG_EXAMPLE_FAILS, "No batch to start" },
	EX_END
};

const mg_cmdlet mg_cmd_write_error = {
	.name = "Write-Error",
	.synopsis = "Writes an error record.",
	.description = "Write-Error reports a non-terminating error the same way cmdlets do: "
	               "printed PowerShell-style on standard error, added to $Error, subject "
	               "to -ErrorAction (Stop makes it terminating).",
	.params = we_params,
	.inputs = "System.String",
	.outputs = "None",
	.examples = we_examples,
	.related = MG_NAMES("Write-Warning", "about_CommonParameters"),
	.process = we_process,
};

/* ---- Read-Host ---- */

static int rh_process(mg_ctx *c, mv *input)
{
	(void)input;
	const char *p = mg_arg_str(c, "Prompt");
	bool secret = mg_switch(c, "AsSecureString") || mg_switch(c, "MaskInput");
	char *prompt = p ? xasprintf("%s: ", p) : xstrdup("");
	char *line = mg_prompt(c, prompt, secret);
	free(prompt);
	if (!line) {
		mg_err_set(&c->err, MGC_INVALIDOP, "ReadHostNoInput",
		           "Read-Host needs a terminal to ask for input; give the value on the "
		           "command line instead.");
		return -1;
	}
	/* -AsSecureString gives a SecureString (never printed); -MaskInput, as in
	 * PowerShell 7, the typed text as a string */
	mv *v = mg_switch(c, "AsSecureString") ? mg_secure_new(c->session, line) : mv_string(line);
	if (secret)
		mg_wipe(line, strlen(line));
	free(line);
	return mg_emit_take(c, v);
}

static const mg_param rh_params[] = {
	{ "Prompt", MPT_STRING, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The question; \": \" is added." },
	{ "AsSecureString", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Does not echo what is typed and returns a SecureString (for passwords: it prints as "
	  "System.Security.SecureString and works as a credential's password)." },
	{ "MaskInput", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Does not echo what is typed; returns it as a string." },
	P_END
};
static const mg_example rh_examples[] = {
	{ "$pw = Read-Host -Prompt 'Admin password' -AsSecureString",
	  "Asks for a password without echoing it.", MG_EXAMPLE_TTY, "Admin password: " },
	EX_END
};

const mg_cmdlet mg_cmd_read_host = {
	.name = "Read-Host",
	.synopsis = "Reads a line from the console.",
	.description = "Read-Host asks the person at the terminal for a line of input and "
	               "returns it as a string. Without a terminal it fails with an error.",
	.params = rh_params,
	.inputs = "None",
	.outputs = "System.String",
	.examples = rh_examples,
	.related = MG_NAMES("Write-Host"),
	.process = rh_process,
};
