/*
 * builtin_host.c - Write-Host, Write-Output (echo), Get-Date and
 * Clear-Host (cls, clear).
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/format.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const colors[] = {
	"Black", "DarkBlue", "DarkGreen", "DarkCyan", "DarkRed", "DarkMagenta", "DarkYellow",
	"Gray", "DarkGray", "Blue", "Green", "Cyan", "Red", "Magenta", "Yellow", "White", NULL
};
/* ANSI SGR codes in the order of colors[] */
static const int fg_codes[] = { 30, 34, 32, 36, 31, 35, 33, 37, 90, 94, 92, 96, 91, 95, 93, 97 };

static int color_code(const char *name, bool bg)
{
	if (!name)
		return 0;
	for (size_t i = 0; colors[i]; i++)
		if (strcasecmp(colors[i], name) == 0)
			return fg_codes[i] + (bg ? 10 : 0);
	return 0;
}

/* ---- Write-Host ---- */

/* nested arrays are written item by item down to this depth; deeper ones
 * (or one holding itself) as their string form */
#define HOST_DEPTH 32

#define HOST_ARRAYS 100000   /* arrays written at most (one may hold itself) */

static void host_text(strbuf *sb, const mv *v, const char *sep, int depth, size_t *arrays)
{
	if (!v)
		return;
	if (v->kind == MV_ARRAY && depth < HOST_DEPTH) {
		if (*arrays == 0)
			return;
		--*arrays;
		for (size_t i = 0; i < v->u.arr.n; i++) {
			if (i)
				strbuf_adds(sb, sep);
			host_text(sb, v->u.arr.items[i], sep, depth + 1, arrays);
		}
		return;
	}
	if (v->kind == MV_ARRAY) {
		strbuf_adds(sb, "System.Object[]");
		return;
	}
	char *s = mv_to_string(v);
	strbuf_adds(sb, s);
	free(s);
}

static int wh_process(mg_ctx *c, mv *input)
{
	mv *obj = input ? input : mg_arg(c, "Object");
	const char *sep = mg_arg_str(c, "Separator");
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	int fg = color_code(mg_arg_str(c, "ForegroundColor"), false);
	int bg = color_code(mg_arg_str(c, "BackgroundColor"), true);
	bool color = c->session && c->session->color && (fg || bg);
	if (color) {
		strbuf_adds(&sb, "\033[");
		if (fg)
			strbuf_addf(&sb, "%d", fg);
		if (bg)
			strbuf_addf(&sb, "%s%d", fg ? ";" : "", bg);
		strbuf_addc(&sb, 'm');
	}
	size_t arrays = HOST_ARRAYS;
	host_text(&sb, obj, sep ? sep : " ", 0, &arrays);
	if (color)
		strbuf_adds(&sb, "\033[0m");
	if (!mg_switch(c, "NoNewline"))
		strbuf_addc(&sb, '\n');
	mg_host(c, "%s", sb.buf);
	strbuf_free(&sb);
	return 0;
}

static const mg_param wh_params[] = {
	{ "Object", MPT_OBJECT, MPF_PIPE_VALUE | MPF_REMAINING, 0, NULL, NULL, MG_NAMES("Msg", "Message"), NULL, MGCOMP_NONE,
	  "What to show. A list is shown on one line, items separated by -Separator." },
	{ "NoNewline", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Does not end the output with a line break." },
	{ "Separator", MPT_STRING, 0, -1, NULL, NULL, NULL, "' '", MGCOMP_NONE,
	  "The text between the items of a list." },
	{ "ForegroundColor", MPT_ENUM, 0, -1, colors, NULL, NULL, NULL, MGCOMP_ENUM,
	  "Text colour; used only on a terminal and never when NO_COLOR is set." },
	{ "BackgroundColor", MPT_ENUM, 0, -1, colors, NULL, NULL, NULL, MGCOMP_ENUM,
	  "Background colour; used only on a terminal and never when NO_COLOR is set." },
	P_END
};

static const mg_example wh_examples[] = {
	{ "Write-Host \"Batch created\" -ForegroundColor Green",
	  "A message for the person at the terminal (not part of the pipeline output).", 0, NULL },
	{ "Write-Host 'Working...' -NoNewline", "No line break at the end.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_write_host = {
	.name = "Write-Host",
	.synopsis = "Shows text on the console, bypassing the pipeline.",
	.description =
		"Write-Host writes text straight to the console. Unlike Write-Output its text "
		"cannot be piped, captured in a variable or redirected with the pipeline, which "
		"makes it suitable for progress messages in scripts.",
	.params = wh_params,
	.inputs = "System.Object",
	.outputs = "None",
	.examples = wh_examples,
	.related = MG_NAMES("Write-Output", "Out-File"),
	.process = wh_process,
};

/* ---- Write-Output ---- */

static int wo_process(mg_ctx *c, mv *input)
{
	mv *obj = input ? input : mg_arg(c, "InputObject");
	if (!obj)
		return 0;
	if (mg_switch(c, "NoEnumerate"))
		return mg_emit(c, obj);
	return bu_emit_enum(c, obj);
}

static const mg_param wo_params[] = {
	{ "InputObject", MPT_OBJECT, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_REMAINING, 0, NULL, NULL,
	  NULL, NULL, MGCOMP_NONE, "The objects to write to the pipeline; several values without "
	  "a parameter name (Write-Output 1 2 3) are written one after another." },
	{ "NoEnumerate", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes a list as one object instead of item by item." },
	P_END
};

static const mg_example wo_examples[] = {
	{ "Write-Output 'done'", "Writes the string to the pipeline (the console shows it).", 0, "done" },
	{ "echo 1,2,3 | Measure-Object", "Count is 3: the list is written item by item.", 0, "3" },
	EX_END
};

const mg_cmdlet mg_cmd_write_output = {
	.name = "Write-Output",
	.aliases = MG_NAMES("echo"),   /* write is a Windows-only alias */
	.synopsis = "Writes objects to the pipeline.",
	.description = "Write-Output sends objects down the pipeline; at the end of the "
	               "pipeline they are displayed. A list is sent item by item unless "
	               "-NoEnumerate is given.",
	.params = wo_params,
	.inputs = "System.Object",
	.outputs = "System.Object",
	.examples = wo_examples,
	.related = MG_NAMES("Write-Host"),
	.process = wo_process,
};

/* ---- Get-Date ---- */

static int gd_process(mg_ctx *c, mv *input)
{
	int64_t sec;
	int32_t usec = 0;
	mv *d = input ? input : mg_arg(c, "Date");
	if (d && d->kind == MV_DATETIME) {
		sec = d->u.dt.sec;
		usec = d->u.dt.usec;
	} else if (d) {
		char *s = mv_to_string(d);
		if (mv_parse_datetime(s, &sec) < 0) {
			mg_err_set(&c->err, MGC_INVALIDARG, "ParameterArgumentTransformationError",
			           "Cannot convert value \"%s\" to type \"System.DateTime\". Write dates "
			           "as M/d/yyyy [h:mm:ss AM] or yyyy-MM-ddTHH:mm:ss.", s);
			free(s);
			return -1;
		}
		free(s);
	} else {
		mv *now = mv_datetime_now();
		sec = now->u.dt.sec;
		usec = now->u.dt.usec;
		mv_unref(now);
	}
	time_t t = (time_t)sec;
	struct tm tm;
	localtime_r(&t, &tm);
	const char *uf = mg_arg_str(c, "UFormat"), *f = mg_arg_str(c, "Format");
	if (uf) {
		char buf[512];
		size_t n = strftime(buf, sizeof buf, uf, &tm);
		return mg_emit_take(c, mv_string_n(buf, n));
	}
	if (f) {
		strbuf o = STRBUF_INIT;
		strbuf_adds(&o, "");
		mg_format_datetime_as(sec, usec, f, &o);
		return mg_emit_take(c, mv_string_take(strbuf_detach(&o, NULL)));
	}
	return mg_emit_take(c, mv_datetime(sec, usec));
}

static const mg_param gd_params[] = {
	{ "Date", MPT_DATETIME, MPF_PIPE_VALUE, 0, NULL, NULL, MG_NAMES("LastWriteTime"), "now", MGCOMP_NONE,
	  "The date to show instead of the current date and time." },
	{ "Format", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "A .NET date format (yyyy-MM-dd HH:mm:ss, or a standard one-letter format such as "
	  "d, G, s, u, o); the result is a string." },
	{ "UFormat", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "A Unix (strftime) format such as %Y%m%d; the result is a string." },
	P_END
};

static const mg_example gd_examples[] = {
	{ "Get-Date", "The current date and time, e.g. 3/14/2025 10:02:11 AM.", 0, NULL },
	{ "Get-Date -Format yyyy-MM-dd", "Today's date, e.g. 2025-03-14.", 0, "-" },
	{ "New-MigrationBatch -Name Last30Days -SourceEndpoint IMAPEndpoint -CSVFile ./IMAPmigration_2.csv -ContentFilter \"Received -gt '$((Get-Date).AddDays(-30).ToString('M/d/yyyy'))'\"",
	  "A batch that migrates only the mail of the last 30 days: the date is computed when "
	  "the batch is created and written into the filter as M/d/yyyy.", 0, "Last30Days" },
	{ "Get-MigrationUser | Export-Csv -Path (\"users-\" + (Get-Date -UFormat %Y%m%d) + \".csv\")",
	  "A dated file name for a daily report.", 0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_get_date = {
	.name = "Get-Date",
	.synopsis = "Gets the current date and time, or formats a date.",
	.description =
		"Get-Date returns the current date and time as a DateTime, which prints in the "
		"en-US culture (M/d/yyyy h:mm:ss AM) in the local time zone. With -Format or "
		"-UFormat it returns the formatted text instead.",
	.params = gd_params,
	.inputs = "System.DateTime",
	.outputs = "System.DateTime, System.String",
	.examples = gd_examples,
	.related = MG_NAMES("Get-MigrationBatch"),
	.process = gd_process,
};

/* ---- Clear-Host ---- */

static int ch_process(mg_ctx *c, mv *input)
{
	(void)input;
	if (mg_interactive(c))
		mg_host(c, "\033[H\033[2J");
	return 0;
}

static const mg_param ch_params[] = { P_END };
static const mg_example ch_examples[] = {
	{ "Clear-Host", "Clears the terminal (does nothing when the output is not a terminal).",
	  0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_clear_host = {
	.name = "Clear-Host",
	.aliases = MG_NAMES("cls", "clear"),
	.synopsis = "Clears the console.",
	.description = "Clear-Host clears the terminal screen. In scripts and when the output "
	               "is redirected it does nothing.",
	.params = ch_params,
	.inputs = "None",
	.outputs = "None",
	.examples = ch_examples,
	.related = MG_NAMES("Write-Host"),
	.process = ch_process,
};
