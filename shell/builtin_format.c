/*
 * builtin_format.c - Format-List (fl), Format-Table (ft) and Out-String:
 * collect the pipeline, render it with shell/format.c and write the text
 * to the pipeline as one string (so `| Out-File` keeps the layout).
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/format.h"
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
	if (table) {
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
	.related = "Format-Table Select-Object Out-File",
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
	.related = "Format-List Select-Object Sort-Object",
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
	.related = "Out-File Format-Table Format-List",
	.state_size = sizeof(fmt_state),
	.process = fmt_process,
	.end = os_end,
	.cleanup = fmt_cleanup,
};
