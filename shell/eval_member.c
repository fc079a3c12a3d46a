/*
 * eval_member.c - property access: $x.Name on objects, hashtables, strings,
 * dates, time spans and sizes, and member enumeration over arrays.
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <string.h>
#include <time.h>

/* ---------- members ---------- */

static mv *member_enum(ev *e, const ast *at, mv *obj, const char *name, size_t *arrays);

static mv *member_scalar(ev *e, const ast *at, mv *obj, const char *name, bool *found)
{
	*found = true;
	switch (obj->kind) {
	case MV_OBJECT:
	case MV_HASH: {
		mv *v = mv_get(obj, name);
		if (v)
			return mv_ref(v);
		if (obj->kind == MV_HASH && (str_ieq(name, "Count") || str_ieq(name, "Length")))
			return mv_int((long long)obj->u.obj.n);
		if (obj->kind == MV_HASH && str_ieq(name, "Keys")) {
			mv *a = mv_array();
			for (size_t i = 0; i < obj->u.obj.n; i++)
				mv_array_push_take(a, mv_string(obj->u.obj.props[i].name));
			return a;
		}
		if (obj->kind == MV_HASH && str_ieq(name, "Values")) {
			mv *a = mv_array();
			for (size_t i = 0; i < obj->u.obj.n; i++)
				mv_array_push(a, obj->u.obj.props[i].val);
			return a;
		}
		if (str_ieq(name, "Count") || str_ieq(name, "Length"))
			return mv_int(1);
		if (obj->kind == MV_OBJECT && str_ieq(name, "PSObject"))
			return mv_ref(obj);
		break;
	}
	case MV_STRING:
		if (str_ieq(name, "Length"))
			return mv_int((long long)obj->u.str.len);
		if (str_ieq(name, "Count"))
			return mv_int(1);   /* every scalar counts as one item */
		break;
	case MV_BYTES:
		if (str_ieq(name, "Length") || str_ieq(name, "Count"))
			return mv_int((long long)obj->u.bytes.len);
		break;
	case MV_DATETIME: {
		time_t t = (time_t)obj->u.dt.sec;
		struct tm tm;
		localtime_r(&t, &tm);
		if (str_ieq(name, "Count"))
			return mv_int(1);
		if (str_ieq(name, "Year")) return mv_int(tm.tm_year + 1900);
		if (str_ieq(name, "Month")) return mv_int(tm.tm_mon + 1);
		if (str_ieq(name, "Day")) return mv_int(tm.tm_mday);
		if (str_ieq(name, "Hour")) return mv_int(tm.tm_hour);
		if (str_ieq(name, "Minute")) return mv_int(tm.tm_min);
		if (str_ieq(name, "Second")) return mv_int(tm.tm_sec);
		if (str_ieq(name, "DayOfWeek")) {
			static const char *const days[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" };
			return mv_string(days[tm.tm_wday]);
		}
		break;
	}
	case MV_TIMESPAN:
	case MV_SIZE: {
		long long ms = obj->u.i;
		if (obj->kind == MV_SIZE) {
			if (str_ieq(name, "Value") || str_ieq(name, "Bytes"))
				return mv_int(ms);
			break;
		}
		if (str_ieq(name, "TotalMilliseconds")) return mv_double((double)ms);
		if (str_ieq(name, "TotalSeconds")) return mv_double(ms / 1000.0);
		if (str_ieq(name, "TotalMinutes")) return mv_double(ms / 60000.0);
		if (str_ieq(name, "TotalHours")) return mv_double(ms / 3600000.0);
		if (str_ieq(name, "TotalDays")) return mv_double(ms / 86400000.0);
		if (str_ieq(name, "Days")) return mv_int(ms / 86400000);
		if (str_ieq(name, "Hours")) return mv_int(ms / 3600000 % 24);
		if (str_ieq(name, "Minutes")) return mv_int(ms / 60000 % 60);
		if (str_ieq(name, "Seconds")) return mv_int(ms / 1000 % 60);
		if (str_ieq(name, "Milliseconds")) return mv_int(ms % 1000);
		break;
	}
	case MV_NULL:
		if (str_ieq(name, "Count") || str_ieq(name, "Length"))
			return mv_int(0);
		break;
	default:
		if (str_ieq(name, "Count") || str_ieq(name, "Length"))
			return mv_int(1);
		break;
	}
	(void)e;
	(void)at;
	*found = false;
	return mv_null();
}

/* member enumeration visits at most this many nested arrays (an array that
 * holds itself twice would otherwise take exponential time) */
#define MEMBER_ARRAYS 100000

mv *ev_member_of(ev *e, const ast *at, mv *obj, const char *name)
{
	size_t arrays = MEMBER_ARRAYS;
	return member_enum(e, at, obj, name, &arrays);
}

static mv *member_enum(ev *e, const ast *at, mv *obj, const char *name, size_t *arrays)
{
	if (obj->kind == MV_ARRAY) {
		if (ev_stack_low(e, at))
			return NULL;
		if (*arrays == 0)
			return ev_throwf(e, at, MGC_LIMIT, "MemberEnumerationTooLarge",
			              "Cannot get '%s' of each item: the arrays nest more than %d times.",
			              name, MEMBER_ARRAYS);
		--*arrays;
		if (str_ieq(name, "Count") || str_ieq(name, "Length"))
			return mv_int((long long)obj->u.arr.n);
		/* member enumeration: each item's value, flattened */
		mv *res = mv_array();
		for (size_t i = 0; i < obj->u.arr.n; i++) {
			bool found;
			mv *v = obj->u.arr.items[i]->kind == MV_ARRAY
			        ? member_enum(e, at, obj->u.arr.items[i], name, arrays)
			        : member_scalar(e, at, obj->u.arr.items[i], name, &found);
			if (!v) {
				mv_unref(res);
				return NULL;
			}
			if (v->kind == MV_ARRAY) {
				for (size_t k = 0; k < v->u.arr.n; k++)
					mv_array_push(res, v->u.arr.items[k]);
			} else if (v->kind != MV_NULL) {
				mv_array_push(res, v);
			}
			mv_unref(v);
		}
		mv *r = res->u.arr.n == 1 ? mv_ref(res->u.arr.items[0]) : mv_ref(res);
		if (res->u.arr.n == 0) {
			mv_unref(r);
			r = mv_null();
		}
		mv_unref(res);
		return r;
	}
	bool found;
	return member_scalar(e, at, obj, name, &found);
}

