/* netfmt.c - .NET numeric format strings (see netfmt.h). */
#include "config.h"
#include "shell/netfmt.h"
#include "common/str.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A number as decimal digits: integer part (no leading zeros, "0" for
 * zero) and exactly nfrac fraction digits, rounded half away from zero. */
typedef struct num {
	bool neg;
	char ip[340];
	char fp[128];
} num;

static bool is_int_value(const mv *v)
{
	return v->kind == MV_INT || v->kind == MV_SIZE || v->kind == MV_TIMESPAN;
}

/* Add one unit in the last place of the digit string s (in place);
 * returns true when it carried out of the first digit. */
static bool bump(char *s, size_t n)
{
	for (size_t i = n; i-- > 0; ) {
		if (s[i] < '9') {
			s[i]++;
			return false;
		}
		s[i] = '0';
	}
	return true;
}

static void to_num(const mv *v, double scale, int nfrac, num *o)
{
	memset(o, 0, sizeof *o);
	if (is_int_value(v) && scale == 1.0) {
		unsigned long long u = v->u.i < 0 ? 0ULL - (unsigned long long)v->u.i : (unsigned long long)v->u.i;
		o->neg = v->u.i < 0;
		snprintf(o->ip, sizeof o->ip, "%llu", u);
		memset(o->fp, '0', (size_t)nfrac);
		return;
	}
	double d;
	if (is_int_value(v))
		d = (double)v->u.i;
	else
		mv_to_double(v, &d);
	d *= scale;
	o->neg = signbit(d) != 0;
	/* glibc prints the exact decimal value; 20 more digits than needed
	 * show whether the first dropped digit is 5 or more */
	char buf[512];
	snprintf(buf, sizeof buf, "%.*f", nfrac + 20, fabs(d));
	char *dot = strchr(buf, '.');
	*dot = '\0';
	size_t il = strlen(buf);
	char digits[512];
	memcpy(digits, buf, il);
	memcpy(digits + il, dot + 1, (size_t)nfrac);
	size_t n = il + (size_t)nfrac;
	digits[n] = '\0';
	if (dot[1 + nfrac] >= '5' && bump(digits, n)) {
		memmove(digits + 1, digits, n + 1);
		digits[0] = '1';
		il++;
		n++;
	}
	/* integer part without leading zeros */
	size_t lead = 0;
	while (lead + 1 < il && digits[lead] == '0')
		lead++;
	snprintf(o->ip, sizeof o->ip, "%.*s", (int)(il - lead), digits + lead);
	memcpy(o->fp, digits + il, (size_t)nfrac);
	o->fp[nfrac] = '\0';
}

static bool num_is_zero(const num *n)
{
	return strspn(n->ip, "0") == strlen(n->ip) && strspn(n->fp, "0") == strlen(n->fp);
}

static void add_int(strbuf *out, const char *ip, bool group)
{
	size_t n = strlen(ip);
	for (size_t i = 0; i < n; i++) {
		strbuf_addc(out, ip[i]);
		if (group && i + 1 < n && (n - 1 - i) % 3 == 0)
			strbuf_addc(out, ',');
	}
}

static void add_fixed(strbuf *out, const num *n, bool group)
{
	add_int(out, n->ip, group);
	if (n->fp[0]) {
		strbuf_addc(out, '.');
		strbuf_adds(out, n->fp);
	}
}

static int add_special(const mv *v, strbuf *out)
{
	if (v->kind != MV_DOUBLE || isfinite(v->u.d))
		return 1;
	strbuf_adds(out, isnan(v->u.d) ? "NaN" : v->u.d > 0 ? "\u221e" : "-\u221e");
	return 0;
}

static int standard(const mv *v, char f, int prec, strbuf *out)
{
	char up = (char)toupper((unsigned char)f);
	if ((up == 'D' || up == 'X') && !is_int_value(v))
		return -1;
	if (up != 'D' && up != 'X' && add_special(v, out) == 0)
		return 0;
	num n;
	switch (up) {
	case 'D': {
		to_num(v, 1.0, 0, &n);
		if (n.neg)
			strbuf_addc(out, '-');
		for (int k = (int)strlen(n.ip); k < prec; k++)
			strbuf_addc(out, '0');
		strbuf_adds(out, n.ip);
		return 0;
	}
	case 'X': {
		long long i = v->u.i;
		/* PowerShell's integers are Int32 when they fit: -1 is FFFFFFFF */
		unsigned long long u = i >= -2147483648LL && i <= 2147483647LL ? (unsigned long long)(uint32_t)i
		                                                                 : (unsigned long long)i;
		char buf[32];
		snprintf(buf, sizeof buf, f == 'x' ? "%llx" : "%llX", u);
		for (int k = (int)strlen(buf); k < prec; k++)
			strbuf_addc(out, '0');
		strbuf_adds(out, buf);
		return 0;
	}
	case 'F':
	case 'N':
	case 'C':
	case 'P':
		if (prec < 0)
			prec = 2;
		to_num(v, up == 'P' ? 100.0 : 1.0, prec, &n);
		if (n.neg && !num_is_zero(&n))
			strbuf_addc(out, '-');
		if (up == 'C')
			strbuf_addc(out, '$');
		add_fixed(out, &n, up != 'F');
		if (up == 'P')
			strbuf_addc(out, '%');
		return 0;
	case 'E': {
		if (prec < 0)
			prec = 6;
		double d;
		if (mv_to_double(v, &d) < 0)
			return 1;
		char buf[160];
		snprintf(buf, sizeof buf, "%.*e", prec, d);
		char *e = strchr(buf, 'e');
		*e = '\0';
		int ex = atoi(e + 1);
		strbuf_adds(out, buf);
		strbuf_addf(out, "%c%c%03d", f == 'e' ? 'e' : 'E', ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
		return 0;
	}
	case 'G':
	case 'R':
		if (prec <= 0 || up == 'R' || is_int_value(v)) {
			char *s = mv_to_string(v);
			strbuf_adds(out, s);
			free(s);
			return 0;
		} else {
			double d;
			if (mv_to_double(v, &d) < 0)
				return 1;
			char buf[160];
			snprintf(buf, sizeof buf, f == 'g' ? "%.*g" : "%.*G", prec, d);
			strbuf_adds(out, buf);
			return 0;
		}
	}
	return 1;
}

/* ---- custom formats ---- */

typedef struct section {
	const char *p;
	size_t len;
} section;

/* the section for the number's sign: positive;negative;zero */
static section pick_section(const char *fmt, double d, bool *own_sign)
{
	section s[3];
	size_t ns = 0;
	const char *start = fmt;
	for (const char *p = fmt;; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			const char *q = strchr(p + 1, *p);
			p = q ? q : p + strlen(p) - 1;
			continue;
		}
		if (*p == ';' || !*p) {
			if (ns < 3)
				s[ns++] = (section){ start, (size_t)(p - start) };
			if (!*p)
				break;
			start = p + 1;
		}
	}
	*own_sign = false;
	if (d < 0 && ns >= 2 && s[1].len) {
		*own_sign = true;
		return s[1];
	}
	if (d == 0 && ns >= 3 && s[2].len)
		return s[2];
	return s[0];
}

static int custom(const mv *v, const char *fmt, strbuf *out)
{
	double d;
	if (is_int_value(v))
		d = (double)v->u.i;
	else if (mv_to_double(v, &d) < 0)
		return 1;
	if (add_special(v, out) == 0)
		return 0;
	bool own_sign;
	section sec = pick_section(fmt, d, &own_sign);
	/* scan the placeholders */
	int int_ph = 0, frac_ph = 0, min_frac = 0, first_zero = -1, scale_div = 0;
	bool in_frac = false, group = false, percent = false;
	for (size_t i = 0; i < sec.len; i++) {
		char c = sec.p[i];
		if (c == '\\') {
			i++;
		} else if (c == '\'' || c == '"') {
			while (i + 1 < sec.len && sec.p[i + 1] != c)
				i++;
			i++;
		} else if (c == '0' || c == '#') {
			if (in_frac) {
				frac_ph++;
				if (c == '0')
					min_frac = frac_ph;
			} else {
				if (c == '0' && first_zero < 0)
					first_zero = int_ph;
				int_ph++;
			}
		} else if (c == '.' && !in_frac) {
			in_frac = true;
		} else if (c == ',' && !in_frac) {
			/* a comma right before the point (or the end) scales by 1000 */
			size_t j = i + 1;
			while (j < sec.len && sec.p[j] == ',')
				j++;
			if (j >= sec.len || sec.p[j] == '.' || !strchr("0#", sec.p[j])) {
				scale_div += (int)(j - i);
				i = j - 1;
			} else if (int_ph > 0) {
				group = true;
			}
		} else if (c == '%') {
			percent = true;
		}
	}
	double scale = percent ? 100.0 : 1.0;
	for (int k = 0; k < scale_div; k++)
		scale /= 1000.0;
	num n;
	to_num(v, scale, frac_ph, &n);
	if (!own_sign && n.neg && !num_is_zero(&n))
		strbuf_addc(out, '-');
	/* integer digits, padded to the placeholders from the first '0' */
	char ip[400];
	const char *digits = strcmp(n.ip, "0") == 0 ? "" : n.ip;
	int nd = (int)strlen(digits);
	int need = first_zero >= 0 ? int_ph - first_zero : 0;
	int pad = need > nd ? need - nd : 0;
	snprintf(ip, sizeof ip, "%.*s%s", pad, "00000000000000000000000000000000000000000000000000", digits);
	int total = (int)strlen(ip);
	/* fraction: drop trailing zeros past the last '0' placeholder */
	int nf = frac_ph;
	while (nf > min_frac && n.fp[nf - 1] == '0')
		nf--;
	int ph = 0, fi = 0;
	in_frac = false;
	for (size_t i = 0; i < sec.len; i++) {
		char c = sec.p[i];
		if (c == '\\' && i + 1 < sec.len) {
			strbuf_addc(out, sec.p[++i]);
		} else if (c == '\'' || c == '"') {
			size_t j = i + 1;
			while (j < sec.len && sec.p[j] != c)
				j++;
			strbuf_add(out, sec.p + i + 1, j - i - 1);
			i = j;
		} else if ((c == '0' || c == '#') && !in_frac) {
			/* placeholder ph shows digit ph - (int_ph - total); the first
			 * one also shows every extra leading digit */
			int from = ph == 0 ? 0 : ph - (int_ph - total);
			int to = ph - (int_ph - total);
			for (int k = from < 0 ? 0 : from; k <= to && k < total; k++) {
				strbuf_addc(out, ip[k]);
				if (group && k + 1 < total && (total - 1 - k) % 3 == 0)
					strbuf_addc(out, ',');
			}
			ph++;
		} else if ((c == '0' || c == '#') && in_frac) {
			if (fi < nf)
				strbuf_addc(out, n.fp[fi]);
			fi++;
		} else if (c == '.' && !in_frac) {
			in_frac = true;
			if (nf > 0)
				strbuf_addc(out, '.');
		} else if (c == ',') {
			/* grouping or scaling: already applied */
		} else {
			strbuf_addc(out, c);
		}
	}
	return 0;
}

int mg_netfmt_number(const mv *v, const char *fmt, strbuf *out)
{
	while (v && v->kind == MV_ARRAY && v->u.arr.n == 1)
		v = v->u.arr.items[0];
	if (!v || !(is_int_value(v) || v->kind == MV_DOUBLE))
		return 1;
	if (!fmt || !*fmt)
		return 1;
	if (isalpha((unsigned char)fmt[0]) && (fmt[1] == '\0' || (isdigit((unsigned char)fmt[1]) &&
	    (fmt[2] == '\0' || (isdigit((unsigned char)fmt[2]) && fmt[3] == '\0'))))) {
		int prec = fmt[1] ? atoi(fmt + 1) : -1;
		int r = standard(v, fmt[0], prec < 0 && strchr("DdXx", fmt[0]) ? 0 : prec, out);
		if (r != 1 || strchr("CcDdEeFfGgNnPpRrXx", fmt[0]))
			return r;
		return -1;   /* an unknown one-letter format: FormatException */
	}
	return custom(v, fmt, out);
}
