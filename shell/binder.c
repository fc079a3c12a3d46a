/*
 * binder.c - parameter binding (see binder.h): named, positional and
 * pipeline binding, parameter sets, mandatory parameters, type conversion.
 */
#include "config.h"
#include "shell/binder.h"
#include "shell/builtins.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const ea_values[] = { "SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", NULL };

#define CP(name, type, allowed, alias, help) \
	{ name, type, 0, -1, allowed, NULL, MG_NAMES(alias), NULL, type == MPT_ENUM ? MGCOMP_ENUM : MGCOMP_NONE, help }

const mg_param mg_common_params[] = {
	CP("Verbose", MPT_SWITCH, NULL, "vb", "Shows detailed messages about what the command does."),
	CP("Debug", MPT_SWITCH, NULL, "db", "Shows programmer-level details."),
	CP("ErrorAction", MPT_ENUM, ea_values, "ea",
	   "What to do on a non-terminating error: Continue (default), SilentlyContinue, Stop, Ignore, Inquire."),
	CP("WarningAction", MPT_ENUM, ea_values, "wa", "What to do with warnings."),
	CP("InformationAction", MPT_ENUM, ea_values, "infa", "What to do with information messages."),
	CP("ErrorVariable", MPT_STRING, NULL, "ev", "Stores the errors in this variable (+name appends)."),
	CP("WarningVariable", MPT_STRING, NULL, "wv", "Stores the warnings in this variable."),
	CP("InformationVariable", MPT_STRING, NULL, "iv", "Stores information messages in this variable."),
	CP("OutVariable", MPT_STRING, NULL, "ov", "Stores the output objects in this variable."),
	CP("OutBuffer", MPT_INT, NULL, "ob", "Accepted for compatibility."),
	CP("PipelineVariable", MPT_STRING, NULL, "pv", "Accepted for compatibility."),
	{ NULL, 0, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL }
};

const mg_param mg_shouldprocess_params[] = {
	CP("WhatIf", MPT_SWITCH, NULL, "wi", "Shows what would happen without doing it."),
	CP("Confirm", MPT_SWITCH, NULL, "cf", "Asks for confirmation before doing it (-Confirm:$false skips the question)."),
	{ NULL, 0, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE, NULL }
};

const mg_param *mg_param_iter(const mg_cmdlet *cmd, size_t *i)
{
	size_t k = *i;
	size_t own = 0;
	if (cmd->params)
		while (cmd->params[own].name)
			own++;
	(*i)++;
	if (k < own)
		return &cmd->params[k];
	if (cmd->flags & MCF_NO_COMMON)
		return NULL;
	k -= own;
	size_t ncommon = sizeof mg_common_params / sizeof mg_common_params[0] - 1;
	if (k < ncommon)
		return &mg_common_params[k];
	k -= ncommon;
	if ((cmd->flags & MCF_SHOULD_PROCESS) && k < 2)
		return &mg_shouldprocess_params[k];
	return NULL;
}



const mg_param *mg_find_param(const mg_cmdlet *cmd, const char *typed, mg_err *e)
{
	size_t i = 0;
	const mg_param *p;
	while ((p = mg_param_iter(cmd, &i)))
		if (str_ieq(p->name, typed) || str_list_has(p->aliases, typed, false))
			return p;
	const mg_param *found[64];
	size_t nf = 0;
	i = 0;
	while ((p = mg_param_iter(cmd, &i)))
		if ((str_iprefix(p->name, typed) || str_list_has(p->aliases, typed, true)) && nf < 64)
			found[nf++] = p;
	if (nf == 1)
		return found[0];
	if (nf == 0) {
		mg_err_set(e, MGC_INVALIDARG, "NamedParameterNotFound",
		           "A parameter cannot be found that matches parameter name '%s'.", typed);
		return NULL;
	}
	strbuf sb = STRBUF_INIT;
	for (size_t k = 0; k < nf; k++)
		strbuf_addf(&sb, " -%s", found[k]->name);
	mg_err_set(e, MGC_INVALIDARG, "AmbiguousParameter",
	           "Parameter cannot be processed because the parameter name '%s' is ambiguous. "
	           "Possible matches include:%s.", typed, sb.buf);
	strbuf_free(&sb);
	return NULL;
}

void mg_bound_init(mg_bound *b, const mg_cmdlet *cmd)
{
	memset(b, 0, sizeof *b);
	b->cmd = cmd;
	b->confirm = -1;
}

void mg_bound_clear(mg_bound *b)
{
	for (size_t i = 0; i < b->n; i++)
		mv_unref(b->args[i].val);
	free(b->args);
	const mg_cmdlet *cmd = b->cmd;
	mg_bound_init(b, cmd);
}

void mg_bound_copy(mg_bound *dst, const mg_bound *src)
{
	*dst = *src;
	dst->args = NULL;
	dst->n = dst->cap = 0;
	for (size_t i = 0; i < src->n; i++) {
		GROW(dst->args, dst->cap, dst->n + 1);
		dst->args[dst->n] = src->args[i];
		mv_ref(dst->args[dst->n].val);
		dst->n++;
	}
}

mg_bound_arg *mg_bound_get(const mg_bound *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (str_ieq(b->args[i].param->name, name))
			return &b->args[i];
	return NULL;
}

static void bound_add(mg_bound *b, const mg_param *p, mv *val_take, int choice, bool from_pipe,
                      size_t pos, size_t len)
{
	GROW(b->args, b->cap, b->n + 1);
	b->args[b->n].param = p;
	b->args[b->n].val = val_take;
	b->args[b->n].choice = choice;
	b->args[b->n].from_pipe = from_pipe;
	b->args[b->n].pos = pos;
	b->args[b->n].len = len;
	b->n++;
}

const char *mg_ptype_name(const mg_param *p)
{
	switch (p->type) {
	case MPT_STRING: return "System.String";
	case MPT_STRINGS: return "System.String[]";
	case MPT_INT: return "System.Int32";
	case MPT_UNLIMITED: return "Unlimited";
	case MPT_BOOL: return "System.Boolean";
	case MPT_SWITCH: return "System.Management.Automation.SwitchParameter";
	case MPT_ENUM: return p->name;
	case MPT_BYTES: return "System.Byte[]";
	case MPT_DATETIME: return "System.DateTime";
	case MPT_TIMESPAN: return "System.TimeSpan";
	case MPT_SCRIPTBLOCK: return "System.Management.Automation.ScriptBlock";
	case MPT_OBJECT: return "System.Object";
	case MPT_CREDENTIAL: return "System.Management.Automation.PSCredential";
	}
	return "System.Object";
}

/* Single value of an array of one. */
static const mv *unwrap1(const mv *v)
{
	if (v && v->kind == MV_ARRAY && v->u.arr.n == 1)
		return v->u.arr.items[0];
	return v;
}

static mv *conv_fail(const mg_param *p, const mv *v, mg_err *e, const char *why)
{
	char *s = mv_to_string(v);
	if (strlen(s) > 200)
		strcpy(s + 197, "...");
	if (p->flags & MPF_SECRET) {
		free(s);
		s = xstrdup("****");
	}
	mg_err_set(e, MGC_INVALIDARG, "CannotConvertArgumentNoMessage",
	           "Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"%s\".%s%s",
	           p->name, s, mg_ptype_name(p), why ? " " : "", why ? why : "");
	free(s);
	return NULL;
}

static int parse_timespan(const char *s, long long *ms)
{
	/* [-][d.]hh:mm[:ss[.fffffff]] or d (days) */
	long long d = 0, h = 0, m = 0, sec = 0, frac_ms = 0;
	const char *p = s;
	while (isspace((unsigned char)*p))
		p++;
	bool neg = *p == '-';
	if (neg)
		p++;
	char *end;
	long long a = strtoll(p, &end, 10);
	if (end == p)
		return -1;
	if (*end == '\0') {
		d = a;
	} else {
		if (*end == '.') {
			d = a;
			p = end + 1;
			a = strtoll(p, &end, 10);
			if (end == p || *end != ':')
				return -1;
		}
		if (*end != ':')
			return -1;
		h = a;
		p = end + 1;
		m = strtoll(p, &end, 10);
		if (end == p)
			return -1;
		if (*end == ':') {
			p = end + 1;
			sec = strtoll(p, &end, 10);
			if (end == p)
				return -1;
			if (*end == '.') {
				p = end + 1;
				long long scale = 100;
				while (isdigit((unsigned char)*p)) {
					frac_ms += (*p - '0') * scale;
					scale /= 10;
					p++;
				}
				end = (char *)p;
			}
		}
		if (*end)
			return -1;
		if (h > 23 || m > 59 || sec > 59)
			return -1;
	}
	long long r = ((d * 24 + h) * 60 + m) * 60000 + sec * 1000 + frac_ms;
	*ms = neg ? -r : r;
	return 0;
}

/* A PSCredential from what a script can give: a credential object (or any
 * object or hashtable with UserName and Password), a list of the two, or the
 * text "user,password".  The password is kept as it was given (a SecureString
 * stays one) and never appears in an error. */
static mv *conv_credential(const mg_param *p, const mv *v, mg_err *e)
{
	mv *cred = NULL;
	const mv *u = NULL, *pw = NULL;
	if (v->kind == MV_OBJECT || v->kind == MV_HASH) {
		u = mv_get(v, "UserName");
		pw = mv_get(v, "Password");
	} else if (v->kind == MV_ARRAY && v->u.arr.n == 2) {
		u = v->u.arr.items[0];
		pw = v->u.arr.items[1];
	}
	if (u && pw && u->kind != MV_NULL && pw->kind != MV_NULL) {
		char *user = mv_to_string(u);
		if (*user)
			cred = mg_credential_new(user, (mv *)pw);
		free(user);
	} else if (v->kind == MV_STRING) {
		const char *comma = strchr(v->u.str.s, ',');
		if (comma && comma > v->u.str.s && comma[1]) {
			char *user = xstrndup(v->u.str.s, (size_t)(comma - v->u.str.s));
			mv *secret = mv_string(comma + 1);
			cred = mg_credential_new(user, secret);
			mv_unref(secret);
			free(user);
		}
	}
	if (!cred)
		mg_err_set(e, MGC_INVALIDARG, "InvalidCredentials",
		           "Cannot bind parameter '%s': give the user name and the password as user,password "
		           "or a credential object with UserName and Password (Get-Credential, or New-Object "
		           "PSCredential).", p->name);
	return cred;
}

/* *choice: an enum's index in p->allowed (untouched for other types). */
static mv *conv_scalar(const mg_param *p, const mv *v, mg_err *e, int *choice)
{
	v = unwrap1(v);
	switch (p->type) {
	case MPT_OBJECT:
		return mv_ref((mv *)v);
	case MPT_CREDENTIAL:
		return conv_credential(p, v, e);
	case MPT_STRING:
	case MPT_STRINGS:
		if (v->kind == MV_STRING)
			return mv_ref((mv *)v);
		if (v->kind == MV_NULL)
			return mv_string("");
		return mv_string_take(mv_to_string(v));
	case MPT_INT:
	case MPT_UNLIMITED: {
		if (p->type == MPT_UNLIMITED && v->kind == MV_STRING && str_ieq(v->u.str.s, "Unlimited"))
			return mv_int(-1);
		long long n;
		if (v->kind == MV_BOOL || v->kind == MV_ARRAY || v->kind == MV_OBJECT || v->kind == MV_HASH ||
		    mv_to_ll(v, &n) < 0)
			return conv_fail(p, v, e, p->type == MPT_UNLIMITED
			                 ? "Give a whole number or the word Unlimited."
			                 : "Error: \"Input string was not in a correct format.\"");
		if (n > INT_MAX || n < INT_MIN)
			return conv_fail(p, v, e, "Error: \"Value was either too large or too small for an Int32.\"");
		if (p->type == MPT_UNLIMITED && n < 0)
			return conv_fail(p, v, e, "The value must be 0 or more, or Unlimited.");
		return mv_int(n);
	}
	case MPT_BOOL:
	case MPT_SWITCH:
		if (v->kind == MV_BOOL)
			return mv_ref((mv *)v);
		if (v->kind == MV_INT)
			return mv_bool(v->u.i != 0);
		if (v->kind == MV_STRING && (str_ieq(v->u.str.s, "true") || str_ieq(v->u.str.s, "$true")))
			return mv_bool(true);
		if (v->kind == MV_STRING && (str_ieq(v->u.str.s, "false") || str_ieq(v->u.str.s, "$false")))
			return mv_bool(false);
		return conv_fail(p, v, e, "Boolean parameters accept only Boolean values and numbers, "
		                 "such as $True, $False, 1 or 0.");
	case MPT_ENUM: {
		char *s = mv_to_string(v);
		for (size_t i = 0; p->allowed && p->allowed[i]; i++)
			if (str_ieq(p->allowed[i], s)) {
				free(s);
				*choice = (int)i;
				return mv_string(p->allowed[i]);
			}
		strbuf sb = STRBUF_INIT;
		for (size_t i = 0; p->allowed && p->allowed[i]; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", p->allowed[i]);
		mg_err_set(e, MGC_INVALIDARG, "CannotConvertArgumentNoMessage",
		           "Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"%s\". "
		           "Specify one of the following values and try again: %s.",
		           p->name, s, p->name, sb.buf ? sb.buf : "");
		strbuf_free(&sb);
		free(s);
		return NULL;
	}
	case MPT_BYTES:
		if (v->kind == MV_BYTES)
			return mv_ref((mv *)v);
		if (v->kind == MV_STRING)
			return conv_fail(p, v, e, "This parameter takes the bytes of a file, for example "
			                 "([System.IO.File]::ReadAllBytes(\"C:\\path\\users.csv\")) or "
			                 "(Get-Content -Path users.csv -Encoding Byte -ReadCount 0).");
		return conv_fail(p, v, e, NULL);
	case MPT_DATETIME: {
		if (v->kind == MV_DATETIME)
			return mv_ref((mv *)v);
		if (v->kind == MV_STRING) {
			mv *d = mv_datetime_from_text(v->u.str.s);
			if (d)
				return d;
		}
		return conv_fail(p, v, e, "Give a date such as \"3/14/2025 10:00 PM\" or \"2025-03-14T22:00:00Z\".");
	}
	case MPT_TIMESPAN: {
		if (v->kind == MV_TIMESPAN)
			return mv_ref((mv *)v);
		long long ms;
		if (v->kind == MV_STRING && parse_timespan(v->u.str.s, &ms) == 0)
			return mv_timespan_ms(ms);
		if (v->kind == MV_INT)   /* PowerShell converts a number to ticks */
			return mv_timespan_ms(v->u.i / 10000);
		return conv_fail(p, v, e, "Give a time span such as \"1.00:00:00\" (one day) or \"12:00:00\".");
	}
	case MPT_SCRIPTBLOCK:
		if (v->kind == MV_SCRIPTBLOCK)
			return mv_ref((mv *)v);
		return conv_fail(p, v, e, "Give a script block: { ... }.");
	}
	return mv_ref((mv *)v);
}

/* Convert v to p's type; *choice is the enum index (-1 for other types). */
static mv *convert(const mg_param *p, mv *v, mg_err *e, int *choice)
{
	*choice = -1;
	mv *nul = NULL;
	if (!v)
		v = nul = mv_null();
	mv *r;
	if (p->type == MPT_STRINGS) {
		r = mv_array();
		if (v->kind == MV_ARRAY) {
			for (size_t i = 0; i < v->u.arr.n; i++) {
				int ignored;
				mv *it = conv_scalar(p, v->u.arr.items[i], e, &ignored);
				mv_array_push_take(r, it);
			}
		} else if (v->kind != MV_NULL) {
			int ignored;
			mv_array_push_take(r, conv_scalar(p, v, e, &ignored));
		}
	} else if (p->type == MPT_BYTES && v->kind == MV_ARRAY && v->u.arr.n > 1) {
		/* an array of numbers 0..255 (Get-Content -Encoding Byte) */
		unsigned char *buf = xmalloc(v->u.arr.n);
		for (size_t i = 0; i < v->u.arr.n; i++) {
			long long b;
			if (mv_to_ll(v->u.arr.items[i], &b) < 0 || b < 0 || b > 255) {
				free(buf);
				mv_unref(nul);
				return conv_fail(p, v->u.arr.items[i], e, "Byte[] values must be numbers from 0 to 255.");
			}
			buf[i] = (unsigned char)b;
		}
		r = mv_bytes_take(buf, v->u.arr.n);
	} else if (v->kind == MV_ARRAY && v->u.arr.n > 1 && p->type != MPT_OBJECT && p->type != MPT_STRING &&
	           p->type != MPT_CREDENTIAL) {
		r = conv_fail(p, v, e, "The parameter takes one value, not a list.");
	} else if (v->kind == MV_NULL && p->type != MPT_OBJECT && p->type != MPT_STRING) {
		mg_err_set(e, MGC_INVALIDARG, "ParameterArgumentValidationErrorNullNotAllowed",
		           "Cannot bind argument to parameter '%s' because it is null.", p->name);
		r = NULL;
	} else {
		r = conv_scalar(p, v, e, choice);
	}
	mv_unref(nul);
	return r;
}

mv *mg_convert_arg(const mg_param *p, mv *v, mg_err *e)
{
	int choice;
	return convert(p, v, e, &choice);
}

static void set_pos(mg_bind_err *e, size_t pos, size_t len)
{
	if (!e)
		return;
	e->pos = pos;
	e->len = len;
	e->has_pos = true;
}

static mg_err *E(mg_bind_err *e)
{
	return e ? &e->err : NULL;
}

/* Can p belong to a set still possible given what is bound? */
static bool sets_compatible(const mg_bound *b, const mg_param *p)
{
	if (!p->sets)
		return true;
	for (size_t i = 0; i < b->n; i++) {
		const char *const *bs = b->args[i].param->sets;
		if (!bs)
			continue;
		bool share = false;
		for (size_t k = 0; p->sets[k] && !share; k++)
			share = str_list_has(bs, p->sets[k], false);
		if (!share)
			return false;
	}
	return true;
}

int mg_bind_args(struct mg_session *s, mg_bound *b, const mg_rawarg *args, size_t n, mg_bind_err *e)
{
	(void)s;
	const mg_rawarg **positional = xcalloc(n + 1, sizeof *positional);
	size_t npos = 0;
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		const mg_rawarg *a = &args[i];
		if (!a->name) {
			positional[npos++] = a;
			continue;
		}
		const mg_param *p = mg_find_param(b->cmd, a->name, E(e));
		if (!p) {
			set_pos(e, a->pos, a->len);
			goto out;
		}
		if (mg_bound_get(b, p->name)) {
			mg_err_set(E(e), MGC_INVALIDARG, "ParameterAlreadyBound",
			           "Cannot bind parameter because parameter '%s' is specified more than once. "
			           "To provide multiple values to parameters that can accept multiple values, "
			           "use the array syntax. For example, \"-parameter value1,value2,value3\".", p->name);
			set_pos(e, a->pos, a->len);
			goto out;
		}
		mv *val = a->val;
		size_t vpos = a->vpos, vlen = a->vlen;
		if (p->type == MPT_SWITCH) {
			mv *bv = val ? mg_convert_arg(p, val, E(e)) : mv_bool(true);
			if (!bv) {
				set_pos(e, a->pos, a->len);
				goto out;
			}
			bound_add(b, p, bv, -1, false, a->pos, a->len);
			continue;
		}
		const char *numtext = a->numtext;
		if (!a->colon) {
			if (i + 1 < n && !args[i + 1].name) {
				val = args[i + 1].val;
				numtext = args[i + 1].numtext;
				vpos = args[i + 1].pos;
				vlen = args[i + 1].len;
				i++;
			} else {
				mg_err_set(E(e), MGC_INVALIDARG, "MissingArgument",
				           "Missing an argument for parameter '%s'. Specify a parameter of type '%s' and try again.",
				           p->name, mg_ptype_name(p));
				set_pos(e, a->pos, a->len);
				goto out;
			}
		}
		mv *tv = numtext && (p->type == MPT_STRING || p->type == MPT_STRINGS || p->type == MPT_ENUM)
		         ? mv_string(numtext) : NULL;
		int choice;
		mv *cv = convert(p, tv ? tv : val, E(e), &choice);
		mv_unref(tv);
		if (!cv) {
			set_pos(e, vlen ? vpos : a->pos, vlen ? vlen : a->len);
			goto out;
		}
		bound_add(b, p, cv, choice, false, a->pos, a->len);
	}
	/* positional: unbound parameters with a position, in position order */
	for (size_t k = 0; k < npos; k++) {
		const mg_param *best = NULL;
		size_t i = 0;
		const mg_param *p;
		while ((p = mg_param_iter(b->cmd, &i))) {
			if (p->position < 0 || mg_bound_get(b, p->name) || !sets_compatible(b, p))
				continue;
			if (!best || p->position < best->position)
				best = p;
		}
		if (!best) {
			char *sv = mv_to_string(positional[k]->val);
			mg_err_set(E(e), MGC_INVALIDARG, "PositionalParameterNotFound",
			           "A positional parameter cannot be found that accepts argument '%s'.", sv);
			free(sv);
			set_pos(e, positional[k]->pos, positional[k]->len);
			goto out;
		}
		if ((best->flags & MPF_REMAINING) && k + 1 < npos) {
			/* Write-Output 1 2 3: the rest of the positional values, as one list */
			mv *rest = mv_array();
			for (size_t j = k; j < npos; j++)
				mv_array_push(rest, positional[j]->val);
			int choice;
			mv *cv = convert(best, rest, E(e), &choice);
			mv_unref(rest);
			if (!cv) {
				set_pos(e, positional[k]->pos, positional[k]->len);
				goto out;
			}
			bound_add(b, best, cv, choice, false, positional[k]->pos, positional[k]->len);
			break;
		}
		mv *tv = positional[k]->numtext && (best->type == MPT_STRING || best->type == MPT_STRINGS ||
		                                     best->type == MPT_ENUM)
		         ? mv_string(positional[k]->numtext) : NULL;
		int choice;
		mv *cv = convert(best, tv ? tv : positional[k]->val, E(e), &choice);
		mv_unref(tv);
		if (!cv) {
			set_pos(e, positional[k]->pos, positional[k]->len);
			goto out;
		}
		bound_add(b, best, cv, choice, false, positional[k]->pos, positional[k]->len);
	}
	rc = 0;
out:
	free(positional);
	return rc;
}

static bool natural_match(const mg_param *p, const mv *v)
{
	switch (p->type) {
	case MPT_OBJECT: return true;
	case MPT_STRING: case MPT_STRINGS: case MPT_ENUM: return v->kind == MV_STRING;
	case MPT_INT: case MPT_UNLIMITED: return v->kind == MV_INT;
	case MPT_BOOL: case MPT_SWITCH: return v->kind == MV_BOOL;
	case MPT_BYTES: return v->kind == MV_BYTES;
	case MPT_DATETIME: return v->kind == MV_DATETIME;
	case MPT_TIMESPAN: return v->kind == MV_TIMESPAN;
	case MPT_SCRIPTBLOCK: return v->kind == MV_SCRIPTBLOCK;
	case MPT_CREDENTIAL: return v->kind == MV_OBJECT;
	}
	return false;
}

static mv *prop_for(const mv *obj, const mg_param *p)
{
	mv *v = mv_get(obj, p->name);
	for (size_t i = 0; !v && p->aliases && p->aliases[i]; i++)
		v = mv_get(obj, p->aliases[i]);
	return v;
}

int mg_bind_pipeline(struct mg_session *s, mg_bound *b, mv *input, mg_bind_err *e)
{
	(void)s;
	int bound = 0;
	const mg_param *p;
	size_t i;
	/* 1. by value, no conversion */
	i = 0;
	while ((p = mg_param_iter(b->cmd, &i))) {
		if (!(p->flags & MPF_PIPE_VALUE) || mg_bound_get(b, p->name) || !sets_compatible(b, p))
			continue;
		if (natural_match(p, input)) {
			mg_err tmp;
			int choice;
			mv *cv = convert(p, input, &tmp, &choice);
			if (cv) {
				bound_add(b, p, cv, choice, true, 0, 0);
				bound++;
				break;
			}
		}
	}
	/* 2. by property name */
	if (input->kind == MV_OBJECT || input->kind == MV_HASH) {
		i = 0;
		while ((p = mg_param_iter(b->cmd, &i))) {
			if (!(p->flags & MPF_PIPE_PROPNAME) || mg_bound_get(b, p->name) || !sets_compatible(b, p))
				continue;
			mv *pv = prop_for(input, p);
			if (!pv)
				continue;
			int choice;
			mv *cv = convert(p, pv, E(e), &choice);
			if (!cv)
				return -1;
			bound_add(b, p, cv, choice, true, 0, 0);
			bound++;
		}
	}
	/* 3. by value with conversion */
	if (!bound) {
		i = 0;
		while ((p = mg_param_iter(b->cmd, &i))) {
			if (!(p->flags & MPF_PIPE_VALUE) || mg_bound_get(b, p->name) || !sets_compatible(b, p))
				continue;
			mg_err tmp;
			int choice;
			mv *cv = convert(p, input, &tmp, &choice);
			if (cv) {
				bound_add(b, p, cv, choice, true, 0, 0);
				bound++;
				break;
			}
		}
	}
	if (!bound) {
		mg_err_set(E(e), MGC_INVALIDARG, "InputObjectNotBound",
		           "The input object cannot be bound to any parameters for the command either because "
		           "the command does not take pipeline input or the input and its properties do not "
		           "match any of the parameters that take pipeline input.");
		return 0;
	}
	return 1;
}

/* ---- parameter sets ---- */

#define MAX_SETS 32

/* The set names of cmd's parameters, each once (pointers into the declarations). */
static size_t collect_sets(const mg_cmdlet *cmd, const char *sets[])
{
	size_t n = 0;
	for (const mg_param *p = cmd->params; p && p->name; p++)
		for (size_t j = 0; p->sets && p->sets[j]; j++)
			if (!str_list_has(sets, p->sets[j], false) && n < MAX_SETS) {
				sets[n++] = p->sets[j];
				sets[n] = NULL;
			}
	return n;
}

static bool in_set(const mg_param *p, const char *set)
{
	return !p->sets || !set || str_list_has(p->sets, set, false);
}

static bool set_satisfied(const mg_bound *b, const char *set, bool pipe_pending)
{
	for (const mg_param *p = b->cmd->params; p && p->name; p++)
		if ((p->flags & MPF_MANDATORY) && in_set(p, set) && !mg_bound_get(b, p->name) &&
		    !(pipe_pending && (p->flags & (MPF_PIPE_VALUE | MPF_PIPE_PROPNAME))))
			return false;
	return true;
}

/* The name b->set keeps: the default set's spelling when it is that one. */
static const char *set_storage(const mg_cmdlet *cmd, const char *name)
{
	if (name && cmd->default_set && str_ieq(cmd->default_set, name))
		return cmd->default_set;
	return name;
}

static int prompt_missing(struct mg_session *s, mg_bound *b, const mg_param **miss, size_t nmiss, mg_bind_err *e)
{
	fprintf(s->out, "\ncmdlet %s at command pipeline position 1\nSupply values for the following parameters:\n",
	        b->cmd->name);
	fflush(s->out);
	for (size_t i = 0; i < nmiss; i++) {
		const mg_param *p = miss[i];
		char prompt[160];
		snprintf(prompt, sizeof prompt, "%s: ", p->name);
		char *line = s->read_line(s, prompt, (p->flags & MPF_SECRET) != 0);
		if (!line) {
			mg_err_set(E(e), MGC_INVALIDARG, "MissingMandatoryParameter",
			           "Cannot process command because of one or more missing mandatory parameters: %s.", p->name);
			return -1;
		}
		if (!*line && p->type != MPT_SWITCH) {
			free(line);
			mg_err_set(E(e), MGC_INVALIDARG, "ParameterArgumentValidationErrorEmptyStringNotAllowed",
			           "Cannot bind argument to parameter '%s' because it is an empty string.", p->name);
			return -1;
		}
		mv *sv = mv_string(line);
		if (p->flags & MPF_SECRET)
			mg_wipe(line, strlen(line));
		free(line);
		mv *cv;
		int choice = -1;
		if (p->type == MPT_STRINGS) {
			/* a comma-separated list, like PowerShell's Name[0]: prompts in one line */
			mv *arr = mv_array();
			char *copy = mv_to_string(sv);
			char *save = NULL;
			for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
				mv_array_push_take(arr, mv_string(str_trim(w)));
			free(copy);
			cv = convert(p, arr, E(e), &choice);
			mv_unref(arr);
		} else if (p->type == MPT_SWITCH && !*sv->u.str.s) {
			cv = mv_bool(true);
		} else {
			cv = convert(p, sv, E(e), &choice);
		}
		mv_unref(sv);
		if (!cv)
			return -1;
		bound_add(b, p, cv, choice, false, 0, 0);
	}
	return 0;
}

int mg_bind_finish(struct mg_session *s, mg_bound *b, bool pipe_pending, mg_bind_err *e)
{
	const char *sets[MAX_SETS + 1] = { NULL };
	size_t nsets = collect_sets(b->cmd, sets);
	const char *chosen = NULL;
	if (nsets) {
		bool cand[MAX_SETS];
		size_t ncand = 0;
		for (size_t k = 0; k < nsets; k++) {
			cand[k] = true;
			for (size_t i = 0; i < b->n; i++)
				if (b->args[i].param->sets && !str_list_has(b->args[i].param->sets, sets[k], false))
					cand[k] = false;
			if (cand[k])
				ncand++;
		}
		if (!ncand) {
			mg_err_set(E(e), MGC_INVALIDARG, "AmbiguousParameterSet",
			           "Parameter set cannot be resolved using the specified named parameters.");
			return -1;
		}
		if (ncand == 1) {
			for (size_t k = 0; k < nsets; k++)
				if (cand[k])
					chosen = sets[k];
		} else {
			/* several possible: the one whose mandatory parameters are all
			 * given; else the default set; else the first */
			const char *sat = NULL, *def = NULL, *first = NULL;
			size_t nsat = 0;
			for (size_t k = 0; k < nsets; k++) {
				if (!cand[k])
					continue;
				if (!first)
					first = sets[k];
				if (b->cmd->default_set && str_ieq(b->cmd->default_set, sets[k]))
					def = sets[k];
				if (set_satisfied(b, sets[k], pipe_pending)) {
					nsat++;
					if (!sat)
						sat = sets[k];
				}
			}
			if (def && set_satisfied(b, def, pipe_pending))
				chosen = def;
			else if (nsat >= 1)
				chosen = sat;
			else
				chosen = def ? def : first;
		}
		b->set = set_storage(b->cmd, chosen);
	} else {
		b->set = b->cmd->default_set;
	}
	/* mandatory parameters */
	const mg_param *miss[64];
	size_t nmiss = 0;
	for (const mg_param *p = b->cmd->params; p && p->name; p++) {
		if (!(p->flags & MPF_MANDATORY) || !in_set(p, nsets ? b->set : NULL) || mg_bound_get(b, p->name))
			continue;
		if (pipe_pending && (p->flags & (MPF_PIPE_VALUE | MPF_PIPE_PROPNAME)))
			continue;
		if (nmiss < 64)
			miss[nmiss++] = p;
	}
	if (!nmiss)
		return 0;
	bool can_prompt = s && s->interactive && s->read_line;
	for (size_t i = 0; i < nmiss; i++)
		if (miss[i]->type == MPT_BYTES || miss[i]->type == MPT_SCRIPTBLOCK)
			can_prompt = false;
	if (can_prompt)
		return prompt_missing(s, b, miss, nmiss, e);
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < nmiss; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", miss[i]->name);
	mg_err_set(E(e), MGC_INVALIDARG, "MissingMandatoryParameter",
	           "Cannot process command because of one or more missing mandatory parameters: %s.", sb.buf);
	strbuf_free(&sb);
	return -1;
}

void mg_bind_common(mg_bound *b)
{
	static const int ea_map[] = { MG_EA_SILENT, MG_EA_STOP, MG_EA_CONTINUE, MG_EA_INQUIRE, MG_EA_IGNORE };
	for (size_t i = 0; i < b->n; i++) {
		const mg_param *p = b->args[i].param;
		const mv *v = b->args[i].val;
		if (p >= mg_common_params && p < mg_common_params + sizeof mg_common_params / sizeof mg_common_params[0]) {
			if (str_ieq(p->name, "Verbose"))
				b->verbose = mv_truthy(v);
			else if (str_ieq(p->name, "Debug"))
				b->debug = mv_truthy(v);
			else if (str_ieq(p->name, "ErrorAction") || str_ieq(p->name, "WarningAction")) {
				int k = b->args[i].choice;
				int act = k >= 0 && k < (int)(sizeof ea_map / sizeof ea_map[0]) ? ea_map[k] : MG_EA_CONTINUE;
				if (p->name[0] == 'E')
					b->error_action = act;
				else
					b->warning_action = act;
			} else if (str_ieq(p->name, "ErrorVariable"))
				b->error_variable = v->kind == MV_STRING ? v->u.str.s : NULL;
			else if (str_ieq(p->name, "OutVariable"))
				b->out_variable = v->kind == MV_STRING ? v->u.str.s : NULL;
			else if (str_ieq(p->name, "WarningVariable"))
				b->warning_variable = v->kind == MV_STRING ? v->u.str.s : NULL;
		} else if (p == &mg_shouldprocess_params[0]) {
			b->whatif = mv_truthy(v);
		} else if (p == &mg_shouldprocess_params[1]) {
			b->confirm = mv_truthy(v) ? 1 : 0;
		}
	}
}
