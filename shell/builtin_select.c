/*
 * builtin_select.c - Select-Object (select): pick properties (names,
 * wildcards, calculated properties), -ExpandProperty, -First, -Last,
 * -Skip, -Index, -Unique.
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct sel_state {
	bool     parsed;
	bu_prop *props;
	size_t   nprops;
	char   **exclude;
	long long seen, emitted;
	mvlist   last;      /* -Last: the objects kept for end() */
	mvlist   uniq;      /* -Unique: what was emitted so far */
	long long *index;   /* -Index positions, or NULL */
	size_t   nindex;
} sel_state;

static void sel_cleanup(mg_ctx *c)
{
	sel_state *st = c->state;
	bu_props_free(st->props, st->nprops);
	bu_strv_free(st->exclude);
	mvlist_free(&st->last);
	mvlist_free(&st->uniq);
	free(st->index);
}

static bool excluded(sel_state *st, const char *name)
{
	for (size_t i = 0; st->exclude && st->exclude[i]; i++)
		if (str_wildcard(st->exclude[i], name, true))
			return true;
	return false;
}

static bool same_value(const mv *a, const mv *b)
{
	bool ra = a && (a->kind == MV_OBJECT || a->kind == MV_HASH);
	bool rb = b && (b->kind == MV_OBJECT || b->kind == MV_HASH);
	if (ra != rb)
		return false;
	if (!ra)
		return mv_equal(a, b, true);
	if (a->u.obj.n != b->u.obj.n)
		return false;
	for (size_t i = 0; i < a->u.obj.n; i++) {
		if (strcasecmp(a->u.obj.props[i].name, b->u.obj.props[i].name))
			return false;
		char *x = mv_to_string(a->u.obj.props[i].val), *y = mv_to_string(b->u.obj.props[i].val);
		bool eq = strcasecmp(x, y) == 0;
		free(x);
		free(y);
		if (!eq)
			return false;
	}
	return true;
}

/* Write one result, honouring -Unique and -First. */
static int sel_out(mg_ctx *c, sel_state *st, mv *v)
{
	if (mg_switch(c, "Unique")) {
		for (size_t i = 0; i < st->uniq.n; i++)
			if (same_value(st->uniq.v[i], v))
				return 0;
		mvlist_push(&st->uniq, v);
	}
	st->emitted++;
	return mg_emit(c, v);
}

/* The result(s) for one input object, written through sel_out. */
static int sel_transform(mg_ctx *c, sel_state *st, mv *obj)
{
	const char *expand = mg_arg_str(c, "ExpandProperty");
	if (expand) {
		mv *v = bu_member(obj, expand);
		if (!v) {
			mg_err e;
			mg_err_set(&e, MGC_INVALIDARG, "ExpandPropertyNotFound",
			           "Property \"%s\" cannot be found. Check the name with "
			           "Get-Member-style listing: pipe the object to Format-List *.", expand);
			return mg_error(c, &e, expand);
		}
		int r = 0;
		if (v->kind == MV_ARRAY) {
			for (size_t i = 0; i < v->u.arr.n && r == 0; i++)
				r = sel_out(c, st, v->u.arr.items[i]);
		} else {
			r = sel_out(c, st, v);
		}
		mv_unref(v);
		return r;
	}
	if (!st->nprops && !st->exclude)
		return sel_out(c, st, obj);

	mv *row = mv_object(NULL);
	if (st->nprops) {
		size_t cnt;
		const char **names = bu_expand_names(obj, st->props, st->nprops, &cnt);
		for (size_t k = 0; k < cnt; k++) {
			if (excluded(st, names[k]))
				continue;
			const bu_prop *spec = NULL;
			for (size_t j = 0; j < st->nprops; j++)
				if (strcmp(st->props[j].name, names[k]) == 0)
					spec = &st->props[j];
			mv *v;
			if (spec) {
				v = bu_prop_value(c, spec, obj);
				if (!v) {
					free(names);
					mv_unref(row);
					return -1;
				}
			} else {
				mv *x = mv_get(obj, names[k]);
				v = x ? mv_ref(x) : mv_null();
			}
			mv_set_take(row, names[k], v);
		}
		free(names);
	} else if (obj->kind == MV_OBJECT || obj->kind == MV_HASH) {
		for (size_t i = 0; i < obj->u.obj.n; i++)
			if (!excluded(st, obj->u.obj.props[i].name))
				mv_set(row, obj->u.obj.props[i].name, obj->u.obj.props[i].val);
	}
	int r = sel_out(c, st, row);
	mv_unref(row);
	return r;
}

static int sel_one(mg_ctx *c, sel_state *st, mv *obj)
{
	long long skip = 0, first = -1;
	mv *a;
	if ((a = mg_arg(c, "Skip")))
		mv_to_ll(a, &skip);
	if ((a = mg_arg(c, "First")))
		mv_to_ll(a, &first);
	st->seen++;
	if (st->index) {
		/* -Index: only the objects at these (0-based) positions */
		for (size_t i = 0; i < st->nindex; i++)
			if (st->index[i] == st->seen - 1)
				return sel_transform(c, st, obj);
		return 0;
	}
	if (st->seen <= skip)
		return 0;
	if (mg_has(c, "Last")) {
		mvlist_push(&st->last, obj);
		return 0;
	}
	if (first >= 0 && st->emitted >= first)
		return 0;
	return sel_transform(c, st, obj);
}

static int sel_process(mg_ctx *c, mv *input)
{
	sel_state *st = c->state;
	if (!st->parsed) {
		st->parsed = true;
		if (bu_props_parse(c, mg_arg(c, "Property"), &st->props, &st->nprops) < 0)
			return -1;
		st->exclude = bu_strv(mg_arg(c, "ExcludeProperty"), NULL);
		mv *ix = mg_arg(c, "Index");
		if (ix) {
			size_t n = ix->kind == MV_ARRAY ? ix->u.arr.n : 1;
			st->index = xcalloc(n + 1, sizeof *st->index);
			for (size_t i = 0; i < n; i++) {
				const mv *one = ix->kind == MV_ARRAY ? ix->u.arr.items[i] : ix;
				if (mv_to_ll(one, &st->index[st->nindex]) < 0) {
					char *t = mv_to_string(one);
					mg_err_set(&c->err, MGC_INVALIDARG, "CannotConvertArgumentNoMessage",
					           "Cannot bind parameter 'Index'. Cannot convert value \"%s\" to type "
					           "\"System.Int32\".", t);
					free(t);
					return -1;
				}
				st->nindex++;
			}
		}
	}
	if (input)
		return sel_one(c, st, input);
	mv *io = mg_arg(c, "InputObject");
	if (!io)
		return 0;
	if (io->kind == MV_ARRAY) {
		for (size_t i = 0; i < io->u.arr.n; i++)
			if (sel_one(c, st, io->u.arr.items[i]) < 0)
				return -1;
		return 0;
	}
	return sel_one(c, st, io);
}

static int sel_end(mg_ctx *c)
{
	sel_state *st = c->state;
	if (!mg_has(c, "Last"))
		return 0;
	long long last = 0, first = -1;
	mv_to_ll(mg_arg(c, "Last"), &last);
	if (mg_has(c, "First"))
		mv_to_ll(mg_arg(c, "First"), &first);
	size_t from = last >= 0 && (size_t)last < st->last.n ? st->last.n - (size_t)last : 0;
	/* -First and -Last together: the first N, then the last M of the rest */
	for (size_t i = 0; first > 0 && i < (size_t)first && i < st->last.n; i++)
		if (sel_transform(c, st, st->last.v[i]) < 0)
			return -1;
	if (first > 0 && from < (size_t)first)
		from = (size_t)first;
	for (size_t i = from; i < st->last.n; i++)
		if (sel_transform(c, st, st->last.v[i]) < 0)
			return -1;
	return 0;
}

static const mg_param sel_params[] = {
	{ "Property", MPT_OBJECT, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_PROPERTY,
	  "The properties to keep, in this order: names, wildcards (*Count), or calculated "
	  "properties written as a hash table @{Name='Label'; Expression={ script block }} "
	  "(Label, N, L and E are accepted too). The result is a new object with just those "
	  "properties." },
	{ "ExcludeProperty", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_PROPERTY,
	  "Properties to leave out (wildcards allowed)." },
	{ "ExpandProperty", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_PROPERTY,
	  "Writes the value of this property instead of an object; a list value is written "
	  "item by item. A missing property is an error." },
	{ "First", MPT_INT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Keeps only the first N objects." },
	{ "Last", MPT_INT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Keeps only the last N objects." },
	{ "Skip", MPT_INT, 0, -1, NULL, NULL, NULL, "0", MGCOMP_NONE,
	  "Skips the first N objects." },
	{ "Index", MPT_OBJECT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Keeps only the objects at these positions (0 is the first), in input order." },
	{ "Unique", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Drops objects equal to one already written (compared case-insensitively)." },
	P_INPUT("The objects to select from. Usually piped in."),
	P_END
};

static const mg_example sel_examples[] = {
	{ "Get-MigrationUser -BatchId IMAPBatch1 | Select-Object Identity,Status",
	  "Keeps two properties of each user.", 0, NULL },
	{ "Get-MigrationUserStatistics -Identity terrya@contoso.edu | Select-Object -ExpandProperty SkippedItems",
	  "Lists the skipped items themselves rather than the user.", 0, NULL },
	{ "Get-MigrationUser | Select-Object -First 5",
	  "Only the first five users.", 0, NULL },
	{ "Get-MigrationUserStatistics -Identity terrya@contoso.edu | Select-Object Identity,@{Name='Synced';Expression={$_.SyncedItemCount}}",
	  "A calculated property with its own name.", 0, NULL },
	{ "1,2,2,3 | Select-Object -Unique -Last 2", "Prints 2 and 3.", 0, "3" },
	{ "'a','b','c','d' | Select-Object -Index 1,3", "Prints b and d.", 0, "d" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_select_object = {
	.name = "Select-Object",
	.aliases = MG_NAMES("select"),
	.synopsis = "Selects properties of objects, or the first or last objects of a pipeline.",
	.description =
		"Select-Object makes new objects that carry only the chosen properties (by name, "
		"by wildcard, or calculated by a script block), or picks objects by position "
		"with -First, -Last and -Skip, or writes the value of one property with "
		"-ExpandProperty.\n\n"
		"The new objects print as a table when they have four properties or fewer and "
		"as a list otherwise.",
	.params = sel_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "System.Management.Automation.PSCustomObject\n\nOr the values of the "
	           "expanded property with -ExpandProperty.",
	.examples = sel_examples,
	.related = MG_NAMES("Where-Object", "Sort-Object", "Format-Table"),
	.state_size = sizeof(sel_state),
	.process = sel_process,
	.end = sel_end,
	.cleanup = sel_cleanup,
};
