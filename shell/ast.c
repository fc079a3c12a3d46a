/* ast.c - syntax tree nodes and the reference-counted tree (see ast.h). */
#include "config.h"
#include "shell/ast.h"
#include "common/mem.h"

#include <stdlib.h>

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
		"While", "For", "Break", "Try", "Throw", "Function", "Switch", "Redirect"
	};
	return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
