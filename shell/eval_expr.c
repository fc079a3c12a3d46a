/*
 * eval_expr.c - expressions (literals, expandable strings, variables,
 * members, calls, indexing, sub-expressions, hashtables, arrays, ranges,
 * casts) and assignment.
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---------- expressions ---------- */

static mv *eval_collect_block(ev *e, const ast *blk, bool force_array)
{
	mv *out = mv_array();
	int rc = ev_block(e, blk, out, true);
	if (rc != EV_OK) {
		mv_unref(out);
		return NULL;
	}
	if (force_array)
		return out;
	mv *r = ev_unwrap(out);
	mv_unref(out);
	return r;
}

static mv *index_value(ev *e, const ast *n, mv *obj, mv *idx)
{
	if (idx->kind == MV_ARRAY) {
		if (ev_stack_low(e, n))
			return NULL;
		mv *res = mv_array();
		for (size_t i = 0; i < idx->u.arr.n; i++) {
			mv *v = index_value(e, n, obj, idx->u.arr.items[i]);
			if (!v) {
				mv_unref(res);
				return NULL;
			}
			if (v->kind != MV_NULL)
				mv_array_push(res, v);
			mv_unref(v);
		}
		return res;
	}
	if (obj->kind == MV_HASH || obj->kind == MV_OBJECT) {
		char *k = mv_to_string(idx);
		mv *v = mv_get(obj, k);
		free(k);
		return v ? mv_ref(v) : mv_null();
	}
	long long i;
	if (mv_to_ll(idx, &i) < 0)
		return ev_throwf(e, n, MGC_INVALIDARG, "InvalidIndex", "Array index must be a number.");
	if (obj->kind == MV_ARRAY) {
		mv *v = mv_index(obj, i);
		return v ? mv_ref(v) : mv_null();
	}
	if (obj->kind == MV_STRING) {
		long long L = (long long)obj->u.str.len;
		if (i < 0)
			i += L;
		return i >= 0 && i < L ? mv_string_n(obj->u.str.s + i, 1) : mv_null();
	}
	if (obj->kind == MV_BYTES) {
		long long L = (long long)obj->u.bytes.len;
		if (i < 0)
			i += L;
		return i >= 0 && i < L ? mv_int(obj->u.bytes.p[i]) : mv_null();
	}
	if (obj->kind == MV_NULL)
		return ev_throwf(e, n, MGC_INVALIDOP, "NullArray", "Cannot index into a null array.");
	if (i == 0 || i == -1)
		return mv_ref(obj);
	return mv_null();
}

mv *ev_expr(ev *e, const ast *n)
{
	if (ev_stack_low(e, n))
		return NULL;
	switch (n->kind) {
	case N_NUMBER:
		return n->is_int ? mv_int(n->inum) : mv_double(n->num);
	case N_STRING:
		return mv_string(n->str);
	case N_XSTRING: {
		strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "");
		for (size_t i = 0; i < n->nkids; i++) {
			const ast *k = n->kids[i];
			if (k->kind == N_STRING) {
				strbuf_adds(&sb, k->str);
				continue;
			}
			mv *v = ev_expr(e, k);
			if (!v) {
				strbuf_free(&sb);
				return NULL;
			}
			char *t = mv_to_string(v);
			strbuf_adds(&sb, t);
			free(t);
			mv_unref(v);
		}
		return mv_string_take(strbuf_detach(&sb, NULL));
	}
	case N_VAR:
		return ev_get_var(e, n->str);
	case N_MEMBER: {
		if (n->kids[0]->kind == N_TYPE && (n->flags & AF_STATIC))
			return ev_static_member(e, n, n->kids[0]->str, n->str);
		mv *obj = ev_expr(e, n->kids[0]);
		if (!obj)
			return NULL;
		char *name = n->str ? xstrdup(n->str) : NULL;
		if (!name) {
			mv *nv = ev_expr(e, n->kids[1]);
			if (!nv) {
				mv_unref(obj);
				return NULL;
			}
			name = mv_to_string(nv);
			mv_unref(nv);
		}
		mv *r = ev_member_of(e, n, obj, name);
		free(name);
		mv_unref(obj);
		return r;
	}
	case N_INVOKE: {
		size_t na = n->nkids - 1;
		mv **args = xcalloc(na + 1, sizeof *args);
		mv *res = NULL;
		size_t got = 0;
		for (; got < na; got++) {
			args[got] = ev_expr(e, n->kids[got + 1]);
			if (!args[got])
				goto done;
		}
		if (n->kids[0]->kind == N_TYPE && (n->flags & AF_STATIC)) {
			res = ev_static_call(e, n, n->kids[0]->str, n->str, args, na);
		} else {
			mv *obj = ev_expr(e, n->kids[0]);
			if (obj) {
				res = ev_call_method(e, n, obj, n->str, args, na);
				mv_unref(obj);
			}
		}
	done:
		for (size_t i = 0; i < got; i++)
			mv_unref(args[i]);
		free(args);
		return res;
	}
	case N_INDEX: {
		mv *obj = ev_expr(e, n->kids[0]);
		if (!obj)
			return NULL;
		mv *idx = ev_expr(e, n->kids[1]);
		if (!idx) {
			mv_unref(obj);
			return NULL;
		}
		mv *r = index_value(e, n, obj, idx);
		mv_unref(obj);
		mv_unref(idx);
		return r;
	}
	case N_SUBEXPR:
		return eval_collect_block(e, n->kids[0], false);
	case N_ARRAYEXPR:
		return eval_collect_block(e, n->kids[0], true);
	case N_PAREN: {
		const ast *k = n->kids[0];
		if (k->kind == N_PIPELINE && k->nkids == 1 && k->kids[0]->kind != N_COMMAND)
			return ev_expr(e, k->kids[0]);
		mv *out = mv_array();
		int rc = ev_statement(e, k, out);
		if (rc != EV_OK) {
			mv_unref(out);
			return NULL;
		}
		if (k->kind == N_ASSIGN) {
			mv_unref(out);
			return ev_expr(e, k->kids[0]);
		}
		mv *r = ev_unwrap(out);
		mv_unref(out);
		return r;
	}
	case N_HASH: {
		mv *h = mv_hash();
		for (size_t i = 0; i + 1 < n->nkids; i += 2) {
			mv *k = ev_expr(e, n->kids[i]);
			if (!k) {
				mv_unref(h);
				return NULL;
			}
			mv *out = mv_array();
			int rc = ev_statement(e, n->kids[i + 1], out);
			if (rc != EV_OK) {
				mv_unref(out);
				mv_unref(k);
				mv_unref(h);
				return NULL;
			}
			mv *v = n->kids[i + 1]->kind == N_PIPELINE && n->kids[i + 1]->nkids == 1 &&
			        n->kids[i + 1]->kids[0]->kind != N_COMMAND
			        ? NULL : ev_unwrap(out);
			if (!v) {
				/* a plain expression keeps its value as is (arrays stay arrays) */
				v = ev_expr(e, n->kids[i + 1]->kids[0]);
				if (!v) {
					mv_unref(out);
					mv_unref(k);
					mv_unref(h);
					return NULL;
				}
			}
			mv_unref(out);
			char *ks = mv_to_string(k);
			mv_set_take(h, ks, v);
			free(ks);
			mv_unref(k);
		}
		return h;
	}
	case N_SCRIPTBLOCK:
		return ev_make_scriptblock(e, n);
	case N_TYPE:
		return mv_string(n->str);
	case N_CAST: {
		mv *v = ev_expr(e, n->kids[0]);
		if (!v)
			return NULL;
		mv *r = ev_cast_to(e, n, n->str, v);
		mv_unref(v);
		return r;
	}
	case N_ARRAY: {
		mv *a = mv_array();
		for (size_t i = 0; i < n->nkids; i++) {
			mv *v = ev_expr(e, n->kids[i]);
			if (!v) {
				mv_unref(a);
				return NULL;
			}
			mv_array_push_take(a, v);
		}
		return a;
	}
	case N_RANGE: {
		mv *l = ev_expr(e, n->kids[0]);
		mv *r = l ? ev_expr(e, n->kids[1]) : NULL;
		long long a, b;
		if (!l || !r || mv_to_ll(l, &a) < 0 || mv_to_ll(r, &b) < 0) {
			mv_unref(l);
			mv_unref(r);
			return e->has_err ? NULL : ev_throwf(e, n, MGC_INVALIDARG, "RangeNotNumeric", "The range operator needs two numbers.");
		}
		mv_unref(l);
		mv_unref(r);
		unsigned long long span = a > b ? (unsigned long long)a - (unsigned long long)b
		                                : (unsigned long long)b - (unsigned long long)a;
		if (span > 1000000)
			return ev_throwf(e, n, MGC_LIMIT, "RangeTooLarge", "The range is too large (more than 1,000,000 numbers).");
		if (ev_over_limit(e, n, "array", span + 1, e->s->max_items))
			return NULL;
		mv *arr = mv_array();
		for (long long i = a;; i += a <= b ? 1 : -1) {
			mv_array_push_take(arr, mv_int(i));
			if (i == b)
				break;
		}
		return arr;
	}
	case N_UNOP: {
		mv *v = ev_expr(e, n->kids[0]);
		if (!v)
			return NULL;
		mv *r;
		if (n->op == OP_NOT) {
			r = mv_bool(!mv_truthy(v));
		} else {
			mv *zero = mv_int(0);
			r = ev_arith(e, n, n->op == OP_NEG ? OP_SUB : OP_ADD, zero, v);
			mv_unref(zero);
		}
		mv_unref(v);
		return r;
	}
	case N_BINOP:
		return ev_binop(e, n);
	case N_PIPELINE:
	case N_ASSIGN:
	case N_IF:
	case N_FOREACH:
	case N_EXIT:
	case N_WHILE:
	case N_FOR:
	case N_BREAK:
	case N_TRY:
	case N_THROW:
	case N_REDIR:
		return ev_throwf(e, n, MGC_PARSER, "UnexpectedRedirection", "A redirection cannot be used as a value.");
	case N_ATTR:
	case N_NAMEDBLOCK:
		break;
	case N_FUNCDEF:
	case N_SWITCH:
	case N_BLOCK: {
		mv *out = mv_array();
		int rc = n->kind == N_BLOCK ? ev_block(e, n, out, true) : ev_statement(e, n, out);
		mv *r = rc == EV_OK ? ev_unwrap(out) : NULL;
		mv_unref(out);
		return r;
	}
	case N_COMMAND:
	case N_CMDPARAM:
		break;
	}
	return ev_throwf(e, n, MGC_PARSER, "UnexpectedNode", "Cannot evaluate a %s here.", ast_kind_name(n->kind));
}

/* ---------- assignment ---------- */

/* The value of an assignment's right side or a foreach collection: a bare
 * expression is evaluated directly; a pipeline is run and its output
 * collected (unwrapped to a scalar / $null like an assignment when
 * unwrap_output).  *out gets a new reference; EV_OK, or the error code. */
int ev_value(ev *e, const ast *pl, bool unwrap_output, mv **out)
{
	*out = NULL;
	if (pl->kind == N_PIPELINE && pl->nkids == 1 && pl->kids[0]->kind != N_COMMAND) {
		*out = ev_expr(e, pl->kids[0]);
		return *out ? EV_OK : EV_ERR;
	}
	mv *o = mv_array();
	int rc = ev_statement(e, pl, o);
	if (rc != EV_OK) {
		mv_unref(o);
		return rc;
	}
	if (!unwrap_output) {
		*out = o;
		return EV_OK;
	}
	*out = ev_unwrap(o);
	mv_unref(o);
	return EV_OK;
}

static int assign_value(ev *e, const ast *n, const ast *target, mv *val);

int ev_assign(ev *e, const ast *n, mv *out)
{
	(void)out;
	const ast *target = n->kids[0];
	const ast *rhs = n->kids[1];
	mv *val;
	int vrc = ev_value(e, rhs, true, &val);
	if (vrc != EV_OK)
		return vrc;
	if (target->kind == N_ARRAY && n->op == OP_NONE) {
		/* $a, $b = 1, 2, 3: each target takes one item, the last one the rest */
		size_t nt = target->nkids, nv = val->kind == MV_ARRAY ? val->u.arr.n : 1;
		int rc = EV_OK;
		for (size_t i = 0; i < nt && rc == EV_OK; i++) {
			mv *part;
			if (val->kind != MV_ARRAY) {
				part = i == 0 ? mv_ref(val) : mv_null();
			} else if (i + 1 < nt || nv <= nt) {
				part = i < nv ? mv_ref(val->u.arr.items[i]) : mv_null();
			} else {
				part = mv_array();
				for (size_t k = i; k < nv; k++)
					mv_array_push(part, val->u.arr.items[k]);
			}
			rc = assign_value(e, n, target->kids[i], part);
		}
		mv_unref(val);
		return rc;
	}
	return assign_value(e, n, target, val);
}

/* Store val (consumed) in target; for op= the current value is combined. */
static int assign_value(ev *e, const ast *n, const ast *target, mv *val)
{
	if (n->op != OP_NONE) {
		mv *cur = ev_expr(e, target);
		if (!cur) {
			mv_unref(val);
			return EV_ERR;
		}
		mv *nv = ev_arith(e, n, n->op, cur, val);
		mv_unref(cur);
		mv_unref(val);
		if (!nv)
			return EV_ERR;
		val = nv;
	}
	if (target->kind == N_CAST) {
		mv *cv = ev_cast_to(e, target, target->str, val);
		mv_unref(val);
		if (!cv)
			return EV_ERR;
		val = cv;
		target = target->kids[0];
	}
	int rc = EV_OK;
	if (target->kind == N_VAR) {
		if (ev_set_var(e, target, target->str, val) < 0)
			rc = EV_ERR;
	} else if (target->kind == N_MEMBER && target->str) {
		mv *obj = ev_expr(e, target->kids[0]);
		if (!obj) {
			rc = EV_ERR;
		} else if (obj->kind == MV_HASH || obj->kind == MV_OBJECT) {
			mv_set(obj, target->str, val);
			mv_unref(obj);
		} else {
			ev_throwf(e, target, MGC_INVALIDOP, "PropertyAssignmentException",
			       "The property '%s' cannot be found on this object. Verify that the property exists and can be set.",
			       target->str);
			mv_unref(obj);
			rc = EV_ERR;
		}
	} else if (target->kind == N_INDEX) {
		mv *obj = ev_expr(e, target->kids[0]);
		mv *idx = obj ? ev_expr(e, target->kids[1]) : NULL;
		if (!obj || !idx) {
			rc = EV_ERR;
		} else if (obj->kind == MV_HASH || obj->kind == MV_OBJECT) {
			char *k = mv_to_string(idx);
			mv_set(obj, k, val);
			free(k);
		} else if (obj->kind == MV_ARRAY) {
			long long i;
			if (mv_to_ll(idx, &i) < 0 || (i < 0 ? i + (long long)obj->u.arr.n : i) >= (long long)obj->u.arr.n ||
			    (i < 0 && i + (long long)obj->u.arr.n < 0)) {
				ev_throwf(e, target, MGC_INVALIDOP, "IndexOutOfRange", "Index was outside the bounds of the array.");
				rc = EV_ERR;
			} else {
				if (i < 0)
					i += (long long)obj->u.arr.n;
				mv_unref(obj->u.arr.items[i]);
				obj->u.arr.items[i] = mv_ref(val);
			}
		} else {
			ev_throwf(e, target, MGC_INVALIDOP, "CannotIndex", "Cannot index into a %s.", mv_kind_name(obj));
			rc = EV_ERR;
		}
		mv_unref(obj);
		mv_unref(idx);
	} else {
		ev_throwf(e, target, MGC_PARSER, "InvalidLeftHandSide", "The assignment expression is not valid: "
		       "the left side must be a variable or a property.");
		rc = EV_ERR;
	}
	mv_unref(val);
	return rc;
}

