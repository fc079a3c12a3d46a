/* test_help.c - unit tests for the help renderer (shell/help.c, help_topics.c):
 * PowerShell-style syntax lines, Get-Help text levels, roff escaping. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "shell/help.h"

static const char *const sec_vals[] = { "None", "Ssl", "Tls", NULL };

static const mg_param params[] = {
	{ "Name", MPT_STRING, MPF_MANDATORY, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The name.\n\nA second paragraph with a\n  verbatim line\nand more." },
	{ "Identity", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL,
	  MG_NAMES("Identity"), MG_NAMES("Id"), NULL, MGCOMP_NONE, "Which one." },
	{ "CSVData", MPT_BYTES, MPF_MANDATORY, -1, NULL, MG_NAMES("CSV"), NULL, NULL, MGCOMP_NONE,
	  "Bytes of C:\\x.csv." },
	{ "Security", MPT_ENUM, 0, -1, sec_vals, NULL, NULL, "Ssl", MGCOMP_ENUM, "- one\n- two" },
	{ "AutoStart", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, "Starts it." },
	{ "Port", MPT_INT, MPF_EXTENSION, 1, NULL, NULL, NULL, "993", MGCOMP_NONE, "The port." },
	{ NULL, 0, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL }
};

static const mg_example examples[] = {
	{ "New-Thing -Name x", "Makes x.", 0, NULL },
	{ "migsh -c 'New-Thing -Name y'", ".starts with a dot", MG_EXAMPLE_BASH, NULL },
	{ NULL, NULL, 0, NULL }
};

static const mg_cmdlet thing = {
	.name = "New-Thing", .aliases = MG_NAMES("nt"), .synopsis = "Makes a thing.",
	.description = "Long text about things.", .params = params, .default_set = "Identity",
	.inputs = "None", .outputs = "Thing", .examples = examples, .notes = "Note.",
	.related = MG_NAMES("Get-Thing", "about_migsh_workflow"), .flags = MCF_SHOULD_PROCESS,
};

static void test_syntax(void **st)
{
	(void)st;
	strbuf sb = STRBUF_INIT;
	mg_help_syntax(&thing, &sb);
	assert_string_equal(sb.buf,
		"New-Thing [-Identity] <String> [[-Port] <Int32>] -Name <String> "
		"[-Security {None | Ssl | Tls}] [-AutoStart] [-WhatIf] [-Confirm] [<CommonParameters>]\n"
		"New-Thing [[-Port] <Int32>] -Name <String> -CSVData <Byte[]> "
		"[-Security {None | Ssl | Tls}] [-AutoStart] [-WhatIf] [-Confirm] [<CommonParameters>]\n");
	strbuf_free(&sb);
}

static void test_text_levels(void **st)
{
	(void)st;
	strbuf sb = STRBUF_INIT;
	mg_help_text(&thing, MGH_BRIEF, 80, &sb);
	assert_non_null(strstr(sb.buf, "\nNAME\n    New-Thing\n"));
	assert_non_null(strstr(sb.buf, "SYNOPSIS\n    Makes a thing.\n"));
	assert_non_null(strstr(sb.buf, "SYNTAX\n    New-Thing [-Identity] <String>"));
	assert_non_null(strstr(sb.buf, "REMARKS"));
	assert_null(strstr(sb.buf, "PARAMETERS"));
	strbuf_free(&sb);

	mg_help_text(&thing, MGH_FULL, 80, &sb);
	assert_non_null(strstr(sb.buf, "PARAMETERS\n    -Name <String>\n        The name.\n"));
	assert_non_null(strstr(sb.buf, "        Required?                    true\n"));
	assert_non_null(strstr(sb.buf, "        Position?                    named\n"));
	assert_non_null(strstr(sb.buf, "Accept pipeline input?       True (ByValue, ByPropertyName)"));
	assert_non_null(strstr(sb.buf, "Accepted values              None, Ssl, Tls"));
	assert_non_null(strstr(sb.buf, "Default value                Ssl"));
	assert_non_null(strstr(sb.buf, "Aliases                      Id"));
	assert_non_null(strstr(sb.buf, "\n        verbatim line\n"));
	assert_non_null(strstr(sb.buf, "        - one\n        - two\n"));
	assert_non_null(strstr(sb.buf, "migsh extension"));
	assert_non_null(strstr(sb.buf, "-WhatIf\n"));
	assert_non_null(strstr(sb.buf, "<CommonParameters>"));
	assert_non_null(strstr(sb.buf, "INPUTS\n    None\n"));
	assert_non_null(strstr(sb.buf, "NOTES\n    Note.\n"));
	assert_non_null(strstr(sb.buf, " Example 1 "));
	assert_non_null(strstr(sb.buf, "    PS> New-Thing -Name x\n"));
	assert_non_null(strstr(sb.buf, "    $ migsh -c 'New-Thing -Name y'\n"));
	assert_non_null(strstr(sb.buf, "RELATED LINKS\n    Get-Thing\n"));
	/* no line longer than the width, except unbreakable words */
	for (char *p = sb.buf; *p; ) {
		char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len > 80 && !memchr(p + 8, ' ', len - 8) == 0) {
			/* a long line must be verbatim (example code) */
			assert_true(strstr(p, "PS>") == p + 4 || strstr(p, "$ ") == p + 4);
		}
		if (!e)
			break;
		p = e + 1;
	}
	strbuf_free(&sb);

	mg_help_text(&thing, MGH_EXAMPLES, 80, &sb);
	assert_non_null(strstr(sb.buf, "EXAMPLES"));
	assert_null(strstr(sb.buf, "SYNTAX"));
	strbuf_free(&sb);

	assert_int_equal(mg_help_param_text(&thing, "sec*", 80, &sb), 1);
	assert_non_null(strstr(sb.buf, "-Security <String>"));
	strbuf_free(&sb);
	assert_int_equal(mg_help_param_text(&thing, "nothing", 80, &sb), 0);
	strbuf_free(&sb);
}

static void test_roff(void **st)
{
	(void)st;
	strbuf sb = STRBUF_INIT;
	mg_help_man_cmdlet(&thing, "2025-03-14", "0.1.0", &sb);
	assert_non_null(strstr(sb.buf, ".TH NEW\\-THING 1 2025-03-14 \"migsh 0.1.0\" \"migsh Manual\"\n"));
	assert_non_null(strstr(sb.buf, ".SH NAME\nNew\\-Thing \\- Makes a thing\n"));
	assert_non_null(strstr(sb.buf, ".SH SYNOPSIS\n"));
	assert_non_null(strstr(sb.buf, ".SH PARAMETERS\n"));
	assert_non_null(strstr(sb.buf, "C:\\ex.csv"));
	assert_non_null(strstr(sb.buf, "\\&.starts with a dot"));
	assert_non_null(strstr(sb.buf, ".EX\nPS> New\\-Thing \\-Name x\n.EE\n"));
	assert_non_null(strstr(sb.buf, ".SH SEE ALSO\n.BR Get\\-Thing (1),\n.BR migsh\\-migration (7),\n.BR migsh (1)\n"));
	/* no blank lines and no line starting with a space (mandoc warns) */
	assert_null(strstr(sb.buf, "\n\n"));
	assert_null(strstr(sb.buf, "\n "));
	strbuf_free(&sb);
}

static void test_topics(void **st)
{
	(void)st;
	size_t n, np;
	const mg_help_topic *t = mg_help_topics(&n);
	assert_true(n >= 6);
	const char *need[] = { "about_migsh_language", "about_migsh_workflow", "about_migsh_limits",
	                       "about_migsh_troubleshooting", "about_CommonParameters",
	                       "ABOUT_MIGRATION_CSV" };
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		assert_non_null(mg_help_topic_find(need[i]));
	/* every page's topics exist; every topic is on some page */
	const mg_man_page *p = mg_help_man_pages(&np);
	for (size_t i = 0; i < np; i++)
		for (size_t k = 0; p[i].topics[k]; k++)
			assert_non_null(mg_help_topic_find(p[i].topics[k]));
	for (size_t i = 0; i < n; i++)
		assert_non_null(mg_help_topic_page(t[i].name));
	strbuf sb = STRBUF_INIT;
	mg_help_topic_text(mg_help_topic_find("about_migsh_troubleshooting"), 80, &sb);
	assert_non_null(strstr(sb.buf, "TOPIC\n    about_migsh_troubleshooting\n"));
	assert_non_null(strstr(sb.buf, "CERTIFICATE ERRORS"));
	assert_non_null(strstr(sb.buf, "man 7 migsh-migration"));
	strbuf_free(&sb);
	const mg_cmdlet *cl[] = { &thing };
	mg_help_man_page(mg_help_topic_page("migsh"), cl, 1, "2025-03-14", "0.1.0", &sb);
	assert_non_null(strstr(sb.buf, ".SH \"EXIT STATUS\"") ? strstr(sb.buf, ".SH \"EXIT STATUS\"")
	                                                       : strstr(sb.buf, ".SH EXIT STATUS"));
	assert_non_null(strstr(sb.buf, ".SH ENVIRONMENT"));
	assert_non_null(strstr(sb.buf, "MIGSH_HOME"));
	assert_non_null(strstr(sb.buf, "NO_COLOR"));
	assert_non_null(strstr(sb.buf, "SSL_CERT_FILE"));
	assert_non_null(strstr(sb.buf, ".SH FILES"));
	assert_non_null(strstr(sb.buf, ".BR New\\-Thing (1)"));
	assert_null(strstr(sb.buf, "\n\n"));
	strbuf_free(&sb);
	mg_help_man_page(mg_help_topic_page("about_migsh_limits"), NULL, 0, "2025-03-14", "0.1.0", &sb);
	assert_non_null(strstr(sb.buf, ".TH MIGSH\\-MIGRATION 7"));
	assert_non_null(strstr(sb.buf, ".SH LIMITS"));
	assert_non_null(strstr(sb.buf, ".SS \"PER MAILBOX\"") ? strstr(sb.buf, ".SS \"PER MAILBOX\"")
	                                                     : strstr(sb.buf, ".SS PER MAILBOX"));
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_text_levels),
		cmocka_unit_test(test_roff),
		cmocka_unit_test(test_topics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
