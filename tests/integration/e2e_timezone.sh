#!/bin/sh
# e2e_timezone.sh - New-MigrationBatch -TimeZone against a real Dovecot:
# -ContentFilter dates are wall-clock times in the batch's zone (Windows and
# IANA names), a date ending in Z stays UTC, -StartAfter given in the zone is
# kept in UTC whatever the machine's own zone is (also Set-MigrationBatch
# -StartAfter later), and an unknown zone is refused before a batch exists.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

# the source's received dates (file times) and the shell's dates in UTC,
# unless a step says otherwise
TZ=UTC
export TZ
[ -r /usr/share/zoneinfo/America/Los_Angeles ] || [ -n "${TZDIR:-}" ] ||
	mg_skip "the tz database is missing (Debian package tzdata)"

mg_dovecot_start SRC --users "tzuser"
ms_trust
PW=$MG_TEST_PASSWORD
W=$MG_TMP/tz
mkdir -p "$W"

# 03:00 UTC on 23 Aug 2020 is still 22 Aug in California (20:00 PDT) and
# 05:00 in Berlin; 09:00 UTC is 02:00 PDT on the 23rd
printf 'From: a@example.com\r\nSubject: early-0300Z\r\n\r\nearly\r\n' >"$W/early.eml"
printf 'From: a@example.com\r\nSubject: late-0900Z\r\n\r\nlate\r\n' >"$W/late.eml"
mg_maildir_add SRC tzuser INBOX "$W/early.eml" S 202008230300 >/dev/null
mg_maildir_add SRC tzuser INBOX "$W/late.eml" S 202008230900 >/dev/null

ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" Src

has_subject() { # ADDRESS SUBJECT: 0 when the address's local mailbox holds it
	grep -rqF "Subject: $2" "$MIGSH_HOME/mail/$1" 2>/dev/null
}
batch() { # NAME ADDRESS 'EXTRA PARAMETERS': a batch of one row, synced
	ms_csv "$W/$1.csv" 'EmailAddress,UserName,Password' "$2,tzuser,$PW"
	ms_ok "New-MigrationBatch -Name $1 -SourceEndpoint Src -CSVFile '$W/$1.csv' $3 -AutoStart" "$1"
	ms_wait_batch "$1" 'Synced' 120
}

# --- ContentFilter in UTC (no -TimeZone): both messages are from 23 Aug
batch Utc utc@contoso.edu "-ContentFilter \"Received -ge '8/23/2020'\""
has_subject utc@contoso.edu early-0300Z || mg_fail "UTC: the 03:00Z message is missing"
has_subject utc@contoso.edu late-0900Z || mg_fail "UTC: the 09:00Z message is missing"

# --- the same filter in Pacific time: 23 Aug begins at 07:00Z
batch Pst pst@contoso.edu "-ContentFilter \"Received -ge '8/23/2020'\" -TimeZone 'Pacific Standard Time'"
has_subject pst@contoso.edu late-0900Z || mg_fail "Pacific: the 09:00Z (02:00 PDT) message is missing"
has_subject pst@contoso.edu early-0300Z && mg_fail "Pacific: the 03:00Z message (22 Aug PDT) was copied"
ms_ok "(Get-MigrationUserStatistics pst@contoso.edu).ItemsFiltered" '^1$'
ms_ok "(Get-MigrationBatch Pst).TimeZone" '^Pacific Standard Time$'

# --- an IANA name, and a time of day: before 07:00 in Berlin is before 05:00Z
batch Berlin berlin@contoso.edu "-ContentFilter \"Received -lt '8/23/2020 7:00 AM'\" -TimeZone Europe/Berlin"
has_subject berlin@contoso.edu early-0300Z || mg_fail "Berlin: the 03:00Z (05:00 CEST) message is missing"
has_subject berlin@contoso.edu late-0900Z && mg_fail "Berlin: the 09:00Z (11:00 CEST) message was copied"

# --- a date ending in Z is UTC whatever the zone
batch Zulu zulu@contoso.edu "-ContentFilter \"Received -gt '2020-08-23T08:00:00Z'\" -TimeZone 'Tokyo Standard Time'"
has_subject zulu@contoso.edu late-0900Z || mg_fail "Z: the 09:00Z message is missing"
has_subject zulu@contoso.edu early-0300Z && mg_fail "Z: the 03:00Z message was copied"

# --- StartAfter in the batch's zone, typed on a machine in another zone
ms_csv "$W/later.csv" 'EmailAddress,UserName,Password' "later@contoso.edu,tzuser,$PW"
TZ=Asia/Tokyo
ms_ok "New-MigrationBatch -Name Later -SourceEndpoint Src -CSVFile '$W/later.csv' -StartAfter '12/24/2030 8:00 PM' -TimeZone 'Pacific Standard Time'" Later
ms_ok "Set-MigrationBatch Later -CompleteAfter '1/2/2031 9:30 AM'"
TZ=UTC
ms_ok "(Get-MigrationBatch Later).StartAfterUTC" '^12/25/2030 4:00:00 AM$'
# a *UTC property is a UTC date (.NET Kind=Utc): it shows UTC's clock on a
# machine in any zone, and compares by that clock as .NET does
TZ=Asia/Tokyo
ms_ok "(Get-MigrationBatch Later).StartAfterUTC" '^12/25/2030 4:00:00 AM$'
ms_ok "(Get-MigrationBatch Later).StartAfterUTC -eq (Get-MigrationBatch Later).StartAfter.ToUniversalTime()" '^True$'
TZ=UTC
ms_ok "(Get-MigrationBatch Later).CompleteAfterUTC" '^1/2/2031 5:30:00 PM$'
ms_ok "Set-MigrationBatch Later -StartAfter '7/1/2030 9:00 AM'"
ms_ok "(Get-MigrationBatch Later).StartAfterUTC" '^7/1/2030 4:00:00 PM$'   # PDT: UTC-7
# an instant is not re-read in the zone: a time ending in Z, or a (Get-Date) value
ms_ok "Set-MigrationBatch Later -StartAfter '2030-07-01T09:00:00Z'"
ms_ok "(Get-MigrationBatch Later).StartAfterUTC" '^7/1/2030 9:00:00 AM$'
ms_ok "Set-MigrationBatch Later -StartAfter (Get-Date '2030-07-02T10:00:00Z')"
ms_ok "(Get-MigrationBatch Later).StartAfterUTC" '^7/2/2030 10:00:00 AM$'
ms_ok "Set-MigrationBatch Later -StartAfter '7/1/2030 9:00 AM'"
ms_ok "Start-MigrationBatch Later"
ms_wait_batch Later 'Waiting' 30
[ ! -d "$MIGSH_HOME/mail/later@contoso.edu" ] || [ -z "$(find "$MIGSH_HOME/mail/later@contoso.edu" -type f -path '*/cur/*')" ] ||
	mg_fail "mail was copied before StartAfter"

# --- DST zones: the machine's zone never shifts a wall-clock time that
# belongs to the batch's zone (2:30 AM on 31 March 2030 does not exist in
# Berlin, but it does in UTC), and the batch's own gap and overlap
ms_csv "$W/dst.csv" 'EmailAddress,UserName,Password' "dst@contoso.edu,tzuser,$PW"
ms_csv "$W/dst2.csv" 'EmailAddress,UserName,Password' "dst2@contoso.edu,tzuser,$PW"
TZ=Europe/Berlin
ms_ok "New-MigrationBatch -Name Dst -SourceEndpoint Src -CSVFile '$W/dst.csv' -StartAfter '3/31/2030 2:30 AM' -TimeZone UTC" Dst
TZ=UTC
ms_ok "(Get-MigrationBatch Dst).StartAfterUTC" '^3/31/2030 2:30:00 AM$'
TZ=America/New_York
ms_ok "Set-MigrationBatch Dst -StartAfter '3/10/2030 2:30 AM'"
TZ=UTC
ms_ok "(Get-MigrationBatch Dst).StartAfterUTC" '^3/10/2030 2:30:00 AM$'
ms_ok "New-MigrationBatch -Name DstBerlin -SourceEndpoint Src -CSVFile '$W/dst2.csv' -StartAfter '3/31/2030 2:30 AM' -TimeZone 'W. Europe Standard Time'" DstBerlin
TZ=UTC
ms_ok "(Get-MigrationBatch DstBerlin).StartAfterUTC" '^3/31/2030 1:30:00 AM$'    # in the gap: read with CET
TZ=America/New_York
ms_ok "Set-MigrationBatch DstBerlin -StartAfter '10/27/2030 2:30 AM'"
TZ=UTC
ms_ok "(Get-MigrationBatch DstBerlin).StartAfterUTC" '^10/27/2030 12:30:00 AM$'  # twice: the first (CEST)
ms_ok "Remove-MigrationBatch Dst -Confirm:\$false; Remove-MigrationBatch DstBerlin -Confirm:\$false"

# --- an unknown zone: refused, naming it and the accepted forms; no batch
ms_csv "$W/bad.csv" 'EmailAddress,UserName,Password' "bad@contoso.edu,tzuser,$PW"
ms_fails "New-MigrationBatch -Name BadZone -SourceEndpoint Src -CSVFile '$W/bad.csv' -TimeZone 'Mars/Olympus_Mons'" \
	'^New-MigrationBatch : ' "The time zone 'Mars/Olympus_Mons' given with -TimeZone isn't known" "Pacific Standard Time"
ms_fails "Get-MigrationBatch BadZone" "couldn't be found"
ms_fails "New-MigrationBatch -Name BadZone -SourceEndpoint Src -CSVFile '$W/bad.csv' -TimeZone '../../../etc/passwd'" \
	"isn't known"

ms_check_service_logs
echo "e2e_timezone: ok"
