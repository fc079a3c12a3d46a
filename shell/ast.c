/* ast.c - syntax tree nodes and the reference-counted tree (see ast.h). */
#include "config.h"
#include "shell/ast.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

ast *ast_new(ast_kind kind, size_t pos, size_t len)
{
	ast *n = xcalloc(1, sizeof *n);
	n->kind = kind;
	n->pos = pos;
	n->len = len;
	return n;
}

void ast_add(ast *parent, ast *kid)
{
	if (!kid)
		return;
	GROW(parent->kids, parent->capkids, parent->nkids + 1);
	parent->kids[parent->nkids++] = kid;
	if (kid->height + 1 > parent->height)
		parent->height = kid->height + 1;
}

void ast_free(ast *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		ast_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n->label);
	free(n);
}

ast_tree *ast_tree_ref(ast_tree *t)
{
	if (t)
		t->refs++;
	return t;
}

void ast_tree_unref(ast_tree *t)
{
	if (!t || --t->refs > 0)
		return;
	ast_free(t->root);
	ast_free(t->params);
	free(t->src);
	free(t->origin);
	free(t);
}

const char *ast_kind_name(ast_kind k)
{
	static const char *const names[] = {
		"Block", "Pipeline", "Command", "CommandParameter", "Assign", "If", "Foreach",
		"Exit", "BinaryOp", "UnaryOp", "Array", "Range", "Number", "String",
		"ExpandableString", "Variable", "Member", "Invoke", "Index", "SubExpression",
		"ArrayExpression", "Paren", "Hashtable", "ScriptBlock", "Type", "Cast",
		"While", "For", "Break", "Try", "Throw", "Function", "Switch", "Attribute",
		"NamedBlock", "Redirect"
	};
	return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static const struct { const char *text; ast_op op; } op_names[] = {
	{ "and", OP_AND }, { "or", OP_OR }, { "xor", OP_XOR },
	{ "eq", OP_EQ }, { "ne", OP_NE }, { "gt", OP_GT }, { "ge", OP_GE }, { "lt", OP_LT }, { "le", OP_LE },
	{ "like", OP_LIKE }, { "notlike", OP_NOTLIKE }, { "match", OP_MATCH }, { "notmatch", OP_NOTMATCH },
	{ "contains", OP_CONTAINS }, { "notcontains", OP_NOTCONTAINS }, { "in", OP_IN }, { "notin", OP_NOTIN },
	{ "replace", OP_REPLACE }, { "split", OP_SPLIT }, { "join", OP_JOIN },
	{ "is", OP_IS }, { "isnot", OP_ISNOT }, { "as", OP_AS },
	{ "band", OP_BAND }, { "bor", OP_BOR }, { "f", OP_FORMAT },
	{ "+", OP_ADD }, { "-", OP_SUB }, { "*", OP_MUL }, { "/", OP_DIV }, { "%", OP_MOD },
	{ "not", OP_NOT },
};

/* operators that take the c/i prefix (-ceq, -ilike, -creplace, ...) */
static bool takes_case_prefix(ast_op op)
{
	return (op >= OP_EQ && op <= OP_NOTIN) || op == OP_REPLACE || op == OP_SPLIT;
}

static ast_op op_lookup(const char *t)
{
	for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
		if (strcasecmp(op_names[i].text, t) == 0)
			return op_names[i].op;
	return OP_NONE;
}

ast_op ast_op_from_text(const char *text, bool unary, bool *case_sensitive)
{
	bool cs = false;
	if (case_sensitive)
		*case_sensitive = false;
	if (!text)
		return OP_NONE;
	if (unary) {
		if (!strcmp(text, "-"))
			return OP_NEG;
		if (!strcmp(text, "+"))
			return OP_PLUS;
		if (!strcmp(text, "!") || strcasecmp(text, "not") == 0)
			return OP_NOT;
		return OP_NONE;
	}
	size_t l = strlen(text);
	if (l == 2 && text[1] == '=' && strchr("+-*/%", text[0])) {   /* += -= *= /= %= */
		char one[2] = { text[0], 0 };
		return op_lookup(one);
	}
	ast_op op = op_lookup(text);
	if (op != OP_NONE)
		return op;
	if (l > 2 && (text[0] == 'c' || text[0] == 'C' || text[0] == 'i' || text[0] == 'I')) {
		op = op_lookup(text + 1);
		if (op != OP_NONE && takes_case_prefix(op)) {
			cs = text[0] == 'c' || text[0] == 'C';
			if (case_sensitive)
				*case_sensitive = cs;
			return op;
		}
	}
	return OP_NONE;
}

const char *ast_op_text(ast_op op)
{
	switch (op) {
	case OP_NEG: return "-";
	case OP_PLUS: return "+";
	case OP_NOT: return "-not";
	case OP_NONE: return "=";
	default: break;
	}
	for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
		if (op_names[i].op == op)
			return op_names[i].text;
	return "?";
}
