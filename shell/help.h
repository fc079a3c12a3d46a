/*
 * help.h - Get-Help text and man pages from one source.
 *
 * The source is the cmdlet declarations (shell/cmdlet.h, walked through
 * mg_cmdlet_table()) and the help topics (shell/help_topics.c).  Both are
 * turned into one document model here and written by two back ends: plain
 * text laid out like PowerShell's Get-Help, and roff for man(1)/man(7).
 *
 * Markup inside help strings (descriptions, notes, topic bodies):
 *   - paragraphs are separated by a blank line ("\n\n");
 *   - a line starting with two spaces is verbatim (code, a table);
 *   - a line starting with "- " starts a bullet item;
 *   - other single newlines join lines of one paragraph.
 * Write help text in ASCII where possible; UTF-8 is escaped for roff.
 */
#ifndef MIGSH_HELP_H
#define MIGSH_HELP_H

#include <stdbool.h>
#include <stddef.h>
#include "common/mem.h"
#include "shell/cmdlet.h"

typedef enum mg_help_level {
	MGH_BRIEF,     /* Get-Help X: NAME, SYNOPSIS, SYNTAX, DESCRIPTION, RELATED LINKS, REMARKS */
	MGH_DETAILED,  /* -Detailed: + PARAMETERS (descriptions), EXAMPLES */
	MGH_FULL,      /* -Full: everything, parameter attributes, INPUTS, OUTPUTS, NOTES */
	MGH_EXAMPLES   /* -Examples: NAME, SYNOPSIS, EXAMPLES */
} mg_help_level;

/* ---- topics (about_* and the section 1/7 pages) ---- */
typedef struct mg_help_section {
	const char *heading;     /* e.g. "EXIT STATUS"; NULL ends the list */
	const char *body;
} mg_help_section;

typedef struct mg_help_topic {
	const char *name;        /* Get-Help name, e.g. "about_migsh_workflow" */
	const char *title;       /* heading when several topics share a man page */
	const char *synopsis;    /* one line: SHORT DESCRIPTION */
	const mg_help_section *sections;
} mg_help_topic;

typedef struct mg_man_page {
	const char *name;        /* "migsh-migration" */
	int         section;     /* 1 or 7 */
	const char *synopsis;    /* NAME line */
	const char *const *topics; /* names of the topics it is made of, NULL-terminated */
} mg_man_page;

const mg_help_topic *mg_help_topics(size_t *count);
const mg_help_topic *mg_help_topic_find(const char *name);   /* case-insensitive */
const mg_man_page   *mg_help_man_pages(size_t *count);
/* The man page (name(section)) a topic appears in, or NULL. */
const mg_man_page   *mg_help_topic_page(const char *topic);

/* ---- Get-Help text ---- */
/* width: wrap column (80 is PowerShell's); the text ends with a newline. */
void mg_help_text(const mg_cmdlet *c, mg_help_level lvl, int width, strbuf *out);
/* Get-Help X -Parameter P (P may be a wildcard; "*" = all).  Returns the
 * number of parameters shown (0: nothing written). */
int  mg_help_param_text(const mg_cmdlet *c, const char *pattern, int width, strbuf *out);
void mg_help_topic_text(const mg_help_topic *t, int width, strbuf *out);
/* One line per parameter set, like PowerShell's SYNTAX section. */
void mg_help_syntax(const mg_cmdlet *c, strbuf *out);

/* ---- man pages (roff) ---- */
/* date: "YYYY-MM-DD"; version: e.g. "0.1.0". */
void mg_help_man_cmdlet(const mg_cmdlet *c, const char *date, const char *version, strbuf *out);
/* A section 1/7 page made of topics; cmdlets (may be NULL) are listed in
 * SEE ALSO of section-1 page "migsh". */
void mg_help_man_page(const mg_man_page *p, const mg_cmdlet *const *cmdlets, size_t ncmd,
                      const char *date, const char *version, strbuf *out);

/* Type name shown for a parameter ("String", "Byte[]", "{None | Ssl | Tls}", ...). */
const char *mg_help_type_name(const mg_param *p, char *buf, size_t bufsize);

#endif
