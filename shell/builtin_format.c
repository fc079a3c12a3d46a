/*
 * builtin_format.c - Format-List (fl), Format-Table (ft), Format-Wide (fw) and Out-String:
 * collect the pipeline, render it with shell/format.c and write the text
 * to the pipeline as one string (so `| Out-File` keeps the layout).
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/format.h"
#include "shell/session.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct fmt_state {
	mvlist in;
} fmt_state;

static int fmt_process(mg_ctx *c, mv *input)
{
	fmt_state *st = c->state;
	bu_collect(c, input, &st->in);
	return 0;
}

static void fmt_cleanup(mg_ctx *c)
{
	fmt_state *st = c->state;
	mvlist_free(&st->in);
}

/* Apply calculated properties: new objects carrying just the columns. */
static int apply_props(mg_ctx *c, bu_prop *p, size_t np, mvlist *in, mvlist *out,
                       const char ***names, size_t *nnames)
{
	bool calc = false;
	for (size_t i = 0; i < np; i++)
		if (p[i].expr || p[i].expr_prop)
			calc = true;
	*names = NULL;
	*nnames = 0;
	if (!calc) {
		*names = xcalloc(np + 1, sizeof **names);
		for (size_t i = 0; i < np; i++)
			(*names)[i] = p[i].name;
		*nnames = np;
		for (size_t i = 0; i < in->n; i++)
			mvlist_push(out, in->v[i]);
		return 0;
	}
	for (size_t i = 0; i < in->n; i++) {
		mv *o = in->v[i];
		size_t cnt;
		const char **nm = bu_expand_names(o, p, np, &cnt);
		mv *row = mv_object(NULL);
		for (size_t k = 0; k < cnt; k++) {
			const bu_prop *spec = NULL;
			for (size_t j = 0; j < np; j++)
				if (strcmp(p[j].name, nm[k]) == 0 && (p[j].expr || p[j].expr_prop))
					spec = &p[j];
			mv *v;
			if (spec) {
				v = bu_prop_value(c, spec, o);
				if (!v) {
					free(nm);
					mv_unref(row);
					return -1;
				}
			} else {
				mv *x = mv_get(o, nm[k]);
				v = x ? mv_ref(x) : mv_null();
			}
			mv_set_take(row, nm[k], v);
		}
		free(nm);
		mvlist_push(out, row);
		mv_unref(row);
	}
	return 0;
}

static int emit_text(mg_ctx *c, strbuf *sb)
{
	if (!sb->len)
		return 0;
	if (sb->buf[sb->len - 1] == '\n')
		sb->buf[--sb->len] = '\0';
	int r = mg_emit_take(c, mv_string_take(strbuf_detach(sb, NULL)));
	return r;
}

/* -GroupBy: a new table (or list) each time the value changes, under the
 * heading "   Label: value" (the input is expected sorted, as in PowerShell). */
static int group_render(mg_ctx *c, mv *groupby, mvlist *in, mvlist *rows, const char **names, size_t nn,
                        bool table, strbuf *sb)
{
	bu_prop *g;
	size_t ng;
	if (bu_props_parse(c, groupby, &g, &ng) < 0)
		return -1;
	if (ng != 1) {
		bu_props_free(g, ng);
		mg_err_set(&c->err, MGC_INVALIDARG, "GroupByTakesOneValue",
		           "-GroupBy takes one property name or calculated property.");
		return -1;
	}
	size_t i = 0;
	int rc = 0;
	char *prev = NULL;
	while (i < rows->n && rc == 0) {
		mv *v = bu_prop_value(c, &g[0], in->v[i]);
		if (!v) {
			rc = -1;
			break;
		}
		char *cur = mg_format_cell(v);
		mv_unref(v);
		size_t j = i + 1;
		while (j < rows->n) {
			mv *w = bu_prop_value(c, &g[0], in->v[j]);
			if (!w) {
				rc = -1;
				break;
			}
			char *t = mg_format_cell(w);
			mv_unref(w);
			bool same = strcmp(t, cur) == 0;
			free(t);
			if (!same)
				break;
			j++;
		}
		if (rc == 0) {
			/* the table before ends in a blank line already */
			strbuf_addf(sb, "%s   %s: %s\n", i ? "" : "\n", g[0].name, cur);
			if (table) {
				mg_table_opts o = { .autosize = mg_switch(c, "AutoSize"), .wrap = mg_switch(c, "Wrap"),
				                    .hide_headers = mg_switch(c, "HideTableHeaders") };
				mg_format_table(rows->v + i, j - i, names, nn, &o, sb);
			} else {
				mg_format_list(rows->v + i, j - i, names, nn, sb);
			}
		}
		free(prev);
		prev = cur;
		i = j;
	}
	free(prev);
	bu_props_free(g, ng);
	return rc;
}

static int fmt_end(mg_ctx *c, bool table)
{
	fmt_state *st = c->state;
	bu_prop *p;
	size_t np;
	if (bu_props_parse(c, mg_arg(c, "Property"), &p, &np) < 0)
		return -1;
	mvlist rows = { 0 };
	const char **names;
	size_t nn;
	if (apply_props(c, p, np, &st->in, &rows, &names, &nn) < 0) {
		bu_props_free(p, np);
		mvlist_free(&rows);
		return -1;
	}
	strbuf sb = STRBUF_INIT;
	mv *groupby = mg_arg(c, "GroupBy");
	if (groupby && rows.n) {
		if (group_render(c, groupby, &st->in, &rows, names, nn, table, &sb) < 0) {
			free(names);
			bu_props_free(p, np);
			mvlist_free(&rows);
			strbuf_free(&sb);
			return -1;
		}
	} else if (table) {
		mg_table_opts o = { .autosize = mg_switch(c, "AutoSize"), .wrap = mg_switch(c, "Wrap"),
		                    .hide_headers = mg_switch(c, "HideTableHeaders") };
		mg_format_table(rows.v, rows.n, names, nn, &o, &sb);
	} else {
		mg_format_list(rows.v, rows.n, names, nn, &sb);
	}
	free(names);
	bu_props_free(p, np);
	mvlist_free(&rows);
	int r = emit_text(c, &sb);
	strbuf_free(&sb);
	return r;
}

static int fl_end(mg_ctx *c) { return fmt_end(c, false); }
static int ft_end(mg_ctx *c) { return fmt_end(c, true); }

static int os_end(mg_ctx *c)
{
	fmt_state *st = c->state;
	strbuf sb = STRBUF_INIT;
	mg_format_default_buf(st->in.v, st->in.n, &sb);
	int r;
	if (mg_switch(c, "Stream")) {
		/* one string per line */
		r = 0;
		char *save = NULL;
		char *text = sb.buf ? sb.buf : (char *)"";
		for (char *line = strtok_r(text, "\n", &save); line && r == 0;
		     line = strtok_r(NULL, "\n", &save))
			r = mg_emit_take(c, mv_string(line));
	} else {
		if (!sb.len)
			strbuf_adds(&sb, "");
		r = mg_emit_take(c, mv_string_take(strbuf_detach(&sb, NULL)));
	}
	strbuf_free(&sb);
	return r;
}


static const mg_param fl_params[] = {
	{ "Property", MPT_OBJECT, 0, 0, NULL, NULL, NULL, "all properties", MGCOMP_PROPERTY,
	  "The properties to show, in this order. Names are case-insensitive and may contain "
	  "wildcards: Max* shows every property whose name starts with Max, * shows all. "
	  "Names that match nothing are skipped silently. A calculated property is a hash "
	  "table such as @{Name='MB'; Expression={$_.Size / 1MB}} (keys Name or Label, and "
	  "Expression; N, L and E also work)." },
	{ "GroupBy", MPT_OBJECT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_PROPERTY,
	  "Starts a new list each time this property (or calculated property) changes, "
	  "under a heading with its value. Sort the input by it first (Sort-Object)." },
	P_INPUT("The objects to format. Usually piped in."),
	P_END
};

static const mg_example fl_examples[] = {
	{ "Get-MigrationEndpoint IMAPEndpoint | Format-List EndpointType,RemoteServer,Port,Security,Max*",
	  "Shows the connection settings of an endpoint; Max* selects MaxConcurrentMigrations "
	  "and MaxConcurrentIncrementalSyncs.", 0, NULL },
	{ "Get-MigrationBatch -Identity IMAPBatch1 | Format-List",
	  "Shows every property of the batch.", 0, NULL },
	{ "Get-MigrationBatch -Identity IMAPBatch1 | Format-List Status",
	  "Shows only the status of the batch.", 0, NULL },
	{ "Get-MigrationEndpoint | Format-List Identity,RemoteServer,Port", "Any object can be listed, here every endpoint.", 0, "RemoteServer" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_format_list = {
	.name = "Format-List",
	.aliases = MG_NAMES("fl"),
	.synopsis = "Formats the output as a list of properties, each on its own line.",
	.description =
		"Format-List shows each object as a block of \"Name : value\" lines, with the "
		"names padded to the longest name shown and a blank line between objects.\n\n"
		"Without -Property it shows every property of the object, which is the usual "
		"way to see all the details of a migration batch, endpoint or user: the default "
		"display shows only a few columns.\n\n"
		"Format-List writes formatted text to the pipeline, so it should be the last "
		"command of a pipeline (or be followed by Out-File or Out-String).",
	.params = fl_params,
	.inputs = "System.Management.Automation.PSObject\n\nAny object can be piped to Format-List.",
	.outputs = "System.String\n\nThe formatted text.",
	.examples = fl_examples,
	.notes = "Property names are matched case-insensitively; the order of the output "
	         "follows the order of -Property, and the matches of a wildcard come in the "
	         "order of the object's properties.",
	.related = MG_NAMES("Format-Table", "Select-Object", "Out-File"),
	.state_size = sizeof(fmt_state),
	.process = fmt_process,
	.end = fl_end,
	.cleanup = fmt_cleanup,
};

static const mg_param ft_params[] = {
	{ "Property", MPT_OBJECT, 0, 0, NULL, NULL, NULL, "the default display properties",
	  MGCOMP_PROPERTY,
	  "The columns to show, in this order. Names may contain wildcards (*Count, Max*); "
	  "* shows all properties. A calculated column is a hash table such as "
	  "@{Name='Items'; Expression={$_.SyncedItemCount}}." },
	{ "AutoSize", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Sizes every column to its widest value and never truncates a value. Without it, "
	  "columns are shrunk to fit the console width and long values end in \"...\"." },
	{ "Wrap", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Continues values that do not fit their column on the following lines instead of "
	  "truncating them." },
	{ "HideTableHeaders", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Omits the header and the dashes line." },
	{ "GroupBy", MPT_OBJECT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_PROPERTY,
	  "Starts a new table each time this property (or calculated property) changes, "
	  "under a heading with its value. Sort the input by it first (Sort-Object)." },
	P_INPUT("The objects to format. Usually piped in."),
	P_END
};

static const mg_example ft_examples[] = {
	{ "Get-MigrationUser -BatchId IMAPBatch1 | Format-Table Identity,Status,*Count -AutoSize",
	  "One line per user with the status and every counter.", 0, NULL },
	{ "Get-MigrationBatch | Format-Table Identity,Status,@{Name='Users';Expression={$_.TotalCount}}",
	  "A calculated column with its own heading.", 0, NULL },
	{ "Get-Command -Noun Migration* | Format-Table Name,CommandType -HideTableHeaders",
	  "Just the names of the migration cmdlets.", 0, "Get-MigrationBatch" },
	{ "Get-MigrationUser | Sort-Object Status | Format-Table Identity,Status -GroupBy Status",
	  "One table per status.", 0, "Status: " },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_format_table = {
	.name = "Format-Table",
	.aliases = MG_NAMES("ft"),
	.synopsis = "Formats the output as a table with one row per object.",
	.description =
		"Format-Table prints a header line with the property names, a line of dashes "
		"and one row per object. Numbers are right-aligned. Without -Property the "
		"columns are the type's default display properties (the same as the default "
		"display).\n\n"
		"Without -AutoSize the table is fitted to the console width ($COLUMNS when the "
		"output is not a terminal, 120 otherwise) and values that do not fit are "
		"truncated with \"...\"; use -Wrap to keep them on continuation lines.",
	.params = ft_params,
	.inputs = "System.Management.Automation.PSObject\n\nAny object can be piped to Format-Table.",
	.outputs = "System.String\n\nThe formatted text.",
	.examples = ft_examples,
	.related = MG_NAMES("Format-List", "Select-Object", "Sort-Object"),
	.state_size = sizeof(fmt_state),
	.process = fmt_process,
	.end = ft_end,
	.cleanup = fmt_cleanup,
};

static const mg_param os_params[] = {
	{ "Stream", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes one string per line instead of one string with all the text." },
	{ "Width", MPT_INT, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; the width is taken from the console or $COLUMNS." },
	P_INPUT("The objects to convert to text. Usually piped in."),
	P_END
};

static const mg_example os_examples[] = {
	{ "$text = Get-MigrationBatch | Out-String",
	  "Keeps the text of the default display in a variable.", 0, NULL },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_out_string = {
	.name = "Out-String",
	.synopsis = "Converts objects to the text the console would show.",
	.description = "Out-String renders its input exactly like the default display (tables "
	               "for objects with up to four display properties, lists otherwise) and "
	               "writes the text to the pipeline.",
	.params = os_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "System.String",
	.examples = os_examples,
	.related = MG_NAMES("Out-File", "Format-Table", "Format-List"),
	.state_size = sizeof(fmt_state),
	.process = fmt_process,
	.end = os_end,
	.cleanup = fmt_cleanup,
};

/* ---- Format-Wide ---- */

static int fw_end(mg_ctx *c)
{
	fmt_state *st = c->state;
	bu_prop *p;
	size_t np;
	if (bu_props_parse(c, mg_arg(c, "Property"), &p, &np) < 0)
		return -1;
	char **cells = xcalloc(st->in.n + 1, sizeof *cells);
	size_t widest = 0;
	int rc = 0;
	for (size_t i = 0; i < st->in.n && rc == 0; i++) {
		mv *o = st->in.v[i];
		mv *v;
		if (np) {
			v = bu_prop_value(c, &p[0], o);
		} else if ((o->kind == MV_OBJECT || o->kind == MV_HASH) && mv_get(o, "Name")) {
			v = mv_ref(mv_get(o, "Name"));
		} else if (o->kind == MV_OBJECT && o->u.obj.type && o->u.obj.type->to_string_prop &&
		           mv_get(o, o->u.obj.type->to_string_prop)) {
			v = mv_ref(mv_get(o, o->u.obj.type->to_string_prop));
		} else if (o->kind == MV_OBJECT && o->u.obj.n) {
			v = mv_ref(o->u.obj.props[0].val);
		} else {
			v = mv_ref(o);
		}
		if (!v) {
			rc = -1;
			break;
		}
		cells[i] = mg_format_cell(v);
		mv_unref(v);
		size_t L = strlen(cells[i]);
		if (L > widest)
			widest = L;
	}
	strbuf sb = STRBUF_INIT;
	if (rc == 0 && st->in.n) {
		int width = mg_format_width(c->session ? c->session->out : NULL);
		long long cols = 2;
		if (mg_has(c, "Column"))
			mv_to_ll(mg_arg(c, "Column"), &cols);
		else if (mg_switch(c, "AutoSize"))
			cols = (long long)((size_t)width / (widest + 1 ? widest + 1 : 1));
		if (cols < 1)
			cols = 1;
		size_t colw = (size_t)width / (size_t)cols;
		if (colw < 2)
			colw = 2;
		strbuf_addc(&sb, '\n');
		for (size_t i = 0; i < st->in.n; i++) {
			size_t L = strlen(cells[i]);
			bool last = (long long)(i % (size_t)cols) == cols - 1 || i + 1 == st->in.n;
			if (L > colw - 1) {
				strbuf_add(&sb, cells[i], colw > 4 ? colw - 4 : 1);
				strbuf_adds(&sb, "...");
			} else {
				strbuf_adds(&sb, cells[i]);
				if (!last)
					for (size_t k = L; k < colw; k++)
						strbuf_addc(&sb, ' ');
			}
			if (last)
				strbuf_addc(&sb, '\n');
		}
		strbuf_addc(&sb, '\n');
	}
	for (size_t i = 0; i < st->in.n; i++)
		free(cells[i]);
	free(cells);
	bu_props_free(p, np);
	if (rc == 0)
		rc = emit_text(c, &sb);
	strbuf_free(&sb);
	return rc;
}

static const mg_param fw_params[] = {
	{ "Property", MPT_OBJECT, 0, 0, NULL, NULL, NULL, "Name, or the object itself", MGCOMP_PROPERTY,
	  "The one property to show (or a calculated property)." },
	{ "Column", MPT_INT, 0, -1, NULL, NULL, NULL, "2", MGCOMP_NONE,
	  "How many columns; the console width is shared equally between them." },
	{ "AutoSize", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "As many columns as fit the widest value." },
	P_INPUT("The objects to format. Usually piped in."),
	P_END
};

static const mg_example fw_examples[] = {
	{ "Get-MigrationUser | Format-Wide Identity -Column 3", "User addresses in three columns.", 0,
	  "terrya@contoso.edu" },
	{ "Get-Command -Noun Migration* | Format-Wide -AutoSize", "The migration cmdlet names, packed.", 0,
	  "Get-MigrationBatch" },
	EX_END
};

const mg_cmdlet mg_cmd_format_wide = {
	.name = "Format-Wide",
	.aliases = MG_NAMES("fw"),
	.synopsis = "Shows one property of each object, in columns.",
	.description = "Format-Wide prints one value per object (the -Property, else the "
	               "object's name) side by side in columns across the console width: two "
	               "columns unless -Column or -AutoSize says otherwise.",
	.params = fw_params,
	.inputs = "System.Management.Automation.PSObject",
	.outputs = "System.String",
	.examples = fw_examples,
	.related = MG_NAMES("Format-Table", "Format-List"),
	.state_size = sizeof(fmt_state),
	.process = fmt_process,
	.end = fw_end,
	.cleanup = fmt_cleanup,
};
