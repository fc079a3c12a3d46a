/* errors.c - PowerShell-style error records, parse errors and suggestions (see errors.h). */
#include "config.h"
#include "shell/errors.h"
#include "shell/parser.h"
#include "shell/secret_mask.h"
#include "shell/session.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>

/* The exception type shown for an id err_ids.h lists (by its code). */
static const char *const exc_by_code[MGE__COUNT] = {
	[MGE_NamedParameterNotFound] = "ParameterBindingException",
	[MGE_AmbiguousParameter] = "ParameterBindingException",
	[MGE_PositionalParameterNotFound] = "ParameterBindingException",
	[MGE_AmbiguousParameterSet] = "ParameterBindingException",
	[MGE_MissingArgument] = "ParameterBindingException",
	[MGE_MissingMandatoryParameter] = "ParameterBindingException",
	[MGE_CannotConvertArgumentNoMessage] = "ParameterBindingException",
	[MGE_ParameterAlreadyBound] = "ParameterBindingException",
	[MGE_InputObjectNotBound] = "ParameterBindingException",
	[MGE_ParameterArgumentValidationErrorNullNotAllowed] = "ParameterBindingValidationException",
	[MGE_ParameterArgumentValidationErrorEmptyStringNotAllowed] = "ParameterBindingValidationException",
	[MGE_CommandNotFoundException] = "CommandNotFoundException",
	[MGE_PathNotFound] = "ItemNotFoundException",
	[MGE_ConfirmationRequired] = "InvalidOperationException",
	[MGE_PipelineStopped] = "PipelineStoppedException",
	[MGE_MethodNotFound] = "RuntimeException",
	[MGE_InvalidCastFromStringToInteger] = "RuntimeException",
	[MGE_PropertyNotFound] = "RuntimeException",
	[MGE_RuntimeException] = "RuntimeException",
};

const char *mg_errrec_exception(const mg_errrec *r)
{
	if (r->exception)
		return r->exception;
	if ((unsigned)r->err.code < MGE__COUNT && exc_by_code[r->err.code])
		return exc_by_code[r->err.code];
	if (strstr(r->err.id, "Exception"))
		return r->err.id;
	if (r->err.category == MGC_NOTFOUND)
		return "ManagementObjectNotFoundException";
	if (r->err.category == MGC_PARSER)
		return "ParseException";
	if (r->err.category == MGC_CONNECTION || r->err.category == MGC_TIMEOUT ||
	    r->err.category == MGC_RESOURCE)
		return "MigrationTransientException";
	return "MigrationPermanentException";
}

/* The line containing pos: start offset and length. */
static void line_of(const char *src, size_t len, size_t pos, size_t *ls, size_t *ll)
{
	if (pos > len)
		pos = len;
	size_t s = pos;
	while (s > 0 && src[s - 1] != '\n')
		s--;
	size_t e = pos;
	while (e < len && src[e] != '\n')
		e++;
	if (e > s && src[e - 1] == '\r')
		e--;
	*ls = s;
	*ll = e - s;
}

/* Where the command of the line starting at ls begins: earlier lines that
 * the line continues (they end with a backtick, a pipe or a comma). */
static size_t command_start(const char *src, size_t ls)
{
	while (ls > 0) {
		size_t e = ls - 1;   /* the '\n' ending the previous line */
		size_t p = e;
		while (p > 0 && src[p - 1] != '\n')
			p--;
		size_t last = e;
		while (last > p && (src[last - 1] == ' ' || src[last - 1] == '\t' || src[last - 1] == '\r'))
			last--;
		if (last == p || (src[last - 1] != '`' && src[last - 1] != '|' && src[last - 1] != ','))
			break;
		ls = p;
	}
	return ls;
}

/* The secrets of the line [ls, ls+ll) of src, relative to ls (read with the
 * lines it continues, so that a -Password on a continuation line is known). */
static void line_secrets(mg_session *s, const char *src, size_t ls, size_t ll, mg_spans *out)
{
	out->n = 0;
	if (!s)
		return;
	size_t cs = command_start(src, ls);
	mg_spans all = { 0 };
	mg_secret_spans(s, src + cs, ls + ll - cs, &all);
	for (size_t i = 0; i < all.n; i++) {
		size_t a = cs + all.v[i].pos, b = a + all.v[i].len;
		if (b <= ls || a >= ls + ll)
			continue;
		if (a < ls)
			a = ls;
		if (b > ls + ll)
			b = ls + ll;
		mg_spans_add(out, a - ls, b - a);
	}
	mg_spans_free(&all);
}

/* "At line:L char:C", the line and a caret line under the range [pos, pos+rlen).
 * Secret tokens of the line (secret_mask.h) are echoed as MG_SECRET_MASK: the
 * caret moves with the text, "char:C" stays the column in the source. */
static void render_where(strbuf *out, mg_session *s, const char *src, size_t len, const char *origin,
                         size_t pos, size_t rlen)
{
	int line, col;
	mg_src_linecol(src, len, pos, &line, &col);
	if (origin)
		strbuf_addf(out, "At %s:%d char:%d\n", origin, line, col);
	else
		strbuf_addf(out, "At line:%d char:%d\n", line, col);
	size_t ls, ll;
	line_of(src, len, pos, &ls, &ll);
	if (pos > len)
		pos = len;
	mg_spans sp = { 0 };
	line_secrets(s, src, ls, ll, &sp);
	size_t ml;
	char *text = mg_spans_apply(src + ls, ll, &sp, &ml);
	size_t off = mg_masked_offset(&sp, pos - ls);
	size_t n = mg_masked_len(&sp, pos - ls, rlen ? rlen : 1);
	mg_spans_free(&sp);
	strbuf_adds(out, "+ ");
	strbuf_add(out, text, ml);
	strbuf_adds(out, "\n+ ");
	for (size_t i = 0; i < off && i < ml; i++)
		strbuf_addc(out, text[i] == '\t' ? '\t' : ' ');
	if (!n)
		n = 1;
	if (off + n > ml)
		n = ml > off ? ml - off : 1;
	for (size_t i = 0; i < n; i++)
		strbuf_addc(out, '~');
	strbuf_addc(out, '\n');
	free(text);
}

static void errrec_render(mg_session *s, const mg_errrec *r, strbuf *out)
{
	if (r->cmdlet)
		strbuf_addf(out, "%s : %s\n", r->cmdlet, r->err.msg);
	else
		strbuf_addf(out, "%s\n", r->err.msg);
	if (r->src)
		render_where(out, s, r->src, r->srclen, r->origin, r->pos, r->len);
	const char *cat = mg_err_category_name(r->err.category);
	strbuf_addf(out, "    + CategoryInfo          : %s: (%s:%s) [%s], %s\n", cat,
	            r->target ? r->target : "",
	            r->target ? (r->target_type ? r->target_type : "String") : "",
	            r->cmdlet && r->err.code != MGE_CommandNotFoundException ? r->cmdlet : "",
	            mg_errrec_exception(r));
	if (r->cmdlet && r->err.code != MGE_CommandNotFoundException)
		strbuf_addf(out, "    + FullyQualifiedErrorId : %s,%s\n", r->err.id[0] ? r->err.id : "NotSpecified", r->cmdlet);
	else
		strbuf_addf(out, "    + FullyQualifiedErrorId : %s\n", r->err.id[0] ? r->err.id : "NotSpecified");
	strbuf_addc(out, '\n');
}

void mg_errrec_render(const mg_errrec *r, strbuf *out)
{
	errrec_render(NULL, r, out);
}

static bool use_color(struct mg_session *s)
{
	return s && s->color && !getenv("NO_COLOR");
}

void mg_errrec_print(struct mg_session *s, const mg_errrec *r)
{
	if (s)
		s->errors_written++;
	mg_session_flush_output(s);
	strbuf sb = STRBUF_INIT;
	errrec_render(s, r, &sb);
	FILE *f = s && s->errf ? s->errf : stderr;
	fflush(s && s->out ? s->out : stdout);
	if (use_color(s))
		fprintf(f, "\033[31m%s\033[0m", sb.buf);
	else
		fputs(sb.buf, f);
	fflush(f);
	strbuf_free(&sb);
}

static const mv_type_info errrec_type = { "System.Management.Automation.ErrorRecord", NULL, 2, "Message" };
static const char *const exc_props[] = { "Message", NULL };
static const mv_type_info exception_type = { "System.Exception", exc_props, 2, "Message" };
static const mv_type_info invocation_type = { "System.Management.Automation.InvocationInfo", NULL, 2, NULL };
/* CategoryInfo: its five members, and its text ("NotSpecified: (x:String)
 * [Get-MigrationBatch], ...") as its string form, kept in Text */
static const char *const catinfo_props[] = { "Category", "Activity", "Reason", "TargetName", "TargetType", NULL };
static const mv_type_info catinfo_type = { "System.Management.Automation.ErrorCategoryInfo", catinfo_props, 0,
                                           "Text" };
static const char *const cmdinfo_props[] = { "CommandType", "Name", NULL };
static const mv_type_info cmdlet_info_type = { "System.Management.Automation.CmdletInfo", cmdinfo_props, 1, "Name" };
static const mv_type_info function_info_type = { "System.Management.Automation.FunctionInfo", cmdinfo_props, 1,
                                                  "Name" };

/* MyCommand: what ran (a cmdlet, else a function), or $null (a throw
 * statement, an unknown command). */
static mv *my_command(mg_session *s, const mg_errrec *r)
{
	if (!r->cmdlet || r->err.code == MGE_CommandNotFoundException)
		return mv_null();
	bool cmdlet = s && mg_session_find_cmdlet(s, r->cmdlet);
	mv *c = mv_object(cmdlet ? &cmdlet_info_type : &function_info_type);
	mv_set_str(c, "CommandType", cmdlet ? "Cmdlet" : "Function");
	mv_set_str(c, "Name", r->cmdlet);
	return c;
}

/* The script file's full path (as $PSCommandPath says it), "" without one. */
static char *script_path(const char *origin)
{
	if (!origin)
		return xstrdup("");
	char *full = realpath(origin, NULL);
	return full ? full : xstrdup(origin);
}

/* $_.InvocationInfo of the record.  Line and PositionMessage are masked like
 * the echo under a printed error: a literal password never comes back. */
static mv *invocation_value(mg_session *s, const mg_errrec *r)
{
	mv *inv = mv_object(&invocation_type);
	mv_set_take(inv, "MyCommand", my_command(s, r));
	char *path = script_path(r->origin);
	int line = 0, col = 0;
	char *text = NULL, *pm = NULL;
	if (r->src) {
		size_t pos = r->pos > r->srclen ? r->srclen : r->pos;
		mg_src_linecol(r->src, r->srclen, pos, &line, &col);
		size_t ls, ll;
		line_of(r->src, r->srclen, pos, &ls, &ll);
		mg_spans sp = { 0 };
		line_secrets(s, r->src, ls, ll, &sp);
		text = mg_spans_apply(r->src + ls, ll, &sp, NULL);
		mg_spans_free(&sp);
		strbuf w = STRBUF_INIT;
		render_where(&w, s, r->src, r->srclen, r->origin, r->pos, r->len);
		while (w.len && w.buf[w.len - 1] == '\n')
			w.buf[--w.len] = '\0';
		pm = strbuf_detach(&w, NULL);
	}
	mv_set_int(inv, "ScriptLineNumber", line);
	mv_set_int(inv, "OffsetInLine", col);
	mv_set_str(inv, "ScriptName", path);
	mv_set_str(inv, "Line", text ? text : "");
	mv_set_str(inv, "PositionMessage", pm ? pm : "");
	char *root = xstrdup(path);
	char *slash = strrchr(root, '/');
	if (slash)
		*(slash == root ? slash + 1 : slash) = '\0';
	mv_set_str(inv, "PSScriptRoot", root);
	mv_set_str(inv, "PSCommandPath", path);
	mv_set_str(inv, "InvocationName", r->invname ? r->invname : r->cmdlet ? r->cmdlet : "");
	free(root);
	free(path);
	free(text);
	free(pm);
	return inv;
}

/* ScriptStackTrace in PowerShell's form, one frame: the error's line. */
static char *stack_trace(const mg_errrec *r)
{
	if (!r->src)
		return xstrdup("");
	int line, col;
	mg_src_linecol(r->src, r->srclen, r->pos > r->srclen ? r->srclen : r->pos, &line, &col);
	char *path = r->origin ? script_path(r->origin) : NULL;
	char *t = xasprintf("at <ScriptBlock>, %s: line %d", path ? path : "<No file>", line);
	free(path);
	return t;
}

mv *mg_errrec_value(mg_session *s, const mg_errrec *r)
{
	mv *o = mv_object(&errrec_type);
	mv *ex = mv_object(&exception_type);
	mv_set_str(ex, "Message", r->err.msg);
	mv_set_str(ex, "TypeName", mg_errrec_exception(r));
	mv_set_str(o, "Message", r->err.msg);
	mv_set_take(o, "Exception", ex);
	mv_set_str(o, "TargetObject", r->target);
	const char *tname = r->target ? r->target : "";
	const char *ttype = r->target ? (r->target_type ? r->target_type : "String") : "";
	const char *activity = r->cmdlet && r->err.code != MGE_CommandNotFoundException ? r->cmdlet : "";
	char cat[256];
	snprintf(cat, sizeof cat, "%s: (%s:%s) [%s], %s", mg_err_category_name(r->err.category), tname, ttype,
	         activity, mg_errrec_exception(r));
	mv *ci = mv_object(&catinfo_type);
	mv_set_str(ci, "Category", mg_err_category_name(r->err.category));
	mv_set_str(ci, "Activity", activity);
	mv_set_str(ci, "Reason", mg_errrec_exception(r));
	mv_set_str(ci, "TargetName", tname);
	mv_set_str(ci, "TargetType", ttype);
	mv_set_str(ci, "Text", cat);
	mv_set_take(o, "CategoryInfo", ci);
	char fq[256];
	if (r->cmdlet && r->err.code != MGE_CommandNotFoundException)
		snprintf(fq, sizeof fq, "%s,%s", r->err.id, r->cmdlet);
	else
		snprintf(fq, sizeof fq, "%s", r->err.id);
	mv_set_str(o, "FullyQualifiedErrorId", fq);
	mv_set_take(o, "InvocationInfo", invocation_value(s, r));
	mv_set_take(o, "ScriptStackTrace", mv_string_take(stack_trace(r)));
	return o;
}

void mg_errrec_report(struct mg_session *s, const mg_errrec *r)
{
	mg_errrec_print(s, r);
	mv *v = mg_errrec_value(s, r);
	mg_session_add_error(s, v);
	mv_unref(v);
	s->last_ok = false;
}

static void parse_error_render(mg_session *s, const char *src, size_t len, const char *origin,
                               const struct mg_parse_error *pe, strbuf *out)
{
	render_where(out, s, src, len, origin, pe->pos, pe->len);
	strbuf_addf(out, "%s\n", pe->msg);
	strbuf_adds(out, "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException\n");
	strbuf_addf(out, "    + FullyQualifiedErrorId : %s\n\n", pe->id);
}

void mg_parse_error_render(const char *src, size_t len, const char *origin,
                           const struct mg_parse_error *pe, strbuf *out)
{
	parse_error_render(NULL, src, len, origin, pe, out);
}

void mg_parse_error_print(struct mg_session *s, const char *src, size_t len, const char *origin,
                          const struct mg_parse_error *pe)
{
	strbuf sb = STRBUF_INIT;
	parse_error_render(s, src, len, origin, pe, &sb);
	FILE *f = s && s->errf ? s->errf : stderr;
	if (use_color(s))
		fprintf(f, "\033[31m%s\033[0m", sb.buf);
	else
		fputs(sb.buf, f);
	fflush(f);
	strbuf_free(&sb);
	if (s)
		s->last_ok = false;
}

void mg_command_not_found(struct mg_session *s, const char *name, mg_err *e)
{
	/* up to three closest names within a distance that still looks like a typo */
	const mg_cmdlet *best[3] = { NULL, NULL, NULL };
	size_t bestd[3] = { (size_t)-1, (size_t)-1, (size_t)-1 };
	size_t n = 0;
	const mg_cmdlet *const *t = s ? mg_session_cmdlets(s, &n) : NULL;
	size_t limit = strlen(name) / 3 + 2;
	for (size_t i = 0; i < n; i++) {
		size_t d = str_distance_ci(t[i]->name, name);
		if (d > limit)
			continue;
		for (int k = 0; k < 3; k++)
			if (d < bestd[k]) {
				for (int j = 2; j > k; j--) {
					best[j] = best[j - 1];
					bestd[j] = bestd[j - 1];
				}
				best[k] = t[i];
				bestd[k] = d;
				break;
			}
	}
	strbuf sug = STRBUF_INIT;
	strbuf_adds(&sug, "");
	for (int k = 0; k < 3 && best[k]; k++)
		strbuf_addf(&sug, "%s%s", k ? ", " : " Did you mean: ", best[k]->name);
	if (best[0])
		strbuf_adds(&sug, "?");
	mg_err_set(e, MGC_NOTFOUND, "CommandNotFoundException",
	           "The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable "
	           "program. Check the spelling of the name, or if a path was included, verify that the path is "
	           "correct and try again.%s", name, sug.buf);
	strbuf_free(&sug);
}
