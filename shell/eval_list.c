/*
 * eval_list.c - the instance methods of .NET lists (System.Collections.
 * ArrayList, System.Collections.Generic.List[T]): an MV_ARRAY whose
 * u.arr.list says which.  They change the list in place, so every variable
 * that holds it sees the change.  ArrayList.Add returns the new item's
 * index (which a script prints unless it is piped to Out-Null or cast to
 * [void]); List[T].Add returns nothing and converts the item to T.
 */
#include "config.h"
#include "shell/eval_internal.h"

#include <stdlib.h>
#include <string.h>

/* The item as the list keeps it: converted to the element type of a
 * List[T].  New reference, or NULL with the error thrown. */
static mv *list_item(ev *e, const ast *n, const mv *list, mv *v)
{
	const char *elem = list->u.arr.list->elem;
	return elem ? ev_cast_to(e, n, elem, v) : mv_ref(v);
}

static void insert_at(mv *list, size_t at, mv *item)
{
	mv_array_push_take(list, item);   /* grows the storage */
	memmove(&list->u.arr.items[at + 1], &list->u.arr.items[at],
	        (list->u.arr.n - 1 - at) * sizeof *list->u.arr.items);
	list->u.arr.items[at] = item;
}

static void remove_at(mv *list, size_t at)
{
	mv_unref(list->u.arr.items[at]);
	memmove(&list->u.arr.items[at], &list->u.arr.items[at + 1],
	        (list->u.arr.n - at - 1) * sizeof *list->u.arr.items);
	list->u.arr.n--;
}

/* .NET's words for an index out of range (RemoveAt, Insert). */
static mv *out_of_range(ev *e, const ast *n, const mv *list, const char *m, size_t nargs)
{
	const char *why = !str_ieq(m, "Insert")
	                  ? "Index was out of range. Must be non-negative and less than the size of the collection."
	                  : list->u.arr.list->add_returns_index
	                  ? "Insertion index was out of range. Must be non-negative and less than or equal to size."
	                  : "Index must be within the bounds of the List.";
	return ev_throwf(e, n, MGC_INVALIDARG, "ArgumentOutOfRangeException",
	                 "Exception calling \"%s\" with \"%zu\" argument(s): \"%s (Parameter 'index')\"",
	                 m, nargs, why);
}

/* An index argument in [0, max]; -1 when it is not one. */
static long long index_arg(mv *a, size_t max)
{
	long long i;
	if (mv_to_ll(a, &i) < 0 || i < 0 || (unsigned long long)i > max)
		return -1;
	return i;
}

static long long index_of(const mv *list, const mv *v)
{
	for (size_t i = 0; i < list->u.arr.n; i++)
		if (mv_equal(list->u.arr.items[i], v, false))
			return (long long)i;
	return -1;
}

static int cmp_items(const void *a, const void *b)
{
	bool ok;
	return mv_compare(*(mv *const *)a, *(mv *const *)b, true, &ok);
}

mv *ev_list_method(ev *e, const ast *n, mv *obj, const char *m, mv **args, size_t nargs, bool *handled)
{
	*handled = true;
	size_t cnt = obj->u.arr.n;
	if (str_ieq(m, "Add") && nargs == 1) {
		mv *it = list_item(e, n, obj, args[0]);
		if (!it)
			return NULL;
		mv_array_push_take(obj, it);
		return obj->u.arr.list->add_returns_index ? mv_int((long long)cnt) : mv_null();
	}
	if (str_ieq(m, "AddRange") && nargs == 1) {
		mv *src = mv_array_snapshot(args[0]);   /* $l.AddRange($l) */
		size_t k = src->kind == MV_ARRAY ? src->u.arr.n : src->kind == MV_NULL ? 0 : 1;
		for (size_t i = 0; i < k; i++) {
			mv *it = list_item(e, n, obj, src->kind == MV_ARRAY ? src->u.arr.items[i] : src);
			if (!it) {
				mv_unref(src);
				return NULL;
			}
			mv_array_push_take(obj, it);
		}
		mv_unref(src);
		return mv_null();
	}
	if (str_ieq(m, "Insert") && nargs == 2) {
		long long at = index_arg(args[0], cnt);
		if (at < 0)
			return out_of_range(e, n, obj, m, nargs);
		mv *it = list_item(e, n, obj, args[1]);
		if (!it)
			return NULL;
		insert_at(obj, (size_t)at, it);
		return mv_null();
	}
	if (str_ieq(m, "Remove") && nargs == 1) {
		long long at = index_of(obj, args[0]);
		if (at >= 0)
			remove_at(obj, (size_t)at);
		/* ArrayList.Remove returns nothing, List[T].Remove whether it found the item */
		return obj->u.arr.list->add_returns_index ? mv_null() : mv_bool(at >= 0);
	}
	if (str_ieq(m, "RemoveAt") && nargs == 1) {
		long long at = cnt ? index_arg(args[0], cnt - 1) : -1;
		if (at < 0)
			return out_of_range(e, n, obj, m, nargs);
		remove_at(obj, (size_t)at);
		return mv_null();
	}
	if (str_ieq(m, "Clear") && nargs == 0) {
		while (obj->u.arr.n)
			remove_at(obj, obj->u.arr.n - 1);
		return mv_null();
	}
	if (str_ieq(m, "IndexOf") && nargs == 1)
		return mv_int(index_of(obj, args[0]));
	if (str_ieq(m, "Contains") && nargs == 1)
		return mv_bool(index_of(obj, args[0]) >= 0);
	if (str_ieq(m, "ToArray") && nargs == 0)
		return mv_array_snapshot(obj);
	if (str_ieq(m, "Clone") && nargs == 0) {
		/* a new list of the same type holding the same items */
		mv *l = mv_list(obj->u.arr.list);
		for (size_t i = 0; i < cnt; i++)
			mv_array_push(l, obj->u.arr.items[i]);
		return l;
	}
	if (str_ieq(m, "Reverse") && nargs == 0) {
		for (size_t i = 0; i < cnt / 2; i++) {
			mv *t = obj->u.arr.items[i];
			obj->u.arr.items[i] = obj->u.arr.items[cnt - 1 - i];
			obj->u.arr.items[cnt - 1 - i] = t;
		}
		return mv_null();
	}
	if (str_ieq(m, "Sort") && nargs == 0) {
		if (cnt > 1)
			qsort(obj->u.arr.items, cnt, sizeof *obj->u.arr.items, cmp_items);
		return mv_null();
	}
	*handled = false;
	return NULL;
}
