/* err_class.c - transient or permanent, and which class (rules in err_class.h). */
#include "config.h"
#include "common/err_class.h"

/* The verdicts of the ids listed in err_ids.h, indexed by their code. */
static const mg_err_rule rules[] = {
	[MGE_NONE] = { "", false, MG_EC_OTHER },
#define MG_ERR_ID_RULE(name, retried, cls) [MGE_##name] = { #name, retried, MG_EC_##cls },
	MG_ERR_IDS(MG_ERR_ID_RULE)
#undef MG_ERR_ID_RULE
};

const mg_err_rule *mg_err_rules(size_t *n)
{
	/* the listed ids, without the MGE_NONE entry */
	*n = sizeof rules / sizeof rules[0] - 1;
	return rules + 1;
}

static const mg_err_rule *find(const mg_err *e)
{
	return e->code > MGE_NONE && e->code < MGE__COUNT ? &rules[e->code] : NULL;
}

bool mg_err_retryable(const mg_err *e)
{
	if (!e || !e->set)
		return false;
	const mg_err_rule *r = find(e);
	if (r)
		return r->retry;
	/* an id this table does not know: connection trouble and timeouts are transient */
	return e->category == MGC_CONNECTION || e->category == MGC_TIMEOUT;
}

mg_err_class mg_err_classify(const mg_err *e)
{
	if (!e || !e->set)
		return MG_EC_OTHER;
	const mg_err_rule *r = find(e);
	if (r)
		return r->cls;
	switch (e->category) {
	case MGC_CONNECTION: return MG_EC_DISCONNECTED;
	case MGC_TIMEOUT:    return MG_EC_TIMEOUT;
	case MGC_AUTH:       return MG_EC_AUTH;
	case MGC_SECURITY:   return MG_EC_SECURITY;
	case MGC_PROTOCOL:   return MG_EC_PROTOCOL;
	case MGC_LIMIT:      return MG_EC_LIMIT;
	case MGC_WRITE:      return MG_EC_STORAGE;
	case MGC_STOPPED:    return MG_EC_STOPPED;
	case MGC_INVALIDARG: return MG_EC_CONFIG;
	default:             return MG_EC_OTHER;
	}
}
