/*
 * builtin_sort.c - Sort-Object, Measure-Object (measure) and
 * Group-Object (group), with the MeasureInfo and GroupInfo output types.
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "common/mem.h"
#include "common/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Sort-Object ---- */

typedef struct sort_item {
	mv  *obj;
	mv **keys;     /* one per sort property (or the object itself) */
	size_t idx;    /* input order, for stability */
} sort_item;

typedef struct sort_ctx {
	size_t nkeys;
	bool  *desc;
	bool   icase;
} sort_ctx;

static int key_cmp(const sort_ctx *sc, const sort_item *a, const sort_item *b)
{
	for (size_t k = 0; k < sc->nkeys; k++) {
		bool comparable;
		int r = mv_compare(a->keys[k], b->keys[k], sc->icase, &comparable);
		if (!comparable) {
			/* fall back to comparing the text */
			char *x = mv_to_string(a->keys[k]), *y = mv_to_string(b->keys[k]);
			r = sc->icase ? strcasecmp(x, y) : strcmp(x, y);
			r = r < 0 ? -1 : r > 0;
			free(x);
			free(y);
		}
		if (r)
			return sc->desc[k] ? -r : r;
	}
	return 0;
}

/* stable merge sort */
static void msort(const sort_ctx *sc, sort_item *a, sort_item *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	msort(sc, a, tmp, h);
	msort(sc, a + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = key_cmp(sc, &a[j], &a[i]) < 0 ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

static int sort_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	bu_prop *p;
	size_t np;
	if (bu_props_parse(c, mg_arg(c, "Property"), &p, &np) < 0)
		return -1;
	size_t n = st->in.n;
	/* expand wildcards against the first object */
	const char **names = NULL;
	size_t nn = 0;
	bu_prop *keys = NULL;
	size_t nk = 0;
	if (np) {
		keys = xcalloc(np * 8 + 1, sizeof *keys);
		for (size_t i = 0; i < np; i++) {
			if (!p[i].expr && !p[i].expr_prop && str_has_wildcard(p[i].name) && n) {
				names = bu_expand_names(st->in.v[0], &p[i], 1, &nn);
				for (size_t j = 0; j < nn; j++) {
					keys = xrealloc(keys, (nk + 1) * sizeof *keys);
					keys[nk] = p[i];
					keys[nk++].name = (char *)names[j];
				}
				free(names);
				names = NULL;
			} else {
				keys = xrealloc(keys, (nk + 1) * sizeof *keys);
				keys[nk++] = p[i];
			}
		}
	}
	sort_ctx sc = { .nkeys = nk ? nk : 1, .icase = !mg_switch(c, "CaseSensitive") };
	sc.desc = xcalloc(sc.nkeys, sizeof *sc.desc);
	bool desc_all = mg_switch(c, "Descending");
	for (size_t k = 0; k < sc.nkeys; k++)
		sc.desc[k] = (nk && keys[k].has_desc) ? keys[k].descending : desc_all;
	sort_item *items = xcalloc(n ? n : 1, sizeof *items);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		items[i].obj = st->in.v[i];
		items[i].idx = i;
		items[i].keys = xcalloc(sc.nkeys, sizeof *items[i].keys);
		for (size_t k = 0; k < sc.nkeys; k++) {
			if (!nk) {
				items[i].keys[k] = mv_ref(st->in.v[i]);
				continue;
			}
			mv *v = bu_prop_value(c, &keys[k], st->in.v[i]);
			if (!v) {
				rc = -1;
				v = mv_null();
			}
			items[i].keys[k] = v;
		}
	}
	if (rc == 0) {
		sort_item *tmp = xcalloc(n ? n : 1, sizeof *tmp);
		msort(&sc, items, tmp, n);
		free(tmp);
		bool uniq = mg_switch(c, "Unique");
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (uniq && i > 0 && key_cmp(&sc, &items[i - 1], &items[i]) == 0)
				continue;
			rc = mg_emit(c, items[i].obj);
		}
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sc.nkeys; k++)
			mv_unref(items[i].keys[k]);
		free(items[i].keys);
	}
	free(items);
	free(sc.desc);
	free(keys);
	bu_props_free(p, np);
	return rc;
}

static const mg_param sort_params[] = {
	{ "Property", MPT_OBJECT, 0, 0, NULL, NULL, NULL, "the objects themselves",
	  MGCOMP_PROPERTY,
	  "The properties to sort by, most significant first. Names may contain wildcards; "
	  "a hash table @{Expression='Name'; Descending=$true} sorts one key in its own "
	  "direction." },
	{ "Descending", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Sorts from the largest to the smallest value." },
	{ "Unique", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Keeps one object of each run of equal sort keys." },
	{ "CaseSensitive", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Compares text case-sensitively." },
	P_INPUT("The objects to sort. Usually piped in."),
	P_END
};

static const mg_example sort_examples[] = {
	{ "Get-MigrationUserStatistics -Identity terrya@contoso.edu | Sort-Object SyncedItemCount -Descending",
	  "The largest mailboxes first.", 0, NULL },
	{ "Get-MigrationUser | Sort-Object Status,Identity",
	  "Users grouped by status, then by address.", 0, NULL },
	{ "3,1,2,1 | Sort-Object -Unique", "Prints 1, 2 and 3.", 0, "3" },
	EX_END
};

const mg_cmdlet mg_cmd_sort_object = {
	.name = "Sort-Object",
	.aliases = NULL,   /* sort is a Windows-only alias: on Linux it runs sort(1) */
	.synopsis = "Sorts objects by property values.",
	.description =
		"Sort-Object collects its input and writes it sorted by one or more properties "
		"(or by the objects themselves when no property is given). Text sorts "
		"case-insensitively, numbers and dates by value. The sort is stable: objects "
		"with equal keys keep their input order.",
	.params = sort_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "The input objects, sorted.",
	.examples = sort_examples,
	.related = MG_NAMES("Group-Object", "Select-Object", "Measure-Object"),
	.state_size = sizeof(bu_coll_state),
	.process = bu_coll_process,
	.end = sort_end,
	.cleanup = bu_coll_cleanup,
};

/* ---- Measure-Object ---- */

static const char *const measure_dp[] = { "Count", "Average", "Sum", "Maximum", "Minimum",
                                          "Property", NULL };
const mv_type_info mg_type_measure_info = { "Microsoft.PowerShell.Commands.GenericMeasureInfo",
                                            measure_dp, 2, NULL };

static int measure_one(mg_ctx *c, mvlist *in, const char *prop)
{
	bool want_sum = mg_switch(c, "Sum"), want_avg = mg_switch(c, "Average");
	bool want_min = mg_switch(c, "Minimum"), want_max = mg_switch(c, "Maximum");
	long long count = 0;
	double sum = 0;
	mv *minv = NULL, *maxv = NULL;
	bool numeric = true;
	for (size_t i = 0; i < in->n; i++) {
		mv *v = prop ? bu_member(in->v[i], prop) : mv_ref(in->v[i]);
		if (!v || v->kind == MV_NULL) {
			mv_unref(v);
			continue;
		}
		count++;
		double d;
		if (mv_to_double(v, &d) == 0)
			sum += d;
		else
			numeric = false;
		bool cmp;
		if (!minv || mv_compare(v, minv, true, &cmp) < 0) {
			mv_unref(minv);
			minv = mv_ref(v);
		}
		if (!maxv || mv_compare(v, maxv, true, &cmp) > 0) {
			mv_unref(maxv);
			maxv = mv_ref(v);
		}
		mv_unref(v);
	}
	if ((want_sum || want_avg) && !numeric) {
		mg_err e;
		mg_err_set(&e, MGC_INVALIDARG, "GenericMeasurePropertyNotNumeric",
		           "Measure-Object: %s%s%s is not a number, so -Sum and -Average cannot "
		           "be computed.", prop ? "property \"" : "the input", prop ? prop : "",
		           prop ? "\"" : "");
		mv_unref(minv);
		mv_unref(maxv);
		return mg_error(c, &e, prop);
	}
	if (prop && count == 0 && in->n > 0) {
		mg_err e;
		mg_err_set(&e, MGC_INVALIDARG, "GenericMeasurePropertyNotFound",
		           "The property \"%s\" cannot be found in the input for any objects.", prop);
		mv_unref(minv);
		mv_unref(maxv);
		return mg_error(c, &e, prop);
	}
	mv *o = mv_object(&mg_type_measure_info);
	mv_set_int(o, "Count", count);
	mv_set_take(o, "Average", want_avg && count ? mv_double(sum / (double)count) : mv_null());
	if (want_sum) {
		if (sum == floor(sum) && fabs(sum) < 9e15)
			mv_set_take(o, "Sum", mv_int((long long)sum));
		else
			mv_set_take(o, "Sum", mv_double(sum));
	} else {
		mv_set_take(o, "Sum", mv_null());
	}
	mv_set(o, "Maximum", want_max && maxv ? maxv : NULL);
	mv_set(o, "Minimum", want_min && minv ? minv : NULL);
	mv_set_str(o, "Property", prop);
	mv_unref(minv);
	mv_unref(maxv);
	return mg_emit_take(c, o);
}

/* A plain count (no -Property, no statistic) counts as the objects come
 * and keeps none of them: counting 50,000 users must not hold them all. */
typedef struct measure_state {
	bu_coll_state coll;   /* first: bu_coll_cleanup frees it */
	long long     counted;
} measure_state;

static bool measure_count_only(mg_ctx *c)
{
	return !mg_arg(c, "Property") && !mg_switch(c, "Sum") && !mg_switch(c, "Average") &&
	       !mg_switch(c, "Minimum") && !mg_switch(c, "Maximum");
}

static int measure_process(mg_ctx *c, mv *input)
{
	measure_state *ms = c->state;
	if (!measure_count_only(c))
		return bu_coll_process(c, input);
	mvlist one = { 0 };
	bu_collect(c, input, &one);
	for (size_t i = 0; i < one.n; i++)
		if (one.v[i] && one.v[i]->kind != MV_NULL)
			ms->counted++;
	mvlist_free(&one);
	return 0;
}

static int measure_end(mg_ctx *c)
{
	if (measure_count_only(c)) {
		mv *o = mv_object(&mg_type_measure_info);
		mv_set_int(o, "Count", ((measure_state *)c->state)->counted);
		mv_set_take(o, "Average", mv_null());
		mv_set_take(o, "Sum", mv_null());
		mv_set(o, "Maximum", NULL);
		mv_set(o, "Minimum", NULL);
		mv_set_str(o, "Property", NULL);
		return mg_emit_take(c, o);
	}
	bu_coll_state *st = c->state;
	size_t n;
	char **props = bu_strv(mg_arg(c, "Property"), &n);
	int rc = 0;
	if (!n) {
		rc = measure_one(c, &st->in, NULL);
	} else {
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (str_has_wildcard(props[i]) && st->in.n) {
				bu_prop one = { .name = props[i] };
				size_t k;
				const char **names = bu_expand_names(st->in.v[0], &one, 1, &k);
				for (size_t j = 0; j < k && rc == 0; j++)
					rc = measure_one(c, &st->in, names[j]);
				free(names);
			} else {
				rc = measure_one(c, &st->in, props[i]);
			}
		}
	}
	bu_strv_free(props);
	return rc;
}

static const mg_param measure_params[] = {
	{ "Property", MPT_STRINGS, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_PROPERTY,
	  "The numeric properties to measure (one result per property). Without it the "
	  "input objects themselves are measured." },
	{ "Sum", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE, "Adds up the values." },
	{ "Average", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE, "Computes the mean." },
	{ "Minimum", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE, "Finds the smallest value." },
	{ "Maximum", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE, "Finds the largest value." },
	P_INPUT("The objects to measure. Usually piped in."),
	P_END
};

static const mg_example measure_examples[] = {
	{ "(Get-MigrationUser -BatchId IMAPBatch1 | Measure-Object).Count",
	  "How many users a batch has.", 0, NULL },
	{ "Get-MigrationUser | Measure-Object SyncedItemCount -Sum -Maximum",
	  "Total and largest number of items synced per user.", 0, NULL },
	{ "1,2,3,4 | Measure-Object -Average -Sum", "Count 4, Average 2.5, Sum 10.", 0, "2.5" },
	EX_END
};

const mg_cmdlet mg_cmd_measure_object = {
	.name = "Measure-Object",
	.aliases = MG_NAMES("measure"),
	.synopsis = "Counts objects and computes the sum, average, minimum and maximum of a property.",
	.description =
		"Measure-Object counts its input objects and, on request, adds up, averages and "
		"finds the extremes of numeric property values. Objects without the property "
		"(or where it is $null) are not counted.",
	.params = measure_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "Microsoft.PowerShell.Commands.GenericMeasureInfo\n\nProperties Count, "
	           "Average, Sum, Maximum, Minimum and Property; values that were not asked "
	           "for are empty.",
	.output_type = &mg_type_measure_info,
	.examples = measure_examples,
	.related = MG_NAMES("Sort-Object", "Group-Object"),
	.state_size = sizeof(measure_state),
	.process = measure_process,
	.end = measure_end,
	.cleanup = bu_coll_cleanup,
};

/* ---- Group-Object ---- */

static const char *const group_dp[] = { "Count", "Name", "Group", NULL };
const mv_type_info mg_type_group_info = { "Microsoft.PowerShell.Commands.GroupInfo",
                                          group_dp, 1, "Name" };

static int group_end(mg_ctx *c)
{
	bu_coll_state *st = c->state;
	bu_prop *p;
	size_t np;
	if (bu_props_parse(c, mg_arg(c, "Property"), &p, &np) < 0)
		return -1;
	mvlist groups = { 0 };   /* GroupInfo objects in order of first appearance */
	int rc = 0;
	bool noel = mg_switch(c, "NoElement");
	for (size_t i = 0; i < st->in.n && rc == 0; i++) {
		mv *obj = st->in.v[i];
		strbuf key = STRBUF_INIT;
		mv *values = mv_array();
		for (size_t k = 0; k < (np ? np : 1); k++) {
			mv *v = np ? bu_prop_value(c, &p[k], obj) : mv_ref(obj);
			if (!v) {
				rc = -1;
				break;
			}
			char *s = mv_to_string(v);
			if (k)
				strbuf_adds(&key, ", ");
			strbuf_adds(&key, s);
			free(s);
			mv_array_push_take(values, v);
		}
		if (rc) {
			strbuf_free(&key);
			mv_unref(values);
			break;
		}
		const char *ks = key.buf ? key.buf : "";
		mv *g = NULL;
		for (size_t j = 0; j < groups.n; j++)
			if (strcasecmp(mv_get_str(groups.v[j], "Name"), ks) == 0)
				g = groups.v[j];
		if (!g) {
			mv *ng = mv_object(&mg_type_group_info);
			mv_set_int(ng, "Count", 0);
			mv_set_str(ng, "Name", ks);
			mv_set_take(ng, "Group", mv_array());
			mv_set(ng, "Values", values);
			mvlist_push(&groups, ng);
			mv_unref(ng);
			g = ng;
		}
		mv *cnt = mv_get(g, "Count");
		cnt->u.i++;
		if (!noel)
			mv_array_push(mv_get(g, "Group"), obj);
		mv_unref(values);
		strbuf_free(&key);
	}
	if (rc == 0 && mg_switch(c, "AsHashTable")) {
		/* -AsHashTable (-AsString: keys are the text, as every key is here) */
		mv *h = mv_hash();
		for (size_t j = 0; j < groups.n; j++)
			mv_set(h, mv_get_str(groups.v[j], "Name"), mv_get(groups.v[j], "Group"));
		mvlist_free(&groups);
		bu_props_free(p, np);
		return mg_emit_take(c, h);
	}
	for (size_t j = 0; j < groups.n && rc == 0; j++) {
		if (noel) {
			mv *o = mv_object(&mg_type_group_info);
			mv_set(o, "Count", mv_get(groups.v[j], "Count"));
			mv_set(o, "Name", mv_get(groups.v[j], "Name"));
			rc = mg_emit_take(c, o);
		} else {
			rc = mg_emit(c, groups.v[j]);
		}
	}
	mvlist_free(&groups);
	bu_props_free(p, np);
	return rc;
}

static const mg_param group_params[] = {
	{ "Property", MPT_OBJECT, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_PROPERTY,
	  "The properties to group by (or calculated properties). Without it objects are "
	  "grouped by their own value." },
	{ "NoElement", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Leaves out the Group property (just names and counts)." },
	{ "AsHashTable", MPT_SWITCH, 0, -1, NULL, NULL, MG_NAMES("AHT"), "False", MGCOMP_NONE,
	  "Writes one hashtable instead: each group's name is a key, its objects the value." },
	{ "AsString", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "With -AsHashTable, the keys are strings (they always are in migsh)." },
	{ "CaseSensitive", MPT_SWITCH, MPF_IGNORED, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted for compatibility; grouping ignores case." },
	P_INPUT("The objects to group. Usually piped in."),
	P_END
};

static const mg_example group_examples[] = {
	{ "Get-MigrationUser | Group-Object Status",
	  "How many users are in each status.", 0, NULL },
	{ "Get-MigrationUser | Group-Object BatchId -NoElement",
	  "Users per batch, names and counts only.", 0, NULL },
	{ "'a','b','A' | Group-Object", "Two groups: a (2) and b (1).", 0, "2 a" },
	{ "$byStatus = Get-MigrationUser | Group-Object Status -AsHashTable; $byStatus['Synced'].Count",
	  "A hashtable of users by status; how many are Synced.", 0, "2" },
	EX_END
};

const mg_cmdlet mg_cmd_group_object = {
	.name = "Group-Object",
	.aliases = MG_NAMES("group"),
	.synopsis = "Groups objects that have the same value of a property.",
	.description =
		"Group-Object collects its input and writes one GroupInfo object per distinct "
		"value (compared case-insensitively), in order of first appearance, with the "
		"number of objects (Count), the value (Name) and the objects themselves (Group).",
	.params = group_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "Microsoft.PowerShell.Commands.GroupInfo",
	.output_type = &mg_type_group_info,
	.examples = group_examples,
	.related = MG_NAMES("Sort-Object", "Measure-Object"),
	.state_size = sizeof(bu_coll_state),
	.process = bu_coll_process,
	.end = group_end,
	.cleanup = bu_coll_cleanup,
};
