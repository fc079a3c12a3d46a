/* shell_testcmds.c - test-local cmdlets exercising every binder and runtime path. */
#include "config.h"
#include "tests/unit/shell_testcmds.h"
#include "shell/builtins.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define END { NULL, 0, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL }

/* Test-Echo [-Value] <string> [-Count <int>] [-Upper]: emits Value Count times. */
static const mg_param echo_params[] = {
	{ "Value", MPT_STRING, MPF_PIPE_VALUE, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, "text" },
	{ "Count", MPT_INT, 0, 1, NULL, NULL, NULL, "1", MGCOMP_NONE, "times" },
	{ "Upper", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, "upper" },
	END
};
static int echo_process(mg_ctx *c, mv *in)
{
	(void)in;
	const char *v = mg_arg_str(c, "Value");
	long long n = 1;
	if (mg_arg(c, "Count"))
		mv_to_ll(mg_arg(c, "Count"), &n);
	mg_verbose(c, "echoing %lld times", n);
	mg_progress(c, "Echo", v, 50, false);   /* never shown off a terminal */
	mg_progress(c, "Echo", v, 100, true);
	for (long long i = 0; i < n; i++) {
		char *s = xstrdup(v ? v : "");
		if (mg_switch(c, "Upper"))
			for (char *p = s; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 32);
		mg_emit_take(c, mv_string_take(s));
	}
	return 0;
}
static const mg_cmdlet test_echo = {
	.name = "Test-Echo", .aliases = MG_NAMES("techo"), .synopsis = "Echo", .params = echo_params,
	.process = echo_process,
};

/* New-TestEndpoint: a copy of New-MigrationEndpoint's parameter list. */
static const char *const sec_vals[] = { "None", "Ssl", "Tls", NULL };
static const char *const auth_vals[] = { "Basic", "Ntlm", NULL };
static const mg_param ep_params[] = {
	{ "IMAP", MPT_SWITCH, MPF_MANDATORY, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "Name", MPT_STRING, MPF_MANDATORY, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "RemoteServer", MPT_STRING, MPF_MANDATORY, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "Port", MPT_INT, 0, -1, NULL, NULL, NULL, "993", MGCOMP_NONE, NULL },
	{ "Security", MPT_ENUM, 0, -1, sec_vals, NULL, NULL, "Ssl", MGCOMP_ENUM, NULL },
	{ "AcceptUntrustedCertificates", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "Authentication", MPT_ENUM, 0, -1, auth_vals, NULL, NULL, "Basic", MGCOMP_ENUM, NULL },
	{ "MaxConcurrentMigrations", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, "100", MGCOMP_NONE, NULL },
	{ "MaxConcurrentIncrementalSyncs", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, "20", MGCOMP_NONE, NULL },
	{ "SkipVerification", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "Password", MPT_STRING, MPF_SECRET, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	END
};
static const char *const ep_props[] = { "Name", "RemoteServer", "Port", "Security", NULL };
static const mv_type_info ep_type = { "TestEndpoint", ep_props, 0, "Name" };
static int ep_process(mg_ctx *c, mv *in)
{
	(void)in;
	mv *o = mv_object(&ep_type);
	mv_set_str(o, "Name", mg_arg_str(c, "Name"));
	mv_set_str(o, "RemoteServer", mg_arg_str(c, "RemoteServer"));
	mv_set(o, "Port", mg_arg(c, "Port") ? mg_arg(c, "Port") : NULL);
	mv_set_str(o, "Security", mg_arg_str(c, "Security") ? mg_arg_str(c, "Security") : "Ssl");
	mv_set(o, "MaxConcurrentMigrations", mg_arg(c, "MaxConcurrentMigrations"));
	mv_set_bool(o, "Untrusted", mg_switch(c, "AcceptUntrustedCertificates"));
	mv_set_bool(o, "Imap", mg_switch(c, "IMAP"));
	return mg_emit_take(c, o);
}
static const mg_cmdlet new_test_endpoint = {
	.name = "New-TestEndpoint", .synopsis = "endpoint", .params = ep_params,
	.flags = MCF_SHOULD_PROCESS, .process = ep_process,
};

/* Get-TestItem [[-Identity] <string>] | -Status <enum>: parameter sets. */
static const char *const status_vals[] = { "Syncing", "Synced", "Failed", NULL };
static const mg_param item_params[] = {
	{ "Identity", MPT_STRING, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, MG_NAMES("Identity"), NULL, NULL, MGCOMP_BATCH, NULL },
	{ "Status", MPT_ENUM, 0, -1, status_vals, MG_NAMES("Filter"), NULL, NULL, MGCOMP_ENUM, NULL },
	{ "ResultSize", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, "1000", MGCOMP_NONE, NULL },
	END
};
static const char *const item_props[] = { "Identity", "Status", "Count", NULL };
static const mv_type_info item_type = { "TestItem", item_props, 0, "Identity" };
static int item_process(mg_ctx *c, mv *in)
{
	(void)in;
	static const char *const ids[] = { "alpha", "beta", "gamma" };
	static const char *const st[] = { "Synced", "Failed", "Synced" };
	const char *want = mg_arg_str(c, "Identity");
	const char *ws = mg_arg_str(c, "Status");
	for (int i = 0; i < 3; i++) {
		if (want && !str_ieq(want, ids[i]))
			continue;
		if (ws && !str_ieq(ws, st[i]))
			continue;
		mv *o = mv_object(&item_type);
		mv_set_str(o, "Identity", ids[i]);
		mv_set_str(o, "Status", st[i]);
		mv_set_int(o, "Count", (i + 1) * 10);
		if (mg_emit_take(c, o) < 0)
			return -1;
	}
	if (want && !str_ieq(want, "alpha") && !str_ieq(want, "beta") && !str_ieq(want, "gamma")) {
		mg_err e;
		mg_err_set(&e, MGC_NOTFOUND, "ItemNotFound", "The item '%s' couldn't be found.", want);
		return mg_error(c, &e, want);
	}
	return 0;
}
static const mg_cmdlet get_test_item = {
	.name = "Get-TestItem", .synopsis = "items", .params = item_params, .default_set = "Identity",
	.output_type = &item_type, .process = item_process,
};

/* Remove-TestItem -Identity: confirms by default (ConfirmImpact High). */
static const mg_param remove_params[] = {
	{ "Identity", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	END
};
static int remove_process(mg_ctx *c, mv *in)
{
	(void)in;
	bool fatal;
	const char *id = mg_arg_str(c, "Identity");
	if (!mg_should_process(c, id, "Remove-TestItem", &fatal))
		return fatal ? -1 : 0;
	return mg_emit_take(c, mv_stringf("removed %s", id));
}
static const mg_cmdlet remove_test_item = {
	.name = "Remove-TestItem", .synopsis = "remove", .params = remove_params,
	.flags = MCF_SHOULD_PROCESS | MCF_CONFIRM_HIGH, .process = remove_process,
};

/* Set-TestTypes: one parameter of each remaining type; emits what it got. */
static const mg_param types_params[] = {
	{ "When", MPT_DATETIME, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "Span", MPT_TIMESPAN, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "Data", MPT_BYTES, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "Flag", MPT_BOOL, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "List", MPT_STRINGS, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "Limit", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "Path", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_FILE, NULL },
	END
};
static int types_process(mg_ctx *c, mv *in)
{
	(void)in;
	mv *o = mv_object(NULL);
	static const char *const names[] = { "When", "Span", "Data", "Flag", "List", "Limit", "Path", NULL };
	for (int i = 0; names[i]; i++)
		if (mg_has(c, names[i]))
			mv_set(o, names[i], mg_arg(c, names[i]));
	return mg_emit_take(c, o);
}
static const mg_cmdlet set_test_types = {
	.name = "Set-TestTypes", .synopsis = "types", .params = types_params, .process = types_process,
};

/* Write-TestError [-Fatal]: a non-terminating error, then "after";
 * -Fatal returns a terminating error instead. */
static const mg_param werr_params[] = {
	{ "Fatal", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	END
};
static int werr_process(mg_ctx *c, mv *in)
{
	(void)in;
	if (mg_switch(c, "Fatal"))
		return mg_err_set(&c->err, MGC_INVALIDOP, "TestFatal", "fatal test error");
	mg_warning(c, "a test warning");
	mg_err e;
	mg_err_set(&e, MGC_INVALIDDATA, "TestError", "non-terminating test error");
	if (mg_error(c, &e, "tgt") < 0)
		return -1;
	return mg_emit_take(c, mv_string("after"));
}
static const mg_cmdlet write_test_error = {
	.name = "Write-TestError", .synopsis = "errors", .params = werr_params, .process = werr_process,
};

/* Invoke-TestBlock [-Script] { }: runs the block for each input with $_. */
static const mg_param block_params[] = {
	{ "Script", MPT_SCRIPTBLOCK, MPF_MANDATORY, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	{ "InputObject", MPT_OBJECT, MPF_PIPE_VALUE, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL },
	END
};
static int block_process(mg_ctx *c, mv *in)
{
	mg_err err;
	mv *r = mg_invoke_block(c, mg_arg(c, "Script"), in, &err);
	if (!r) {
		mg_err_copy(&c->err, &err);
		return -1;
	}
	for (size_t i = 0; i < mv_count(r); i++)
		mg_emit(c, mv_index(r, (long long)i));
	mv_unref(r);
	return 0;
}
static const mg_cmdlet invoke_test_block = {
	.name = "Invoke-TestBlock", .synopsis = "block", .params = block_params, .process = block_process,
};

extern const mg_cmdlet *const mg_builtin_cmdlets[];

static const mg_cmdlet *all_cmds[128];
static size_t nall;

static const mg_cmdlet *const *table(size_t *count)
{
	if (!nall) {
		static const mg_cmdlet *const mine[] = { &test_echo, &new_test_endpoint, &get_test_item, &remove_test_item,
		                                         &set_test_types, &write_test_error, &invoke_test_block, NULL };
		for (size_t i = 0; mine[i]; i++)
			all_cmds[nall++] = mine[i];
		for (size_t i = 0; mg_builtin_cmdlets[i] && nall < 127; i++)
			all_cmds[nall++] = mg_builtin_cmdlets[i];
	}
	*count = nall;
	return all_cmds;
}

static const mg_cmdlet *find(const char *name)
{
	size_t n;
	const mg_cmdlet *const *t = table(&n);
	for (size_t i = 0; i < n; i++)
		if (str_ieq(t[i]->name, name))
			return t[i];
	for (size_t i = 0; i < n; i++)
		if (str_list_has(t[i]->aliases, name, false))
			return t[i];
	return NULL;
}

const mg_cmdlet_source *testcmds_source(void)
{
	static const mg_cmdlet_source src = { find, table };
	return &src;
}

mg_session *testcmds_session(FILE *out, FILE *err)
{
	char tmpl[] = "/tmp/migsh-test-XXXXXX";
	char *dir = mkdtemp(tmpl);
	if (!dir)
		abort();
	mg_session *s = mg_session_new(dir, testcmds_source(), NULL);
	s->out = out;
	s->errf = err;
	s->interactive = false;
	s->color = false;
	return s;
}

char *testcmds_slurp(FILE *f)
{
	fflush(f);
	long end = ftell(f);
	rewind(f);
	char *buf = xcalloc(1, (size_t)end + 1);
	size_t n = fread(buf, 1, (size_t)end, f);
	buf[n] = '\0';
	rewind(f);
	if (ftruncate(fileno(f), 0) < 0)
		abort();
	return buf;
}
