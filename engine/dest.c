/*
 * dest.c - the destination a sync job names (engine/dest.h): the Maildir++
 * store or the IMAP target, chosen here so the driver never names either.
 */
#include "config.h"
#include "engine/dest.h"
#include "engine/dest_internal.h"

#include <stdlib.h>
#include <string.h>

int mg_dest_for_job(const mg_sync_job *job, mg_dest *d, mg_err *err)
{
	memset(d, 0, sizeof *d);
	if (job->dest_kind == MG_DEST_MAILDIR && job->maildir_root)
		return mg_dest_maildir_init(job, d, err);
	if (job->dest_kind == MG_DEST_IMAP && job->dst)
		return mg_dest_imap_init(job, d, err);
	return mg_err_set(err, MGC_INVALIDARG, "SyncJobIncomplete",
	                  "the sync job lacks a source, a state directory or a destination");
}

void mg_dest_free(mg_dest *d)
{
	if (!d || !d->ops)
		return;
	d->ops->close(d);
	d->ops->free(d);
	free(d->describe);
	memset(d, 0, sizeof *d);
}

mg_dscope dest_refused(mg_err *err, char *why)
{
	mg_err_set(err, MGC_INVALIDARG, "FolderNameInvalid", "%s", why);
	free(why);
	return MG_DS_FOLDER;
}
