/* session.c - the shell session object: variables and their scopes, $Error, slots, data directory. */
#include "config.h"
#include "shell/session.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static void scope_clear(mg_scope *sc);

char *mg_session_default_home(void)
{
	const char *h = getenv("MIGSH_HOME");
	if (h && *h)
		return xstrdup(h);
	const char *x = getenv("XDG_DATA_HOME");
	if (x && *x)
		return xasprintf("%s/migsh", x);
	const char *home = getenv("HOME");
	return xasprintf("%s/.local/share/migsh", home && *home ? home : ".");
}

/* Half of the stack the process may grow to (8 MiB when unlimited or not
 * known): the rest is left to cmdlets, formatting and the C library below
 * the deepest evaluation frame. */
static size_t stack_budget(void)
{
	struct rlimit rl;
	size_t lim = (size_t)8 * 1024 * 1024;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)lim)
		lim = (size_t)rl.rlim_cur;
	return lim / 2;
}

mg_session *mg_session_new(const char *home, const mg_cmdlet_source *src, mg_err *err)
{
	mg_session *s = xcalloc(1, sizeof *s);
	s->home = home ? xstrdup(home) : mg_session_default_home();
	if (mg_mkdir_p(s->home, 0700, err) < 0) {
		mg_err_prefix(err, "cannot create the data directory %s (set MIGSH_HOME to a writable place)", s->home);
		free(s->home);
		free(s);
		return NULL;
	}
	s->global.script = true;
	s->scope = &s->global;
	s->errors = mv_array();
	s->last_ok = true;
	s->out = stdout;
	s->errf = stderr;
	s->max_string = MG_DEFAULT_MAX_STRING;
	s->max_items = MG_DEFAULT_MAX_ITEMS;
	s->stack_budget = stack_budget();
	if (src)
		s->cmdlets = *src;
	return s;
}

void mg_session_free(mg_session *s)
{
	if (!s)
		return;
	while (s->scope && s->scope != &s->global)
		mg_scope_pop(s);
	scope_clear(&s->global);
	/* slots are released newest first: later layers may depend on earlier ones */
	for (size_t i = s->nslots; i-- > 0; ) {
		if (s->slots[i].release)
			s->slots[i].release(s->slots[i].p);
		free(s->slots[i].key);
	}
	free(s->slots);
	free(s->name_sources);
	mv_unref(s->errors);
	free(s->home);
	free(s);
}

/* ---------- variables and scopes ---------- */

mg_scope *mg_scope_new(mg_scope *parent, bool script)
{
	mg_scope *sc = xcalloc(1, sizeof *sc);
	sc->parent = parent;
	sc->script = script;
	return sc;
}

static void scope_clear(mg_scope *sc)
{
	for (size_t i = 0; i < sc->nvars; i++) {
		free(sc->vars[i].name);
		mv_unref(sc->vars[i].val);
	}
	free(sc->vars);
	sc->vars = NULL;
	sc->nvars = sc->capvars = 0;
}

void mg_scope_free(mg_scope *sc)
{
	if (!sc)
		return;
	scope_clear(sc);
	free(sc);
}

mg_scope *mg_scope_push(mg_session *s, bool script)
{
	s->scope = mg_scope_new(s->scope, script);
	return s->scope;
}

void mg_scope_pop(mg_session *s)
{
	mg_scope *sc = s->scope;
	if (!sc || sc == &s->global)
		return;
	s->scope = sc->parent;
	mg_scope_free(sc);
}

mg_var *mg_scope_find(mg_scope *sc, const char *name)
{
	for (size_t i = 0; i < sc->nvars; i++)
		if (str_ieq(sc->vars[i].name, name))
			return &sc->vars[i];
	return NULL;
}

void mg_scope_set_take(mg_scope *sc, const char *name, mv *val, bool private_)
{
	if (!val)
		val = mv_null();
	mg_var *v = mg_scope_find(sc, name);
	if (v) {
		mv_unref(v->val);
		v->val = val;
		v->private_ = v->private_ || private_;
		return;
	}
	GROW(sc->vars, sc->capvars, sc->nvars + 1);
	sc->vars[sc->nvars].name = xstrdup(name);
	sc->vars[sc->nvars].val = val;
	sc->vars[sc->nvars].private_ = private_;
	sc->nvars++;
}

bool mg_scope_remove(mg_scope *sc, const char *name)
{
	mg_var *v = mg_scope_find(sc, name);
	if (!v)
		return false;
	size_t i = (size_t)(v - sc->vars);
	free(v->name);
	mv_unref(v->val);
	memmove(&sc->vars[i], &sc->vars[i + 1], (sc->nvars - i - 1) * sizeof *sc->vars);
	sc->nvars--;
	return true;
}

static mg_scope *script_scope(mg_session *s)
{
	mg_scope *sc = s->scope;
	while (sc->parent && !sc->script)
		sc = sc->parent;
	return sc;
}

mg_scope *mg_scope_named(mg_session *s, const char *spec, mg_err *err)
{
	if (str_ieq(spec, "Global"))
		return &s->global;
	if (str_ieq(spec, "Script"))
		return script_scope(s);
	if (str_ieq(spec, "Local") || str_ieq(spec, "Private"))
		return s->scope;
	char *end;
	long n = *spec >= '0' && *spec <= '9' ? strtol(spec, &end, 10) : -1;
	if (n < 0 || *end) {
		mg_err_set(err, MGC_INVALIDARG, "ArgumentException",
		           "The scope \"%s\" could not be found. Use Global, Script, Local, or a number (0 is the current scope).",
		           spec);
		return NULL;
	}
	mg_scope *sc = s->scope;
	for (long i = 0; i < n && sc; i++)
		sc = sc->parent;
	if (!sc)
		mg_err_set(err, MGC_INVALIDARG, "ArgumentOutOfRange",
		           "The scope number '%ld' exceeds the number of active scopes.", n);
	return sc;
}

/* The scope a qualified name names ("global:x" -> the global scope, name
 * advanced past the qualifier), or NULL for a plain name. */
static mg_scope *qualified(mg_session *s, const char **name, bool *private_)
{
	const char *n = *name;
	const char *colon = strchr(n, ':');
	*private_ = false;
	if (!colon)
		return NULL;
	size_t l = (size_t)(colon - n);
	mg_scope *sc = NULL;
	if (l == 6 && strncasecmp(n, "global", 6) == 0)
		sc = &s->global;
	else if (l == 6 && strncasecmp(n, "script", 6) == 0)
		sc = script_scope(s);
	else if (l == 5 && strncasecmp(n, "local", 5) == 0)
		sc = s->scope;
	else if (l == 7 && strncasecmp(n, "private", 7) == 0) {
		sc = s->scope;
		*private_ = true;
	}
	if (sc)
		*name = colon + 1;
	return sc;
}

/* The visible variable: the current scope's, else the nearest parent's
 * that is not private. */
static mg_var *find_visible(mg_session *s, const char *name)
{
	for (mg_scope *sc = s->scope; sc; sc = sc->parent) {
		mg_var *v = mg_scope_find(sc, name);
		if (v && (sc == s->scope || !v->private_))
			return v;
	}
	return NULL;
}

static mg_var *find_var(mg_session *s, const char *name, mg_scope **where)
{
	bool priv;
	mg_scope *sc = qualified(s, &name, &priv);
	if (sc) {
		*where = sc;
		return mg_scope_find(sc, name);
	}
	for (sc = s->scope; sc; sc = sc->parent) {
		mg_var *v = mg_scope_find(sc, name);
		if (v && (sc == s->scope || !v->private_)) {
			*where = sc;
			return v;
		}
	}
	return NULL;
}

mv *mg_var_get(mg_session *s, const char *name)
{
	mg_scope *sc;
	mg_var *v = find_var(s, name, &sc);
	return v ? v->val : NULL;
}

void mg_var_set_take(mg_session *s, const char *name, mv *val)
{
	bool priv;
	mg_scope *sc = qualified(s, &name, &priv);
	mg_scope_set_take(sc ? sc : s->scope, name, val, priv);
}

void mg_var_set(mg_session *s, const char *name, mv *val)
{
	mg_var_set_take(s, name, val ? mv_ref(val) : NULL);
}

void mg_var_remove(mg_session *s, const char *name)
{
	mg_scope *sc = NULL;
	mg_var *v = find_var(s, name, &sc);
	if (v)
		mg_scope_remove(sc, v->name);
}

mg_var **mg_vars_visible(mg_session *s, size_t *n)
{
	mg_var **list = NULL;
	size_t cnt = 0, cap = 0;
	for (mg_scope *sc = s->scope; sc; sc = sc->parent)
		for (size_t i = 0; i < sc->nvars; i++) {
			mg_var *v = &sc->vars[i];
			if (find_visible(s, v->name) != v)
				continue;   /* shadowed, or private to a parent */
			GROW(list, cap, cnt + 1);
			list[cnt++] = v;
		}
	*n = cnt;
	return list;
}

void mg_session_add_error(mg_session *s, mv *rec)
{
	/* $Error is newest first, like PowerShell ($Error[0] = the last error);
	 * keep at most 256 records. */
	mv *n = mv_array();
	mv_array_push(n, rec);
	size_t cnt = mv_count(s->errors);
	for (size_t i = 0; i < cnt && i < 255; i++)
		mv_array_push(n, mv_index(s->errors, (long long)i));
	mv_unref(s->errors);
	s->errors = n;
}

void *mg_session_slot(struct mg_session *s, const char *key)
{
	for (size_t i = 0; i < s->nslots; i++)
		if (strcmp(s->slots[i].key, key) == 0)
			return s->slots[i].p;
	return NULL;
}

void mg_session_set_slot(struct mg_session *s, const char *key, void *p, void (*release)(void *))
{
	for (size_t i = 0; i < s->nslots; i++)
		if (strcmp(s->slots[i].key, key) == 0) {
			if (s->slots[i].release && s->slots[i].p != p)
				s->slots[i].release(s->slots[i].p);
			s->slots[i].p = p;
			s->slots[i].release = release;
			return;
		}
	GROW(s->slots, s->capslots, s->nslots + 1);
	s->slots[s->nslots].key = xstrdup(key);
	s->slots[s->nslots].p = p;
	s->slots[s->nslots].release = release;
	s->nslots++;
}

void mg_session_add_name_source(mg_session *s, mg_name_source fn)
{
	GROW(s->name_sources, s->capsources, s->nsources + 1);
	s->name_sources[s->nsources++] = fn;
}

char **mg_session_names(mg_session *s, mg_complete kind, const char *prefix)
{
	char **all = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < s->nsources; i++) {
		char **got = s->name_sources[i](s, kind, prefix);
		if (!got)
			continue;
		for (size_t j = 0; got[j]; j++) {
			GROW(all, cap, n + 1);
			all[n++] = got[j];
		}
		free(got);
	}
	GROW(all, cap, n + 1);
	all[n] = NULL;
	return all;
}

const mg_cmdlet *mg_session_find_cmdlet(mg_session *s, const char *name)
{
	return s->cmdlets.find ? s->cmdlets.find(name) : NULL;
}

const mg_cmdlet *const *mg_session_cmdlets(mg_session *s, size_t *count)
{
	if (s->cmdlets.table)
		return s->cmdlets.table(count);
	static const mg_cmdlet *const none[1] = { NULL };
	*count = 0;
	return none;
}

bool mg_session_sleep(mg_session *s, long long ms)
{
	if (ms < 0)
		ms = 0;
	/* slices of at most 100 ms: a Ctrl-C that lands just before a slice
	 * starts is seen within one */
	while (ms > 0) {
		if (mg_session_interrupted(s))
			return false;
		long long step = ms > 100 ? 100 : ms;
		struct timespec ts = { (time_t)(step / 1000), (long)(step % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			if (mg_session_interrupted(s))
				return false;
		ms -= step;
	}
	return !mg_session_interrupted(s);
}

/* SIGINT outside the REPL: a signal handler cannot reach the session, so
 * the flag is file-level (like the REPL's); the handler only sets it. */
static volatile sig_atomic_t script_sigint;

static void on_script_sigint(int sig)
{
	(void)sig;
	script_sigint = 1;
}

bool mg_session_catch_interrupt(mg_session *s, struct sigaction *old)
{
	if (s->interrupted)
		return false;
	if (sigaction(SIGINT, NULL, old) < 0 || old->sa_handler == SIG_IGN)
		return false;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_script_sigint;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0)   /* no SA_RESTART: sleeps see EINTR */
		return false;
	script_sigint = 0;
	s->interrupted = &script_sigint;
	return true;
}

void mg_session_release_interrupt(mg_session *s, const struct sigaction *old)
{
	bool hit = script_sigint != 0;
	s->interrupted = NULL;
	sigaction(SIGINT, old, NULL);
	if (hit && old->sa_handler == SIG_DFL) {
		fflush(s->out);
		fflush(s->errf);
		raise(SIGINT);
	}
	script_sigint = 0;
}
