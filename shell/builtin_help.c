/*
 * builtin_help.c - Get-Help (help) and Get-Command (gcm).  The text comes
 * from shell/help.c, which renders the cmdlet declarations and the help
 * topics (the same source as the man pages).
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/format.h"
#include "shell/help.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const hs_dp[] = { "Name", "Category", "Synopsis", NULL };
const mv_type_info mg_type_help_summary = { "HelpInfoShort", hs_dp, 1, "Name" };

static const char *const ci_dp[] = { "CommandType", "Name", "Version", "Source", NULL };
const mv_type_info mg_type_command_info = { "System.Management.Automation.CmdletInfo", ci_dp,
                                            1, "Name" };

static const mg_cmdlet *const *all_cmdlets(mg_ctx *c, size_t *n)
{
	return mg_session_cmdlets(c->session, n);
}

static int help_width(mg_ctx *c)
{
	FILE *out = c->session && c->session->out ? c->session->out : stdout;
	int w = isatty(fileno(out)) ? mg_format_width(out) : 80;
	return w > 120 ? 120 : w < 40 ? 40 : w;
}

static int emit_text(mg_ctx *c, strbuf *sb)
{
	while (sb->len && sb->buf[sb->len - 1] == '\n')
		sb->buf[--sb->len] = '\0';
	if (!sb->buf)
		strbuf_adds(sb, "");
	return mg_emit_take(c, mv_string_take(strbuf_detach(sb, NULL)));
}

static mv *summary(const char *name, const char *cat, const char *syn)
{
	mv *o = mv_object(&mg_type_help_summary);
	mv_set_str(o, "Name", name);
	mv_set_str(o, "Category", cat);
	mv_set_str(o, "Synopsis", syn);
	return o;
}

static const char *const overview =
	"\nTOPIC\n"
	"    migsh help system\n\n"
	"SHORT DESCRIPTION\n"
	"    Displays help about migsh cmdlets and concepts.\n\n"
	"LONG DESCRIPTION\n"
	"    Get-Help <cmdlet-name>            help for a cmdlet, e.g. Get-Help New-MigrationBatch\n"
	"    Get-Help <cmdlet-name> -Examples  just the examples\n"
	"    Get-Help <cmdlet-name> -Full      everything, with every parameter's details\n"
	"    Get-Help <cmdlet-name> -Parameter <name>\n"
	"    Get-Help about_*                  the list of conceptual topics\n"
	"    Get-Help *Batch*                  every cmdlet whose name matches\n"
	"    Get-Command                       every cmdlet\n\n"
	"    Start with about_migsh_workflow for a migration step by step. The same\n"
	"    help is installed as manual pages: man migsh, man New-MigrationBatch,\n"
	"    man migsh-migration, man migsh-language.\n";

static int help_process(mg_ctx *c, mv *input)
{
	const char *name = NULL;
	char *owned = NULL;
	if (mg_has(c, "Name"))
		name = mg_arg_str(c, "Name");
	else if (input) {
		mv *n = mv_get(input, "Name");
		owned = mv_to_string(n ? n : input);
		name = owned;
	}
	int width = help_width(c);
	strbuf sb = STRBUF_INIT;
	int rc;
	if (!name || !*name) {
		free(owned);
		strbuf_adds(&sb, overview);
		return emit_text(c, &sb);
	}
	size_t n;
	const mg_cmdlet *const *t = all_cmdlets(c, &n);
	const mg_cmdlet *cmd = mg_session_find_cmdlet(c->session, name);
	const mg_help_topic *topic = mg_help_topic_find(name);
	if (!cmd && !topic && !str_has_wildcard(name)) {
		/* PowerShell retries a plain word as *word* */
		char *pat = xasprintf("*%s*", name);
		const mg_cmdlet *only = NULL;
		const mg_help_topic *only_t = NULL;
		int hits = 0;
		for (size_t i = 0; i < n; i++)
			if (str_wildcard(pat, t[i]->name, true)) {
				only = t[i];
				hits++;
			}
		size_t nt;
		const mg_help_topic *tp = mg_help_topics(&nt);
		for (size_t i = 0; i < nt; i++)
			if (str_wildcard(pat, tp[i].name, true)) {
				only_t = &tp[i];
				hits++;
			}
		if (hits == 1) {
			cmd = only;
			topic = only_t;
		} else if (hits > 1) {
			free(owned);
			owned = pat;
			name = owned;
			pat = NULL;
		}
		free(pat);
	}
	if (cmd) {
		const char *pp = mg_arg_str(c, "Parameter");
		if (pp) {
			if (mg_help_param_text(cmd, pp, width, &sb) == 0) {
				mg_err_set(&c->err, MGC_NOTFOUND, "NoParmsFound,Microsoft.PowerShell.Commands.GetHelpCommand",
				           "No parameter matches criteria %s. Get-Help %s -Full lists "
				           "the parameters of %s.", pp, cmd->name, cmd->name);
				strbuf_free(&sb);
				free(owned);
				return -1;
			}
		} else {
			mg_help_level lvl = mg_switch(c, "Full") ? MGH_FULL
			                    : mg_switch(c, "Examples") ? MGH_EXAMPLES
			                    : mg_switch(c, "Detailed") ? MGH_DETAILED : MGH_BRIEF;
			mg_help_text(cmd, lvl, width, &sb);
		}
		free(owned);
		return emit_text(c, &sb);
	}
	if (topic) {
		mg_help_topic_text(topic, width, &sb);
		free(owned);
		return emit_text(c, &sb);
	}
	/* wildcard: a list of matching cmdlets and topics */
	rc = 0;
	int hits = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (str_wildcard(name, t[i]->name, true)) {
			hits++;
			rc = mg_emit_take(c, summary(t[i]->name, "Cmdlet", t[i]->synopsis));
		}
	size_t nt;
	const mg_help_topic *tp = mg_help_topics(&nt);
	for (size_t i = 0; i < nt && rc == 0; i++)
		if (str_wildcard(name, tp[i].name, true)) {
			hits++;
			rc = mg_emit_take(c, summary(tp[i].name, "HelpFile", tp[i].synopsis));
		}
	if (!hits) {
		mg_err_set(&c->err, MGC_NOTFOUND, "HelpNotFound,Microsoft.PowerShell.Commands.GetHelpCommand",
		           "Get-Help could not find %s in a help file in this session. Get-Command "
		           "lists every cmdlet; Get-Help about_* lists the topics.", name);
		rc = -1;
	}
	free(owned);
	strbuf_free(&sb);
	return rc;
}

static const mg_param help_params[] = {
	{ "Name", MPT_STRING, MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, NULL, MGCOMP_CMDLET,
	  "A cmdlet name or alias, a topic name (about_migsh_workflow), or a wildcard "
	  "pattern (*Batch*, about_*) that lists the matching cmdlets and topics." },
	{ "Full", MPT_SWITCH, 0, -1, NULL, MG_NAMES("AllUsersView"), NULL, "False", MGCOMP_NONE,
	  "Shows the whole help: every parameter with its attributes, inputs, outputs, "
	  "notes and examples (the same text as the man page)." },
	{ "Detailed", MPT_SWITCH, MPF_MANDATORY, -1, NULL, MG_NAMES("DetailedView"), NULL, "False", MGCOMP_NONE,
	  "Adds parameter descriptions and examples to the basic help." },
	{ "Examples", MPT_SWITCH, MPF_MANDATORY, -1, NULL, MG_NAMES("Examples"), NULL, "False", MGCOMP_NONE,
	  "Shows only the name, synopsis and examples." },
	{ "Parameter", MPT_STRING, MPF_MANDATORY, -1, NULL, MG_NAMES("Parameters"), NULL, NULL, MGCOMP_NONE,
	  "Shows the details of one parameter (wildcards allowed: -Parameter Max*)." },
	{ "Online", MPT_SWITCH, MPF_IGNORED, -1, NULL, MG_NAMES("Online"), NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; migsh has no online help, use man instead." },
	P_END
};

static const mg_example help_examples[] = {
	{ "Get-Help New-MigrationBatch -Full", "Everything about New-MigrationBatch.", 0,
	  "PARAMETERS" },
	{ "Get-Help New-MigrationEndpoint -Parameter Security", "One parameter's details.", 0,
	  "Accepted values" },
	{ "Get-Help Start-MigrationBatch -Examples", "Just the examples.", 0, "Example 1" },
	{ "Get-Help about_*", "The conceptual topics.", 0, "about_migsh_workflow" },
	{ "Get-Help about_migsh_troubleshooting", "Certificate errors, connection limits and "
	  "administrator logins.", 0, "CERTIFICATE" },
	{ "help *MigrationBatch*", "The cmdlets whose name contains MigrationBatch.", 0,
	  "Start-MigrationBatch" },
	{ "Get-Help No-SuchThing", "Help for an unknown name is an error.", MG_EXAMPLE_FAILS,
	  "could not find" },
	EX_END
};

const mg_cmdlet mg_cmd_get_help = {
	.name = "Get-Help",
	.aliases = MG_NAMES("help", "man"),
	.synopsis = "Displays information about migsh cmdlets and concepts.",
	.description =
		"Get-Help shows the help of a cmdlet (its syntax, description, parameters and "
		"examples) or of a conceptual topic (about_migsh_language, about_migsh_workflow, "
		"about_migsh_limits, about_migsh_troubleshooting, about_Migration_Csv, "
		"about_CommonParameters). A wildcard pattern lists the matching cmdlets and "
		"topics.\n\n"
		"The help is generated from the same declarations as the cmdlets themselves and "
		"as the installed manual pages, so Get-Help New-MigrationBatch -Full and "
		"man New-MigrationBatch say the same thing.",
	.params = help_params,
	.default_set = "AllUsersView",
	.inputs = "None",
	.outputs = "System.String\n\nThe help text; or HelpInfoShort objects (Name, Category, "
	           "Synopsis) for a wildcard pattern.",
	.output_type = &mg_type_help_summary,
	.examples = help_examples,
	.related = MG_NAMES("Get-Command", "about_migsh_language", "about_migsh_workflow"),
	.process = help_process,
};

/* ---- Get-Command ---- */

static bool any_match(char **pats, const char *s)
{
	if (!pats)
		return true;
	for (size_t i = 0; pats[i]; i++)
		if (str_wildcard(pats[i], s, true))
			return true;
	return false;
}

static mv *cmd_info(const mg_cmdlet *m, const char *alias)
{
	mv *o = mv_object(&mg_type_command_info);
	mv_set_str(o, "CommandType", alias ? "Alias" : "Cmdlet");
	if (alias)
		mv_set_take(o, "Name", mv_stringf("%s -> %s", alias, m->name));
	else
		mv_set_str(o, "Name", m->name);
	mv_set_str(o, "Version", PACKAGE_VERSION);
	mv_set_str(o, "Source", (m->flags & MCF_EXTENSION) ? "migsh" : "migsh");
	const char *dash = strchr(m->name, '-');
	mv_set_take(o, "Verb", dash ? mv_string_n(m->name, (size_t)(dash - m->name)) : mv_string(""));
	mv_set_str(o, "Noun", dash ? dash + 1 : m->name);
	mv_set_str(o, "Definition", m->synopsis);
	strbuf sb = STRBUF_INIT;
	mg_help_syntax(m, &sb);
	if (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	mv_set_take(o, "Syntax", mv_string(sb.buf ? sb.buf : ""));
	strbuf_free(&sb);
	mv *params = mv_array();
	for (const mg_param *p = m->params; p && p->name; p++)
		mv_array_push_take(params, mv_string(p->name));
	mv_set_take(o, "Parameters", params);
	if (alias)
		mv_set_str(o, "ResolvedCommandName", m->name);
	return o;
}

/* Get-Command -Syntax: the syntax lines with a blank line before and between
 * them, like PowerShell (an alias first says what it stands for). */
static mv *syntax_text(const mg_cmdlet *m, const char *alias)
{
	strbuf sb = STRBUF_INIT;
	mg_help_syntax(m, &sb);
	strbuf out = STRBUF_INIT;
	if (alias)
		strbuf_addf(&out, "%s (alias) -> %s\n", alias, m->name);
	strbuf_addc(&out, '\n');
	for (size_t i = 0; i < sb.len; i++) {
		strbuf_addc(&out, sb.buf[i]);
		if (sb.buf[i] == '\n' && i + 1 < sb.len)
			strbuf_addc(&out, '\n');
	}
	strbuf_free(&sb);
	return mv_string_take(strbuf_detach(&out, NULL));
}

static int gcm_process(mg_ctx *c, mv *input)
{
	char **names = bu_strv(input ? input : mg_arg(c, "Name"), NULL);
	char **verbs = bu_strv(mg_arg(c, "Verb"), NULL);
	char **nouns = bu_strv(mg_arg(c, "Noun"), NULL);
	size_t n;
	const mg_cmdlet *const *t = all_cmdlets(c, &n);
	int rc = 0;
	/* sorted by name like PowerShell; the table is small, so a selection sort */
	bool *done = xcalloc(n ? n : 1, sizeof *done);
	int hits = 0;
	for (;;) {
		size_t best = n;
		for (size_t i = 0; i < n; i++) {
			if (done[i])
				continue;
			if (best == n || strcasecmp(t[i]->name, t[best]->name) < 0)
				best = i;
		}
		if (best == n)
			break;
		done[best] = true;
		const mg_cmdlet *m = t[best];
		const char *dash = strchr(m->name, '-');
		char verb[64] = "";
		if (dash && (size_t)(dash - m->name) < sizeof verb)
			snprintf(verb, sizeof verb, "%.*s", (int)(dash - m->name), m->name);
		if (verbs && !any_match(verbs, verb))
			continue;
		if (nouns && !any_match(nouns, dash ? dash + 1 : m->name))
			continue;
		if (any_match(names, m->name)) {
			hits++;
			if (rc == 0)
				rc = mg_emit_take(c, mg_switch(c, "Syntax") ? syntax_text(m, NULL) : cmd_info(m, NULL));
		}
		/* aliases only when asked for by name */
		if (names && m->aliases) {
			char **al = NULL;
			size_t na = 0;
			mv *tmp = mv_array();
			for (size_t k = 0; m->aliases[k]; k++)
				mv_array_push_take(tmp, mv_string(m->aliases[k]));
			al = bu_strv(tmp, &na);
			mv_unref(tmp);
			for (size_t k = 0; k < na; k++)
				if (any_match(names, al[k]) && !any_match(names, m->name)) {
					hits++;
					if (rc == 0)
						rc = mg_emit_take(c, mg_switch(c, "Syntax") ? syntax_text(m, al[k])
						                                            : cmd_info(m, al[k]));
				}
			bu_strv_free(al);
		}
	}
	free(done);
	if (rc == 0 && names) {
		for (size_t i = 0; names[i]; i++) {
			if (str_has_wildcard(names[i]))
				continue;
			bool found = mg_session_find_cmdlet(c->session, names[i]) != NULL;
			if (!found) {
				mg_err e;
				mg_err_set(&e, MGC_NOTFOUND, "CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand",
				           "The term '%s' is not recognized as the name of a cmdlet, "
				           "function, script file, or operable program. Check the spelling "
				           "of the name, or if a path was included, verify that the path is "
				           "correct and try again.", names[i]);
				rc = mg_error(c, &e, names[i]);
				if (rc < 0)
					break;
			}
		}
	}
	(void)hits;
	bu_strv_free(names);
	bu_strv_free(verbs);
	bu_strv_free(nouns);
	return rc;
}

static const mg_param gcm_params[] = {
	{ "Name", MPT_STRINGS, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, NULL,
	  MGCOMP_CMDLET,
	  "Names or wildcard patterns (*Migration*). Aliases that match are listed too." },
	{ "Verb", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Only cmdlets with this verb (Get, New, Start, ...; wildcards allowed)." },
	{ "Noun", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Only cmdlets with this noun (MigrationBatch, Migration*, ...)." },
	{ "Module", MPT_STRINGS, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accepted for compatibility; all cmdlets belong to migsh." },
	{ "Syntax", MPT_SWITCH, 0, -1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Writes each cmdlet's syntax (one line per parameter set) instead of its CmdletInfo." },
	P_END
};

static const mg_example gcm_examples[] = {
	{ "Get-Command *Migration*", "Every migration cmdlet.", 0, "New-MigrationBatch" },
	{ "Get-Command -Verb Get -Noun Migration*", "The Get-Migration* cmdlets.", 0,
	  "Get-MigrationUserStatistics" },
	{ "gcm fl", "What an alias stands for.", 0, "Format-List" },
	{ "(Get-Command New-MigrationBatch).Syntax", "The syntax of a cmdlet.", 0, "-CSVData" },
	{ "Get-Command Start-MigrationBatch -Syntax", "The same, written as text.", 0, "-Identity" },
	EX_END
};

const mg_cmdlet mg_cmd_get_command = {
	.name = "Get-Command",
	.aliases = MG_NAMES("gcm"),
	.synopsis = "Lists the cmdlets migsh knows.",
	.description =
		"Get-Command lists the cmdlets (and, when asked for by name, the aliases) "
		"available in migsh, sorted by name. Names, verbs and nouns may be wildcard "
		"patterns. A name without wildcards that matches nothing is an error.",
	.params = gcm_params,
	.inputs = "System.String",
	.outputs = "System.Management.Automation.CmdletInfo\n\nProperties CommandType, Name, "
	           "Version, Source, Verb, Noun, Definition, Syntax and Parameters.",
	.output_type = &mg_type_command_info,
	.examples = gcm_examples,
	.related = MG_NAMES("Get-Help"),
	.process = gcm_process,
};
