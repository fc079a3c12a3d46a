#!/bin/sh
# store_convert.sh - a data directory written by the YAML store (migsh before
# the SQLite store: schema 1, one file per record) is converted on first open
# and every cmdlet shows exactly what the old migsh showed for it.
#
# store_convert.data/home was written by the YAML-store migsh (New-MigrationEndpoint,
# two New-MigrationBatch with a CSV row that fails validation, Set-MigrationUser
# -CompleteAfter, Set-MigrationConfig); store_convert.data/expected.txt is what that
# migsh printed for store_convert.data/show.ps1 (endpoints, batches, users, user
# statistics with reports, statistics, config), every property of every record.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

DATA=$top_srcdir/tests/integration/store_convert.data
H=$MG_TMP/converted
cp -R "$DATA/home" "$H"
find "$H" -type d -exec chmod 700 {} + && find "$H" -type f -exec chmod 600 {} +
export MIGSH_HOME="$H"
before=$(cd "$H" && find endpoints batches -type f -exec sha256sum {} + | sort)

# Properties added after the migsh that wrote the fixture: a converted batch
# must show their default, and they are left out of the comparison.
newer_props() {  # FILE: check the defaults, then drop those lines
	if grep -E '^SyncDeletions +:' "$1" | grep -vqE ': False$'; then
		mg_fail "a converted batch has SyncDeletions other than False"
	fi
	if grep -E '^(ItemsDeletedAtSource|ItemsDeletedAtDestination|ItemsMoved) +:' "$1" | grep -vqE ': 0$'; then
		mg_fail "a converted user has moves or deletions at the source counted"
	fi
	grep -vE '^(SyncDeletions +: False|(ItemsDeletedAtSource|ItemsDeletedAtDestination|ItemsMoved) +: 0)$' "$1" >"$1.cmp" || :
	mv "$1.cmp" "$1"
}
"$MIGSH" -File "$DATA/show.ps1" >"$MG_TMP/got.txt" 2>&1 || { cat "$MG_TMP/got.txt"; mg_fail "migsh failed on the converted directory"; }
newer_props "$MG_TMP/got.txt"
[ -f "$H/migsh.db" ] || mg_fail "no migsh.db after the first open"
[ "$(stat -c %a "$H/migsh.db")" = 600 ] || mg_fail "migsh.db is not 0600"
[ "$(cat "$H/schema")" = "migsh-store 3" ] || mg_fail "schema file not updated: $(cat "$H/schema")"
diff -u "$DATA/expected.txt" "$MG_TMP/got.txt" || mg_fail "the converted records differ from what the YAML store showed (diff above)"

# converted once: the YAML files are left as they were and never read again
after=$(cd "$H" && find endpoints batches -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || mg_fail "the conversion changed the YAML files"
rm -rf "$H/endpoints"
"$MIGSH" -File "$DATA/show.ps1" >"$MG_TMP/got2.txt" 2>&1
newer_props "$MG_TMP/got2.txt"
diff -u "$DATA/expected.txt" "$MG_TMP/got2.txt" || mg_fail "the second open did not read the database alone"

# a change lands in the database and stays
ms_ok "Set-MigrationBatch 'Spring Wave' -ReportInterval 02:00:00 -Confirm:\$false"
ms_ok "(Get-MigrationBatch 'Spring Wave').ReportInterval.ToString()" '^02:00:00$'
echo "store_convert: ok"
