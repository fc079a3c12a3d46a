/*
 * builtin_where.c - Where-Object (where, ?) with a script block or the
 * simplified `Where-Object Status -eq Failed` form, and ForEach-Object
 * (foreach, %) with -Process/-Begin/-End blocks or -MemberName.
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- comparison operators of the simplified syntax ---- */

static const char *const ops[] = {
	"EQ", "NE", "GT", "GE", "LT", "LE", "Like", "NotLike", "Match", "NotMatch",
	"Contains", "NotContains", "In", "NotIn", NULL
};

static bool op_scalar(const char *op, const mv *l, const mv *r)
{
	bool comparable;
	if (!strcasecmp(op, "EQ"))
		return mv_equal(l, r, true);
	if (!strcasecmp(op, "NE"))
		return !mv_equal(l, r, true);
	if (!strcasecmp(op, "GT") || !strcasecmp(op, "GE") || !strcasecmp(op, "LT") ||
	    !strcasecmp(op, "LE")) {
		int c = mv_compare(l, r, true, &comparable);
		if (!comparable)
			return false;
		if (!strcasecmp(op, "GT")) return c > 0;
		if (!strcasecmp(op, "GE")) return c >= 0;
		if (!strcasecmp(op, "LT")) return c < 0;
		return c <= 0;
	}
	char *ls = mv_to_string(l), *rs = mv_to_string(r);
	bool res = false;
	if (!strcasecmp(op, "Like"))
		res = str_wildcard(rs, ls, true);
	else if (!strcasecmp(op, "NotLike"))
		res = !str_wildcard(rs, ls, true);
	else if (!strcasecmp(op, "Match"))
		res = bu_regex_match(rs, ls, true) == 1;
	else if (!strcasecmp(op, "NotMatch"))
		res = bu_regex_match(rs, ls, true) == 0;
	free(ls);
	free(rs);
	return res;
}

static bool list_has(const mv *list, const mv *x)
{
	if (list && list->kind == MV_ARRAY) {
		for (size_t i = 0; i < list->u.arr.n; i++)
			if (mv_equal(list->u.arr.items[i], x, true))
				return true;
		return false;
	}
	return mv_equal(list, x, true);
}

/* PowerShell semantics: a list on the left filters (true if any item matches). */
static bool op_eval(const char *op, const mv *l, const mv *r)
{
	if (!strcasecmp(op, "Contains"))
		return list_has(l, r);
	if (!strcasecmp(op, "NotContains"))
		return !list_has(l, r);
	if (!strcasecmp(op, "In"))
		return list_has(r, l);
	if (!strcasecmp(op, "NotIn"))
		return !list_has(r, l);
	if (l && l->kind == MV_ARRAY) {
		for (size_t i = 0; i < l->u.arr.n; i++)
			if (op_scalar(op, l->u.arr.items[i], r))
				return true;
		return false;
	}
	return op_scalar(op, l, r);
}

/* ---- Where-Object ---- */

static int where_one(mg_ctx *c, mv *obj)
{
	mv *fs = mg_arg(c, "FilterScript");
	mv *pr = mg_arg(c, "Property");
	/* the binder may put a block into -Property or a name into -FilterScript */
	mv *block = fs && fs->kind == MV_SCRIPTBLOCK ? fs
	            : pr && pr->kind == MV_SCRIPTBLOCK ? pr : NULL;
	if (block) {
		mg_err e;
		mg_err_clear(&e);
		mv *r = mg_invoke_block(c, block, obj, &e);
		if (!r) {
			mg_err_copy(&c->err, &e);
			return -1;
		}
		bool keep = mv_truthy(r);
		mv_unref(r);
		return keep ? mg_emit(c, obj) : 0;
	}
	mv *namev = pr ? pr : fs;
	if (!namev) {
		mg_err_set(&c->err, MGC_INVALIDARG, "MissingFilter",
		           "Where-Object needs a condition: a script block such as "
		           "{ $_.Status -eq 'Failed' } or a property and an operator such as "
		           "Status -eq Failed.");
		return -1;
	}
	char *name = mv_to_string(namev);
	mv *left = bu_member(obj, name);
	free(name);
	const char *op = NULL;
	for (size_t i = 0; ops[i]; i++)
		if (mg_switch(c, ops[i])) {
			if (op) {
				mg_err_set(&c->err, MGC_INVALIDARG, "AmbiguousParameterSet",
				           "Parameter set cannot be resolved using the specified named "
				           "parameters. Give Where-Object one operator (-EQ, -Like, ...).");
				mv_unref(left);
				return -1;
			}
			op = ops[i];
		}
	bool keep;
	mv *right = mg_arg(c, "Value");
	if (!op)
		keep = mv_truthy(left);      /* Where-Object Status: the property is truthy */
	else
		keep = op_eval(op, left, right);
	mv_unref(left);
	return keep ? mg_emit(c, obj) : 0;
}

static int where_process(mg_ctx *c, mv *input)
{
	if (input)
		return where_one(c, input);
	mv *io = mg_arg(c, "InputObject");
	return io ? where_one(c, io) : 0;
}

#define OPSETS MG_NAMES("EqualSet", "NotEqualSet", "GreaterThanSet", "GreaterOrEqualSet", "LessThanSet", \
	"LessOrEqualSet", "LikeSet", "NotLikeSet", "MatchSet", "NotMatchSet", "ContainsSet", "NotContainsSet", \
	"InSet", "NotInSet")
#define OP(n, set, h) { n, MPT_SWITCH, MPF_MANDATORY, -1, NULL, MG_NAMES(set), NULL, NULL, MGCOMP_NONE, h }

static const mg_param where_params[] = {
	{ "FilterScript", MPT_OBJECT, MPF_MANDATORY, 0, NULL, MG_NAMES("ScriptBlockSet"), NULL, NULL,
	  MGCOMP_NONE,
	  "A script block run for each object with the object in $_; the object is kept "
	  "when the block returns a true value, e.g. { $_.Status -eq 'Failed' }. A property "
	  "name alone (Where-Object HasUnapprovedSkippedItems) keeps the objects where that "
	  "property is true." },
	{ "Property", MPT_STRING, MPF_MANDATORY, 0, NULL, OPSETS, NULL, NULL, MGCOMP_PROPERTY,
	  "The property to test (simplified syntax: Where-Object Status -eq Failed)." },
	{ "Value", MPT_OBJECT, 0, 1, NULL, OPSETS, NULL, NULL, MGCOMP_NONE,
	  "The value to compare the property with." },
	OP("EQ", "EqualSet", "Keeps objects whose property equals the value (case-insensitive)."),
	OP("NE", "NotEqualSet", "Keeps objects whose property differs from the value."),
	OP("GT", "GreaterThanSet", "Keeps objects whose property is greater than the value."),
	OP("GE", "GreaterOrEqualSet", "Keeps objects whose property is greater than or equal to the value."),
	OP("LT", "LessThanSet", "Keeps objects whose property is less than the value."),
	OP("LE", "LessOrEqualSet", "Keeps objects whose property is less than or equal to the value."),
	OP("Like", "LikeSet", "Keeps objects whose property matches the wildcard pattern (* ? [a-z])."),
	OP("NotLike", "NotLikeSet", "Keeps objects whose property does not match the wildcard pattern."),
	OP("Match", "MatchSet", "Keeps objects whose property matches the regular expression."),
	OP("NotMatch", "NotMatchSet", "Keeps objects whose property does not match the regular expression."),
	OP("Contains", "ContainsSet", "Keeps objects whose property (a list) contains the value."),
	OP("NotContains", "NotContainsSet", "Keeps objects whose property (a list) does not contain the value."),
	OP("In", "InSet", "Keeps objects whose property is one of the values given."),
	OP("NotIn", "NotInSet", "Keeps objects whose property is none of the values given."),
	P_INPUT("The objects to filter. Usually piped in."),
	P_END
};

static const mg_example where_examples[] = {
	{ "Get-MigrationUser -BatchId IMAPBatch1 | Where-Object { $_.Status -eq 'Failed' }",
	  "The users of a batch whose migration failed.", 0, NULL },
	{ "Get-MigrationUser | Where-Object Status -eq Failed",
	  "The same with the simplified syntax.", 0, NULL },
	{ "Get-MigrationBatch | ? Identity -like 'IMAP*'",
	  "Batches whose name starts with IMAP (? is an alias).", 0, NULL },
	{ "1..10 | Where-Object { $_ -gt 7 }", "Prints 8, 9 and 10.", 0, "9" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_where_object = {
	.name = "Where-Object",
	.aliases = MG_NAMES("where", "?"),
	.synopsis = "Keeps only the objects that meet a condition.",
	.description =
		"Where-Object passes on the objects for which a condition is true. The condition "
		"is either a script block, where $_ is the current object, or the simplified "
		"form: a property name, an operator switch and a value, as in "
		"Where-Object Status -eq Failed.\n\n"
		"Comparisons are case-insensitive, like PowerShell's. When the left side is a "
		"number the value is converted to a number; dates compare with dates written "
		"as M/d/yyyy or yyyy-MM-dd.",
	.params = where_params,
	.default_set = "ScriptBlockSet",
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "The input objects that meet the condition.",
	.examples = where_examples,
	.notes = "-Match runs .NET patterns on POSIX extended regular expressions: \\d \\D "
	         "\\w \\W \\s \\S \\b, a leading (?i), (?:...) groups and lazy quantifiers are "
	         "translated; look-around and back-references are not supported.",
	.related = MG_NAMES("Select-Object", "ForEach-Object", "Sort-Object",
	                    "about_migsh_language"),
	.process = where_process,
};

/* ---- ForEach-Object ---- */

typedef struct fe_state {
	bool begun;
} fe_state;

static int run_block(mg_ctx *c, mv *block, mv *dollar)
{
	if (!block)
		return 0;
	mg_err e;
	mg_err_clear(&e);
	mv *r = mg_invoke_block(c, block, dollar, &e);
	if (!r) {
		mg_err_copy(&c->err, &e);
		return -1;
	}
	int rc = bu_emit_enum(c, r);
	mv_unref(r);
	return rc;
}

static int fe_one(mg_ctx *c, mv *obj)
{
	mv *proc = mg_arg(c, "Process"), *mem = mg_arg(c, "MemberName");
	mv *block = proc && proc->kind == MV_SCRIPTBLOCK ? proc
	            : mem && mem->kind == MV_SCRIPTBLOCK ? mem : NULL;
	if (block)
		return run_block(c, block, obj);
	mv *namev = mem ? mem : proc;
	if (!namev || !obj)
		return 0;
	char *name = mv_to_string(namev);
	mv *v = bu_member(obj, name);
	if (!v) {
		mg_err e;
		mg_err_set(&e, MGC_INVALIDARG, "PropertyNotFound",
		           "ForEach-Object: the input object has no property \"%s\".", name);
		free(name);
		return mg_error(c, &e, NULL);
	}
	free(name);
	int rc = bu_emit_enum(c, v);
	mv_unref(v);
	return rc;
}

static int fe_process(mg_ctx *c, mv *input)
{
	fe_state *st = c->state;
	if (!st->begun) {
		st->begun = true;
		if (run_block(c, mg_arg(c, "Begin"), NULL) < 0)
			return -1;
	}
	if (input)
		return fe_one(c, input);
	mv *io = mg_arg(c, "InputObject");
	return fe_one(c, io);
}

static int fe_end(mg_ctx *c)
{
	fe_state *st = c->state;
	if (!st->begun) {
		st->begun = true;
		if (run_block(c, mg_arg(c, "Begin"), NULL) < 0)
			return -1;
	}
	return run_block(c, mg_arg(c, "End"), NULL);
}

static const mg_param fe_params[] = {
	{ "Process", MPT_OBJECT, MPF_MANDATORY, 0, NULL, MG_NAMES("ScriptBlockSet"), NULL, NULL,
	  MGCOMP_NONE,
	  "The script block run for each input object, with the object in $_. Everything "
	  "it outputs goes down the pipeline. A property name instead of a script block "
	  "works like -MemberName (ForEach-Object Identity)." },
	{ "Begin", MPT_SCRIPTBLOCK, 0, -1, NULL, MG_NAMES("ScriptBlockSet"), NULL, NULL, MGCOMP_NONE,
	  "A script block run once before the first object." },
	{ "End", MPT_SCRIPTBLOCK, 0, -1, NULL, MG_NAMES("ScriptBlockSet"), NULL, NULL, MGCOMP_NONE,
	  "A script block run once after the last object." },
	{ "MemberName", MPT_STRING, MPF_MANDATORY, 0, NULL, MG_NAMES("PropertyAndMethodSet"), NULL, NULL,
	  MGCOMP_PROPERTY,
	  "Writes the value of this property of each object (ForEach-Object Identity)." },
	P_INPUT("The objects to process. Usually piped in."),
	P_END
};

static const mg_example fe_examples[] = {
	{ "Get-MigrationBatch | ForEach-Object { Start-MigrationBatch -Identity $_.Identity }",
	  "Starts every batch.", 0, NULL },
	{ "Get-MigrationUser | % Identity",
	  "The identities (email addresses) of all users, one per line.", 0, NULL },
	{ "1,2,3 | ForEach-Object -Begin { 'start' } -Process { $_ * 2 } -End { 'done' }",
	  "Prints start, 2, 4, 6 and done.", 0, "done" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_foreach_object = {
	.name = "ForEach-Object",
	.aliases = MG_NAMES("foreach", "%"),
	.synopsis = "Runs a script block for each object in the pipeline.",
	.description =
		"ForEach-Object runs the -Process script block once for each input object, "
		"with the object in $_, and writes whatever the block outputs. With "
		"-MemberName (or a bare property name: ForEach-Object Identity) it writes the "
		"value of that property of each object.",
	.params = fe_params,
	.default_set = "ScriptBlockSet",
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "Whatever the script block writes.",
	.examples = fe_examples,
	.related = MG_NAMES("Where-Object", "Select-Object", "about_migsh_language"),
	.state_size = sizeof(fe_state),
	.process = fe_process,
	.end = fe_end,
};
