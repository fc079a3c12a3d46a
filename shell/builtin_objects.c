/*
 * builtin_objects.c - making and comparing objects: New-Object, Add-Member,
 * Compare-Object and Tee-Object (their Windows aliases diff, compare and tee
 * are left to the programs of those names, as in PowerShell 7 on Linux).
 *
 * New-Object knows the types scripts around a migration make: PSObject /
 * PSCustomObject (with -Property), System.Collections.ArrayList and
 * Generic.List[T] (an empty list: value.h), Hashtable, and PSCredential (user name and
 * a SecureString).  Any other type is PowerShell's "Cannot find type" error.
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/format.h"
#include "shell/secure.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- New-Object ---- */

static const char *short_name(const char *t)
{
	static const char *const prefixes[] = { "System.Management.Automation.", "System.Collections.Generic.",
	                                        "System.Collections.", "System.", NULL };
	while (*t == '[')
		t++;
	for (size_t i = 0; prefixes[i]; i++)
		if (str_iprefix(t, prefixes[i]))
			return t + strlen(prefixes[i]);
	return t;
}

static bool type_is(const char *t, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(t, name, n) == 0 && (t[n] == '\0' || t[n] == ']' || t[n] == '[' || t[n] == '`');
}

static void set_props(mv *o, const mv *props)
{
	if (!props || (props->kind != MV_HASH && props->kind != MV_OBJECT))
		return;
	for (size_t i = 0; i < props->u.obj.n; i++)
		mv_set(o, props->u.obj.props[i].name, props->u.obj.props[i].val);
}

static int no_ctor(mg_ctx *c, const char *type, size_t nargs)
{
	mg_err_set(&c->err, MGC_INVALIDOP, "ConstructorInvokedThrowException",
	           "Cannot find an overload for \"%s\" and the argument count: \"%zu\".", type, nargs);
	return -1;
}

static int no_args(const mv *a)
{
	return !a || a->kind == MV_NULL || (a->kind == MV_ARRAY && a->u.arr.n == 0);
}

static int nobj_process(mg_ctx *c, mv *input)
{
	(void)input;
	if (mg_has(c, "ComObject")) {
		mg_err_set(&c->err, MGC_INVALIDARG, "NoCOMClassIdentified",
		           "New-Object -ComObject is not supported: COM objects exist only on Windows.");
		return -1;
	}
	const char *given = mg_arg_str(c, "TypeName");
	const char *t = short_name(given ? given : "");
	mv *args = mg_arg(c, "ArgumentList");
	mv *props = mg_arg(c, "Property");
	size_t nargs = !args || args->kind == MV_NULL ? 0 : args->kind == MV_ARRAY ? args->u.arr.n : 1;
	mv *o = NULL;
	if (type_is(t, "PSObject") || type_is(t, "PSCustomObject") || type_is(t, "Object")) {
		o = mv_object(NULL);
	} else if (type_is(t, "ArrayList") || type_is(t, "List") || type_is(t, "Object[]")) {
		if (nargs > 1)
			return no_ctor(c, given, nargs);
		/* an ArrayList or List[T] (a list changed in place by .Add() ...);
		 * an empty collection is written as one object */
		const mv_list_type *lt = mv_list_type_named(t);
		if (!lt && type_is(t, "List"))
			lt = mv_list_type_named("List[object]");
		return mg_emit_take(c, lt ? mv_list(lt) : mv_array());
	} else if (type_is(t, "Hashtable") || type_is(t, "OrderedDictionary") || type_is(t, "Dictionary")) {
		o = mv_hash();
	} else if (type_is(t, "PSCredential")) {
		if (nargs != 2)
			return no_ctor(c, given, nargs);
		mv *user = args->u.arr.items[0], *pw = args->u.arr.items[1];
		if (!mg_secure_is(c->session, pw)) {
			mg_err_set(&c->err, MGC_INVALIDARG, "ConstructorInvokedThrowException",
			           "Cannot convert argument \"password\" for \"PSCredential\" to type "
			           "\"System.Security.SecureString\": make it with ConvertTo-SecureString "
			           "'...' -AsPlainText -Force.");
			return -1;
		}
		char *u = mv_to_string(user);
		o = mg_credential_new(u, pw);
		free(u);
	} else {
		mg_err_set(&c->err, MGC_INVALIDARG, "TypeNotFound",
		           "Cannot find type [%s]: verify that the assembly containing this type is loaded.",
		           given ? given : "");
		return -1;
	}
	if (!no_args(args) && o->kind != MV_OBJECT) {
		mv_unref(o);
		return no_ctor(c, given, nargs);
	}
	set_props(o, props);
	return mg_emit_take(c, o);
}

static const mg_param nobj_params[] = {
	{ "TypeName", MPT_STRING, MPF_MANDATORY, 0, NULL, MG_NAMES("Net"), NULL, NULL, MGCOMP_NONE,
	  "The type: PSObject (or PSCustomObject), System.Collections.ArrayList, "
	  "System.Collections.Generic.List[T], Hashtable or "
	  "System.Management.Automation.PSCredential." },
	{ "ArgumentList", MPT_OBJECT, 0, 1, NULL, MG_NAMES("Net"), MG_NAMES("Args"), NULL, MGCOMP_NONE,
	  "The constructor's arguments: for PSCredential the user name and a SecureString." },
	{ "Property", MPT_OBJECT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "A hashtable of property names and values to set on the new object." },
	{ "ComObject", MPT_STRING, MPF_MANDATORY, -1, NULL, MG_NAMES("Com"), NULL, NULL, MGCOMP_NONE,
	  "Not supported (COM exists only on Windows): an error." },
	P_END
};

static const mg_example nobj_examples[] = {
	{ "New-Object PSObject -Property @{ Batch = 'IMAPBatch1'; Users = 2 } | Format-List",
	  "A custom object for a report.", 0, "IMAPBatch1" },
	{ "$cred = New-Object System.Management.Automation.PSCredential ('mailadmin', (ConvertTo-SecureString 'Secret-1' -AsPlainText -Force)); $cred",
	  "A credential: the password shows as System.Security.SecureString.", 0,
	  "System.Security.SecureString" },
	EX_END
};

const mg_cmdlet mg_cmd_new_object = {
	.name = "New-Object",
	.synopsis = "Creates an object of a given type.",
	.description = "New-Object makes a PSObject (with the -Property values), an empty "
	               "ArrayList or List, a Hashtable, or a PSCredential from a user name and a "
	               "SecureString. Other .NET types are not available: they give PowerShell's "
	               "\"Cannot find type\" error.",
	.params = nobj_params,
	.default_set = "Net",
	.inputs = "None",
	.outputs = "System.Object",
	.examples = nobj_examples,
	.related = MG_NAMES("Add-Member", "ConvertTo-SecureString", "Select-Object"),
	.process = nobj_process,
};

/* ---- Add-Member ---- */

static const char *const member_types[] = {
	"NoteProperty", "AliasProperty", "ScriptProperty", "CodeProperty", "ScriptMethod", "CodeMethod",
	"Property", "PropertySet", "Method", "MemberSet", "ParameterizedProperty", "All", NULL
};

static int add_one(mg_ctx *c, mv *o, const char *name, mv *val, bool force)
{
	if (mv_get(o, name) && !force) {
		mg_err e;
		mg_err_set(&e, MGC_INVALIDOP, "MemberAlreadyExists",
		           "Cannot add a member with the name \"%s\" because a member with that name "
		           "already exists. To overwrite the member anyway, add the Force parameter to "
		           "your command.", name);
		return mg_error(c, &e, name);
	}
	if (val)
		mv_set(o, name, val);
	else
		mv_set_take(o, name, mv_null());
	return 0;
}

static int am_process(mg_ctx *c, mv *input)
{
	mv *o = bu_input(c, input, "InputObject");
	if (!o) {
		mg_err_set(&c->err, MGC_INVALIDARG, "InputObjectNotBound",
		           "Add-Member needs an object: pipe it in or give -InputObject.");
		return -1;
	}
	if (o->kind != MV_OBJECT && o->kind != MV_HASH) {
		mg_err_set(&c->err, MGC_INVALIDOP, "CannotAddMember",
		           "Add-Member can add members to objects and hashtables only, not to a %s value; "
		           "make an object first, e.g. [pscustomobject]@{ Value = $x }.", mv_kind_name(o));
		return -1;
	}
	bool force = mg_switch(c, "Force");
	int rc = 0;
	mv *members = mg_arg(c, "NotePropertyMembers");
	if (members) {
		if (members->kind != MV_HASH && members->kind != MV_OBJECT) {
			mg_err_set(&c->err, MGC_INVALIDARG, "NotePropertyMembers",
			           "-NotePropertyMembers takes a hashtable of names and values.");
			return -1;
		}
		for (size_t i = 0; i < members->u.obj.n && rc == 0; i++)
			rc = add_one(c, o, members->u.obj.props[i].name, members->u.obj.props[i].val, force);
	} else if (mg_has(c, "NotePropertyName")) {
		rc = add_one(c, o, mg_arg_str(c, "NotePropertyName"), mg_arg(c, "NotePropertyValue"), force);
	} else {
		const char *mt = mg_arg_str(c, "MemberType");
		const char *name = mg_arg_str(c, "Name");
		if (!mt || !name) {
			mg_err_set(&c->err, MGC_INVALIDARG, "AmbiguousParameterSet",
			           "Add-Member needs -MemberType and -Name (or -NotePropertyName, or "
			           "-NotePropertyMembers).");
			return -1;
		}
		if (str_ieq(mt, "NoteProperty")) {
			rc = add_one(c, o, name, mg_arg(c, "Value"), force);
		} else if (str_ieq(mt, "AliasProperty")) {
			const char *target = mg_arg_str(c, "Value");
			mv *tv = target ? mv_get(o, target) : NULL;
			if (!tv) {
				mg_err_set(&c->err, MGC_INVALIDARG, "AliasTargetNotFound",
				           "Cannot add the alias property \"%s\": the object has no property \"%s\".",
				           name, target ? target : "");
				return -1;
			}
			/* a copy of the value at the time: migsh objects have no live aliases */
			rc = add_one(c, o, name, tv, force);
		} else {
			mg_err_set(&c->err, MGC_INVALIDARG, "MemberTypeNotSupported",
			           "Add-Member -MemberType %s is not supported by migsh; use NoteProperty "
			           "(a value) or AliasProperty.", mt);
			return -1;
		}
	}
	if (rc == 0 && mg_switch(c, "PassThru"))
		rc = mg_emit(c, o);
	return rc;
}

static const mg_param am_params[] = {
	{ "InputObject", MPT_OBJECT, MPF_MANDATORY | MPF_PIPE_VALUE, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The object to add to (usually piped in); it is changed in place." },
	{ "MemberType", MPT_ENUM, 0, 0, member_types, MG_NAMES("MemberSet"), MG_NAMES("Type"), NULL, MGCOMP_ENUM,
	  "NoteProperty (a value) or AliasProperty (another name for a property, copied)." },
	{ "Name", MPT_STRING, 0, 1, NULL, MG_NAMES("MemberSet"), NULL, NULL, MGCOMP_NONE, "The member's name." },
	{ "Value", MPT_OBJECT, 0, 2, NULL, MG_NAMES("MemberSet"), NULL, NULL, MGCOMP_NONE,
	  "The value (for an AliasProperty: the name of the property it stands for)." },
	{ "SecondValue", MPT_OBJECT, MPF_IGNORED, 3, NULL, MG_NAMES("MemberSet"), NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility." },
	{ "NotePropertyName", MPT_STRING, 0, -1, NULL, MG_NAMES("NotePropertySingleMemberSet"), NULL, NULL, MGCOMP_NONE,
	  "The name of a note property to add." },
	{ "NotePropertyValue", MPT_OBJECT, 0, -1, NULL, MG_NAMES("NotePropertySingleMemberSet"), NULL, NULL, MGCOMP_NONE,
	  "Its value." },
	{ "NotePropertyMembers", MPT_OBJECT, 0, -1, NULL, MG_NAMES("NotePropertyMultiMemberSet"), NULL, NULL, MGCOMP_NONE,
	  "A hashtable of note property names and values to add." },
	{ "Force", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Replaces a member that exists already." },
	{ "PassThru", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the object afterwards." },
	P_END
};

static const mg_example am_examples[] = {
	{ "Get-MigrationBatch IMAPBatch1 | Add-Member -NotePropertyName Checked -NotePropertyValue (Get-Date) -PassThru | Format-List Identity,Checked",
	  "Adds a note to a batch object before a report.", 0, "Checked" },
	{ "$o = [pscustomobject]@{ User = 'terrya' }; $o | Add-Member NoteProperty Items 42; $o",
	  "The positional form.", 0, "42" },
	EX_END
};

const mg_cmdlet mg_cmd_add_member = {
	.name = "Add-Member",
	.synopsis = "Adds a property to an object.",
	.description = "Add-Member adds a note property (a name and a value) to an object, which "
	               "is changed in place. A member that exists is an error unless -Force is "
	               "given. Script properties and methods are not supported (an error says so).",
	.params = am_params,
	.default_set = "MemberSet",
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "None, or with -PassThru the object",
	.examples = am_examples,
	.related = MG_NAMES("New-Object", "Select-Object"),
	.process = am_process,
};

/* ---- Compare-Object ---- */

static mv *cmp_key(mg_ctx *c, bu_prop *p, size_t np, mv *obj)
{
	if (!np)
		return mv_ref(obj);
	mv *k = mv_array();
	for (size_t i = 0; i < np; i++) {
		mv *v = bu_prop_value(c, &p[i], obj);
		if (!v) {
			mv_unref(k);
			return NULL;
		}
		mv_array_push_take(k, v);
	}
	return k;
}

static bool key_eq(const mv *a, const mv *b, bool cs)
{
	if (a->kind == MV_ARRAY && b->kind == MV_ARRAY) {
		if (a->u.arr.n != b->u.arr.n)
			return false;
		for (size_t i = 0; i < a->u.arr.n; i++)
			if (!key_eq(a->u.arr.items[i], b->u.arr.items[i], cs))
				return false;
		return true;
	}
	if (mv_equal(a, b, !cs))
		return true;
	char *x = mv_to_string(a), *y = mv_to_string(b);
	bool eq = cs ? strcmp(x, y) == 0 : strcasecmp(x, y) == 0;
	free(x);
	free(y);
	return eq;
}

static int cmp_emit(mg_ctx *c, bu_prop *p, size_t np, mv *obj, mv *key, const char *side)
{
	if (mg_switch(c, "PassThru")) {
		if (obj->kind == MV_OBJECT || obj->kind == MV_HASH) {
			mv *o = mv_clone(obj);
			mv_set_str(o, "SideIndicator", side);
			return mg_emit_take(c, o);
		}
		return mg_emit(c, obj);
	}
	mv *o = mv_object(NULL);
	if (np) {
		for (size_t i = 0; i < np; i++)
			mv_set(o, p[i].name, key->u.arr.items[i]);
	} else {
		mv_set(o, "InputObject", obj);
	}
	mv_set_str(o, "SideIndicator", side);
	return mg_emit_take(c, o);
}

static void as_list(mv *v, mvlist *l)
{
	if (!v || v->kind == MV_NULL)
		return;
	if (v->kind == MV_ARRAY)
		for (size_t i = 0; i < v->u.arr.n; i++)
			mvlist_push(l, v->u.arr.items[i]);
	else
		mvlist_push(l, v);
}

static int cmpo_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	mv *ref = mg_arg(c, "ReferenceObject");
	mv *dif = st->in.n ? NULL : mg_arg(c, "DifferenceObject");
	if (!ref || ref->kind == MV_NULL || (!st->in.n && (!dif || dif->kind == MV_NULL))) {
		mg_err_set(&c->err, MGC_INVALIDARG, "ParameterArgumentValidationErrorNullNotAllowed",
		           "Cannot bind argument to parameter '%s' because it is null.",
		           !ref || ref->kind == MV_NULL ? "ReferenceObject" : "DifferenceObject");
		return -1;
	}
	bu_prop *p;
	size_t np;
	if (bu_props_parse(c, mg_arg(c, "Property"), &p, &np) < 0)
		return -1;
	mvlist r = { 0 }, d = { 0 };
	as_list(ref, &r);
	if (st->in.n)
		for (size_t i = 0; i < st->in.n; i++)
			mvlist_push(&d, st->in.v[i]);
	else
		as_list(dif, &d);
	bool cs = mg_switch(c, "CaseSensitive");
	bool exclude = mg_switch(c, "ExcludeDifferent");
	bool equal = mg_switch(c, "IncludeEqual") || exclude;
	int rc = 0;
	mv **rk = xcalloc(r.n + 1, sizeof *rk), **dk = xcalloc(d.n + 1, sizeof *dk);
	bool *used = xcalloc(r.n + 1, sizeof *used);
	for (size_t i = 0; i < r.n && rc == 0; i++)
		if (!(rk[i] = cmp_key(c, p, np, r.v[i])))
			rc = -1;
	for (size_t i = 0; i < d.n && rc == 0; i++)
		if (!(dk[i] = cmp_key(c, p, np, d.v[i])))
			rc = -1;
	/* in the difference set's order: equal (==) or only there (=>); then
	 * what only the reference set has (<=), in its order */
	for (size_t i = 0; i < d.n && rc == 0; i++) {
		size_t k = r.n;
		for (size_t j = 0; j < r.n; j++)
			if (!used[j] && key_eq(rk[j], dk[i], cs)) {
				k = j;
				break;
			}
		if (k < r.n) {
			used[k] = true;
			if (equal)
				rc = cmp_emit(c, p, np, r.v[k], rk[k], "==");
		} else if (!exclude) {
			rc = cmp_emit(c, p, np, d.v[i], dk[i], "=>");
		}
	}
	for (size_t j = 0; j < r.n && rc == 0; j++)
		if (!used[j] && !exclude)
			rc = cmp_emit(c, p, np, r.v[j], rk[j], "<=");
	for (size_t i = 0; i < r.n; i++)
		mv_unref(rk[i]);
	for (size_t i = 0; i < d.n; i++)
		mv_unref(dk[i]);
	free(rk);
	free(dk);
	free(used);
	mvlist_free(&r);
	mvlist_free(&d);
	bu_props_free(p, np);
	return rc;
}

static int cmpo_process(mg_ctx *c, mv *input)
{
	bu_coll_state *st = c->state;
	if (input)
		mvlist_push(&st->in, input);
	return 0;
}

static const mg_param cmpo_params[] = {
	{ "ReferenceObject", MPT_OBJECT, MPF_MANDATORY, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The objects compared against (the <= side)." },
	{ "DifferenceObject", MPT_OBJECT, MPF_MANDATORY | MPF_PIPE_VALUE, 1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The objects compared (the => side); may be piped in." },
	{ "Property", MPT_OBJECT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_PROPERTY,
	  "Compare only these properties (names or calculated properties); the result has "
	  "these properties and SideIndicator." },
	{ "IncludeEqual", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Also writes the objects found in both sets (==)." },
	{ "ExcludeDifferent", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes only the objects found in both sets (implies -IncludeEqual, as in PowerShell 7.1+)." },
	{ "PassThru", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes the objects themselves (objects get a SideIndicator property)." },
	{ "CaseSensitive", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Compares strings case-sensitively." },
	{ "SyncWindow", MPT_INT, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; the whole sets are compared." },
	{ "Culture", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility." },
	P_END
};

static const mg_example cmpo_examples[] = {
	{ "Compare-Object (Import-Csv IMAPmigration_1.csv).EmailAddress (Get-MigrationUser).Identity",
	  "Which addresses of the CSV file are not migration users (<=) and the reverse (=>).", 0, NULL },
	{ "Compare-Object 'a','b' 'b','c'", "c is only in the second set, a only in the first.", 0, "=>" },
	EX_END
};

const mg_cmdlet mg_cmd_compare_object = {
	.name = "Compare-Object",
	.aliases = NULL,   /* compare and diff are Windows-only aliases */
	.synopsis = "Compares two sets of objects.",
	.description = "Compare-Object writes the objects that are only in the difference set "
	               "(SideIndicator =>), in its order, then those only in the reference set "
	               "(<=); with -IncludeEqual also those in both (==). Objects are compared "
	               "by value (strings case-insensitively unless -CaseSensitive), or by the "
	               "-Property values.",
	.params = cmpo_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "System.Management.Automation.PSCustomObject",
	.examples = cmpo_examples,
	.related = MG_NAMES("Group-Object", "Where-Object"),
	.state_size = sizeof(bu_coll_state),
	.process = cmpo_process,
	.end = cmpo_end,
	.cleanup = bu_coll_cleanup,
};

/* ---- Tee-Object ---- */

static int tee_process(mg_ctx *c, mv *input)
{
	bu_coll_state *st = c->state;
	mv *o = bu_input(c, input, "InputObject");
	if (!o)
		return 0;
	mvlist_push(&st->in, o);
	return mg_emit(c, o);
}

static int tee_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	const char *var = mg_arg_str(c, "Variable");
	if (var) {
		mv *a = mv_array();
		for (size_t i = 0; i < st->in.n; i++)
			mv_array_push(a, st->in.v[i]);
		mg_var_set_take(c->session, var[0] == '$' ? var + 1 : var, a);
		return 0;
	}
	const char *path = mg_arg_str(c, "FilePath");
	if (!path)
		path = mg_arg_str(c, "LiteralPath");
	if (!path) {
		mg_err_set(&c->err, MGC_INVALIDARG, "MissingPath", "Tee-Object needs -FilePath or -Variable.");
		return -1;
	}
	strbuf sb = STRBUF_INIT;
	mg_format_default_buf(st->in.v, st->in.n, &sb);
	int rc = bu_write_text_file(c, path, sb.buf ? sb.buf : "", sb.len, mg_switch(c, "Append"), false);
	strbuf_free(&sb);
	return rc;
}

static const mg_param tee_params[] = {
	{ "FilePath", MPT_STRING, MPF_MANDATORY, 0, NULL, MG_NAMES("File"), MG_NAMES("Path"), NULL, MGCOMP_FILE,
	  "The file that gets the console text of the objects." },
	{ "LiteralPath", MPT_STRING, MPF_MANDATORY, -1, NULL, MG_NAMES("LiteralFile"), MG_NAMES("PSPath", "LP"), NULL, MGCOMP_FILE,
	  "The file, taken as it is." },
	{ "Append", MPT_SWITCH, 0, -1, NULL, MG_NAMES("File"), NULL, "False", MGCOMP_NONE,
	  "Adds to the end of the file." },
	{ "Variable", MPT_STRING, MPF_MANDATORY, -1, NULL, MG_NAMES("Variable"), NULL, NULL, MGCOMP_NONE,
	  "The variable (name without $) that gets the objects." },
	{ "Encoding", MPT_STRING, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; files are UTF-8." },
	P_INPUT("The objects to pass on and save."),
	P_END
};

static const mg_example tee_examples[] = {
	{ "Get-MigrationUser | Tee-Object -Variable users | Measure-Object", "Counts the users and keeps them in $users.",
	  0, "Count" },
	{ "Get-MigrationBatch | Tee-Object -FilePath batches.txt", "Shows the batches and saves the same text.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_tee_object = {
	.name = "Tee-Object",
	.aliases = NULL,   /* tee is a Windows-only alias: on Linux it runs tee(1) */
	.synopsis = "Passes objects on and also saves them in a file or variable.",
	.description = "Tee-Object writes every input object down the pipeline unchanged and, at "
	               "the end, saves them: the console text of them in a file (-FilePath), or "
	               "the objects themselves in a variable (-Variable).",
	.params = tee_params,
	.default_set = "File",
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "System.Management.Automation.PSObject",
	.examples = tee_examples,
	.related = MG_NAMES("Out-File", "Select-Object"),
	.state_size = sizeof(bu_coll_state),
	.process = tee_process,
	.end = tee_end,
	.cleanup = bu_coll_cleanup,
};
