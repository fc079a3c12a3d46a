/*
 * help_topics.c - the about_* help topics and the man pages made of them
 * (migsh(1), migsh-language(7), migsh-migration(7)).  This table is the one
 * source of that text: Get-Help about_* and the generated man pages both
 * render it (shell/help.c).  Markup: see shell/help.h.
 */
#include "config.h"
#include "shell/help.h"
#include "common/str.h"

#include <string.h>
#include <strings.h>

/* ---- migsh(1) ---- */

static const mg_help_section migsh_sections[] = {
	{ "SYNOPSIS",
	  "  migsh\n"
	  "  migsh -Command 'text' | -c 'text'\n"
	  "  migsh -File script.ps1 [arguments...]\n"
	  "  migsh script.ps1 [arguments...]\n"
	  "  migsh < commands.ps1\n"
	  "  migsh --version | --help" },
	{ "DESCRIPTION",
	  "migsh migrates mail from an IMAP server into a local Maildir++ store or into "
	  "another IMAP server. It is driven by a shell that understands the PowerShell "
	  "language and emulates the Exchange Online IMAP migration cmdlets, so the "
	  "commands mail administrators know from Microsoft's documentation work as "
	  "written: New-MigrationEndpoint, New-MigrationBatch -CSVData, Start-MigrationBatch, "
	  "Get-MigrationUserStatistics and the rest.\n\n"
	  "The source mailboxes are only ever read (EXAMINE and BODY.PEEK): migsh never "
	  "changes, flags or deletes anything on the source server. Copies are exact and "
	  "resumable: a repeated or interrupted sync never loses or duplicates a message, "
	  "and whatever could not be moved is reported per user.\n\n"
	  "Batches run in a background service (one per data directory) that the "
	  "migration cmdlets start when needed, so a batch keeps syncing after the shell "
	  "exits; Get-MigrationService shows it.\n\n"
	  "With a terminal, migsh starts an interactive shell (GNU Readline, opened when "
	  "the shell starts: without the libreadline8 package it says so and exits 127, "
	  "while -c and -File still work; history, "
	  "tab completion of cmdlets, parameters, allowed values and the names of "
	  "endpoints and batches: Tab puts in the first match and the next Tab the next "
	  "one, Shift-Tab goes back, Ctrl-Space lists them all; a line that ends inside a string, a { } block, after a "
	  "pipe or with a backtick continues on the next line). Without a terminal it "
	  "reads commands from standard input.\n\n"
	  "Secrets are never echoed: where a command line is shown again (the line under an "
	  "error, Get-History, a transcript of Start-Transcript, which records each command "
	  "typed at the prompt before its output), the value of a secret parameter "
	  "(-Password, the password of -Credentials user,password or of a hashtable, the "
	  "text of ConvertTo-SecureString) is shown as ********, whatever its length; a "
	  "variable is shown as it is written. A line that has such a value, or that "
	  "contains one of the words password, asplaintext, token, apikey or secret in any "
	  "case (the rule of PowerShell's PSReadLine), is not saved to the history file; it "
	  "can still be recalled with the Up arrow until the shell exits.\n\n"
	  "Every cmdlet has a manual page of its own (man New-MigrationBatch) with the "
	  "same text as Get-Help New-MigrationBatch -Full. The language is described in "
	  "migsh-language(7), the migration workflow, limits, CSV rules and "
	  "troubleshooting in migsh-migration(7)." },
	{ "OPTIONS",
	  "- -Command text, -c text: run the text (one or more statements) and exit. Like "
	  "pwsh, all the remaining arguments are joined with spaces into the command text.\n"
	  "- -File path, -f path: run a script file; further arguments are available in "
	  "$args.\n"
	  "- -: read commands from standard input (also the default when standard input "
	  "is not a terminal).\n"
	  "- -NoProfile, -NoLogo, -NonInteractive: accepted for compatibility with pwsh.\n"
	  "- --version, -Version: print the version.\n"
	  "- --help, -h, -Help: print a usage summary.\n\n"
	  "A bare path as the first argument is the same as -File path. Option names are "
	  "case-insensitive." },
	{ "EXIT STATUS",
	  "- 0: the last statement succeeded.\n"
	  "- 1: the last statement failed (an error was written to standard error).\n"
	  "- 2: the input could not be parsed (for example an unterminated string).\n"
	  "- N: the script ended with exit N.\n\n"
	  "Errors always go to standard error, output to standard output, so "
	  "migsh -c '...' > file keeps files clean." },
	{ "ENVIRONMENT",
	  "- MIGSH_HOME: the data directory: endpoints, batches, users, sync state, the local "
	  "mail store, logs and reports. Default $XDG_DATA_HOME/migsh, else "
	  "~/.local/share/migsh. Created with mode 0700.\n"
	  "- NO_COLOR: when set (to anything), no colours are used. Colours are only used "
	  "on a terminal in any case.\n"
	  "- SSL_CERT_FILE, SSL_CERT_DIR: where OpenSSL finds the certificate authorities "
	  "used to verify IMAP servers (for a private CA, point SSL_CERT_FILE at its "
	  "certificate).\n"
	  "- COLUMNS: the width of tables when the output is not a terminal (default 120).\n"
	  "- XDG_DATA_HOME: used for the default data directory." },
	{ "FILES",
	  "All files live in the data directory ($MIGSH_HOME); files are mode 0600, "
	  "directories 0700, and every write is atomic.\n\n"
	  "- migsh.db (with migsh.db-wal and migsh.db-shm): the records - migration endpoints, "
	  "batches, users, skipped items and per-user reports - in a SQLite database (WAL "
	  "mode: the shell reads while the service writes; each change is one transaction, "
	  "so a New-MigrationBatch or Remove-MigrationBatch that is killed leaves all or "
	  "nothing). A copy for a backup takes the three files while no migsh runs (or use "
	  "Export-MigrationState). "
	  "The passwords of the endpoints and of the CSV are stored only here. "
	  "The background service keeps its status here too (start time, heartbeat, the "
	  "copies it runs: what Get-MigrationService shows).\n"
	  "- schema: the version of the data directory (migsh-store 3). A data directory "
	  "written before the SQLite store (one YAML file per record under endpoints/ and "
	  "batches/) is converted on first open, once; those YAML files are left in place "
	  "and no longer read. The service.yaml of migsh-store 2 is moved into migsh.db and "
	  "removed.\n"
	  "- config.yaml: the settings of Set-MigrationConfig, a YAML file you may edit.\n"
	  "- history: the lines typed in the interactive shell (the last 2000), except the "
	  "lines with a secret (see DESCRIPTION).\n"
	  "- batches/NAME/reports/: each batch's MigrationErrors.csv, summaries and "
	  "notification messages.\n"
	  "- mail/USER/: the local store: each user's mail as a Maildir++ folder tree "
	  "(never deleted by migsh).\n"
	  "- state/: per-user sync state and journals (what was copied from which folder); "
	  "after Remove-MigrationBatch the service removes its users' state in the "
	  "background.\n"
	  "- logs/service.log: the background service's log; service.pid and service.lock: "
	  "which process it is (its status is in migsh.db).\n"
	  "Export-MigrationState writes every record as readable YAML files (one per record) "
	  "and Import-MigrationState reads them back: for backups, for moving a migration to "
	  "another host, for support.\n"
	  "- drives/C/...: where Windows paths such as C:\\Users\\me\\batch.csv are looked "
	  "up (see migsh-language(7))." },
	{ "EXAMPLES",
	  "An interactive session:\n\n"
	  "  $ migsh\n"
	  "  PS migsh> New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer imap.contoso.com -Port 993 -Security Ssl\n"
	  "  PS migsh> New-MigrationBatch -Name IMAPBatch1 -SourceEndpoint IMAPEndpoint -CSVData ([System.IO.File]::ReadAllBytes(\"users.csv\")) -AutoStart\n"
	  "  PS migsh> Get-MigrationUser -BatchId IMAPBatch1 | Get-MigrationUserStatistics\n\n"
	  "From bash or cron (note the single quotes: $_ must reach migsh unexpanded):\n\n"
	  "  migsh -c 'Get-MigrationUser | Where-Object Status -eq Failed | Format-Table Identity,ErrorSummary'\n"
	  "  */30 * * * * migsh -c 'Get-MigrationBatch | Export-Csv -Path /var/tmp/batches.csv'\n\n"
	  "A script:\n\n"
	  "  migsh -File start-all.ps1" },
	{ NULL, NULL }
};

/* ---- migsh-language(7) ---- */

static const mg_help_section language_sections[] = {
	{ "DESCRIPTION",
	  "migsh reads the PowerShell language: the same lexer, parser and evaluator serve "
	  "the interactive shell, migsh -c one-liners and .ps1 scripts. Names of cmdlets, "
	  "parameters, variables, properties and enum values are case-insensitive, and "
	  "comparisons are case-insensitive by default, as in PowerShell." },
	{ "COMMANDS AND PARAMETERS",
	  "A command is a cmdlet name (Verb-Noun) or an alias (fl, ft, select, where, ?, "
	  "foreach, %, sort, measure, group, echo, gc, help, gcm, cls) followed by arguments.\n\n"
	  "- -Name value and -Name:value give a parameter a value.\n"
	  "- A switch is given alone (-AutoStart) or as -AutoStart:$false. A $false after "
	  "a space is a separate (positional) argument, as in PowerShell.\n"
	  "- A parameter may be abbreviated to any prefix that matches only one parameter "
	  "of the cmdlet (-RemoteS for -RemoteServer). An ambiguous prefix is an error "
	  "that lists the candidates; an exact name always wins.\n"
	  "- Positional arguments bind in order to the parameters with a position, e.g. "
	  "Get-MigrationBatch IMAPBatch1 binds -Identity.\n"
	  "- A mandatory parameter that is missing is asked for on a terminal; without a "
	  "terminal it is an error.\n"
	  "- Values outside a parameter's allowed set are refused with the list of allowed "
	  "values." },
	{ "VALUES",
	  "- 'single quoted' strings are literal; '' is one quote.\n"
	  "- \"double quoted\" strings expand $var, ${var} and $(expression) and know the "
	  "backtick escapes `n `t `r `0 `a `b `f `v `\" `$ and ``; \"\" is one quote.\n"
	  "- Unquoted arguments are strings: imap.contoso.com, C:\\Users\\x.csv, "
	  "terrya@contoso.edu.\n"
	  "- Numbers (42, 1.5, 0x1F, 10MB), $true, $false and $null.\n"
	  "- Arrays: a,b,c or @(a, b); hash tables: @{ Name = 'x'; Count = 2 }.\n"
	  "- ( ) evaluates a command or expression as an argument; $( ) inside strings.\n"
	  "- Script blocks { ... } are code passed to Where-Object, ForEach-Object and "
	  "calculated properties; $_ is the current object.\n"
	  "- A backtick at the end of a line continues the command on the next line; so "
	  "does a line ending in | or , or inside an open ( or {." },
	{ "VARIABLES AND MEMBERS",
	  "$x = command-or-expression assigns; $x.Status reads a property; "
	  "(Get-MigrationBatch IMAPBatch1).Status reads a property of a command's result; "
	  "$a[0] and $a[-1] index arrays; .Count counts. Reading a property of a list "
	  "gives the property of every item.\n\n"
	  "Automatic variables: $_ (current object), $true, $false, $null, $? (did the "
	  "last command succeed), $Error (the errors of the session, newest first), "
	  "$LASTEXITCODE and $args (script arguments)." },
	{ "OPERATORS",
	  "Comparison: -eq -ne -gt -ge -lt -le -like -notlike (wildcards * ? [a-z]) -match "
	  "-notmatch (regular expressions) -contains -notcontains -in -notin; all "
	  "case-insensitive. Logic: -and -or -not !. Arithmetic: + - * / %; + also joins "
	  "strings and arrays." },
	{ "STATEMENTS",
	  "Statements are separated by newlines or ;. Comments start with # (to the end of "
	  "the line) or are written <# ... #>.\n\n"
	  "  if ($b.Status -eq 'Failed') { Start-MigrationBatch $b.Identity } elseif (...) { } else { }\n"
	  "  foreach ($u in Get-MigrationUser) { $u.Identity }\n"
	  "  while ((Get-MigrationBatch B).Status -eq 'Syncing') { Start-Sleep 60 }\n"
	  "  for ($i = 0; $i -lt 3; $i++) { }   do { } while (...)   try { } catch { } finally { }\n"
	  "  switch -Wildcard ($u.Status) { 'Synced*' { 'ok' } 'Failed' { 'retry' } default { 'wait' } }\n"
	  "  :outer foreach ($b in $batches) { foreach ($u in $b.Users) { if (...) { continue outer } } }\n"
	  "  . ./lib.ps1   # dot-sourcing: its functions and variables stay\n"
	  "  exit 3\n\n"
	  "switch takes -Wildcard, -Regex, -Exact and -CaseSensitive; a clause's condition may "
	  "be a value or a script block ({ $_ -gt 5 }); break leaves the switch. A label "
	  "(:name) before foreach, for, while, do or switch lets break name and continue name "
	  "leave or continue that loop from inside nested ones. $PSScriptRoot and "
	  "$PSCommandPath name the running script's directory and file, so a script can "
	  "dot-source a library next to it (. \"$PSScriptRoot\\lib.ps1\"). A loop at "
	  "the top level shows its output as it goes." },
	{ "FUNCTIONS",
	  "  function Get-Report([string]$Batch, [switch]$All) { ... }\n"
	  "  function Set-Users {\n"
	  "      [CmdletBinding()]\n"
	  "      param([Parameter(Mandatory, ValueFromPipeline)][string]$Name,\n"
	  "            [ValidateSet('Stop','Start')][string]$Action = 'Start')\n"
	  "      begin { $n = 0 } process { $n++; \"$Action $Name\" } end { \"$n users\" }\n"
	  "  }\n"
	  "  filter Get-Big { if ($_.Size -gt 1GB) { $_ } }\n"
	  "  & { param($a) $a * 2 } 5\n\n"
	  "A function runs as a stage of the pipeline, like a cmdlet: begin before any input, "
	  "process once per object ($_ is the object), end after the last one; a body "
	  "without these blocks is an end block and reads what was piped to it from $input; "
	  "a filter's body is a process block. A function is found before a cmdlet of the "
	  "same name.\n\n"
	  "An advanced function ([CmdletBinding()] or a [Parameter()] attribute) is bound by "
	  "the same binder as the cmdlets: named and positional arguments (Position, else "
	  "the order of declaration unless PositionalBinding = $false), Mandatory (asked for "
	  "on a terminal, an error otherwise), ValueFromPipeline, "
	  "ValueFromPipelineByPropertyName, ValueFromRemainingArguments, ParameterSetName "
	  "and DefaultParameterSetName ($PSCmdlet.ParameterSetName), [Alias()], and the "
	  "common parameters: -Verbose, -Debug, -ErrorAction and -WarningAction set "
	  "$VerbosePreference, $DebugPreference, $ErrorActionPreference and "
	  "$WarningPreference inside it. A simple function takes extra arguments in $args. "
	  "Both get $PSBoundParameters (ContainsKey, indexing) and the validation "
	  "attributes with PowerShell's messages: ValidateSet, ValidateNotNull, "
	  "ValidateNotNullOrEmpty, ValidateNotNullOrWhiteSpace, ValidateRange, "
	  "ValidatePattern, ValidateLength, ValidateCount, ValidateScript. AllowNull, "
	  "AllowEmptyString, AllowEmptyCollection, SupportsWildcards, PSDefaultValue, "
	  "ArgumentCompleter and Credential are accepted. [CmdletBinding(SupportsShouldProcess)] "
	  "adds -WhatIf and -Confirm; $PSCmdlet.ShouldProcess(target[, action]) then prints "
	  "What if: ... and answers $false under -WhatIf (-Confirm does not ask). "
	  "$MyInvocation describes the running script (MyCommand.Name and Path, ScriptName), "
	  "also inside a function. A script's param( ) block takes "
	  "the same attributes: a missing Mandatory parameter of a script is an error (a "
	  "script never prompts)." },
	{ "SCOPES",
	  "Variables and functions live in scopes, as in PowerShell 7. The "
	  "global scope is the session's (the interactive shell, migsh -c); a script run "
	  "with migsh -File, & ./x.ps1 or ./x.ps1 gets a script scope under it; each call "
	  "of a function or filter, and each script block run with & (& { param($a) ... } 5) "
	  "or .Invoke(), gets a local scope whose parent is the caller's scope. "
	  "Dot-sourcing (. ./lib.ps1, . { }, . f) runs in the current scope, so what it "
	  "defines stays. The script blocks of ForEach-Object, Where-Object and "
	  "calculated properties run in the caller's scope; if, foreach, for, while, switch "
	  "and try make no scope.\n\n"
	  "Reading $x looks in the current scope, then in each parent scope up to the "
	  "global one; assigning $x (also $x++ and $x += 1) writes in the current scope, "
	  "so a function's $i never changes its caller's $i. $global:x, $script:x and "
	  "$local:x (also ${global:x}) read or write that scope only; $private:x is seen "
	  "by the current scope only, not by the functions it calls. A function "
	  "defined inside a function is local to it; function global:f defines a "
	  "global one. Parameters, $_, $input, $args, $PSBoundParameters and $PSCmdlet "
	  "belong to the call. Get-Variable lists the variables visible from where it "
	  "runs; Get-Variable, Set-Variable, New-Variable (-Option Private) and "
	  "Remove-Variable take -Scope Global, Script, Local or a number (0 the current "
	  "scope, 1 its parent, ...).\n\n"
	  "A preference variable ($ErrorActionPreference, $VerbosePreference, "
	  "$WhatIfPreference, ...) set in a function holds for it and what it calls, not "
	  "for its caller. $Error (one list, newest first, with the errors caught by catch "
	  "too), $? and $LASTEXITCODE are the session's: a program run inside a function "
	  "sets the $LASTEXITCODE its caller reads.\n\n"
	  "Invoke-Expression runs its text in the current scope like a script block: an "
	  "error that ends a statement there is reported and the next statement runs; "
	  "inside a try block, or for throw and -ErrorAction Stop, the error ends the "
	  "text and goes to the caller's catch (a throw not caught ends the script)." },
	{ "CTRL-C",
	  "Ctrl-C stops what is running: a pipeline between two objects, Start-Sleep, a "
	  "loop, the -Wait of a migration cmdlet, a wait on a server (looking up its name, "
	  "connecting, TLS, an answer), a program (it is killed). finally blocks still run. In the "
	  "interactive shell the prompt comes back; a script (migsh -c, -File) stops there "
	  "and migsh ends as a program interrupted by SIGINT (exit status 130)." },
	{ ".NET MEMBERS",
	  "Strings: Length, ToUpper, ToLower, Trim/TrimStart/TrimEnd (with characters), "
	  "Contains, StartsWith, EndsWith (case-sensitive, as in .NET), IndexOf, "
	  "LastIndexOf, Replace, Split (on the whole separator string, as in PowerShell 7; "
	  "Windows PowerShell 5.1 split on each character), Substring, PadLeft, PadRight, "
	  "ToString(format). Hash tables: Count, Keys, Values, Add, Remove, Clear, "
	  "ContainsKey, ContainsValue, GetEnumerator (Name/Key and Value). Lists "
	  "(New-Object System.Collections.ArrayList, [System.Collections.ArrayList]@(), "
	  "[System.Collections.Generic.List[string]]::new(), New-Object "
	  "'System.Collections.Generic.List[object]'), changed in place and shared by "
	  "every variable that holds them: Add (ArrayList.Add returns the new index, so "
	  "write [void]$list.Add(x) or pipe it to Out-Null; List[T].Add returns nothing "
	  "and converts to T), AddRange, Insert, Remove, RemoveAt, Clear, Contains, "
	  "IndexOf, Sort, Reverse, ToArray, Clone, Count, indexing and assignment by index. "
	  "Every value "
	  "and collection: Where({ }) with the modes First, Last, SkipUntil, Until and "
	  "Split, ForEach({ }) or ForEach('Property') / ForEach('Method', args), GetType, "
	  "ToString. Dates: the parts (Year ... Second, DayOfWeek), AddDays/Hours/"
	  "Minutes/Seconds, ToString(format), ToUniversalTime, ToLocalTime. Time spans: "
	  "Days ... Milliseconds, TotalDays ... TotalMilliseconds. Exchange sizes: ToBytes, "
	  "ToKB, ToMB, ToGB, ToTB (whole units, rounded down).\n\n"
	  "Static: [math]::Round/Max/Min/Pow/Sqrt/Floor/Ceiling/Abs, "
	  "[string]::Join/IsNullOrEmpty/Empty, [datetime]::Now/UtcNow/Parse, "
	  "[int]::MaxValue/MinValue, [guid]::NewGuid()/Empty, [timespan]::FromMilliseconds/"
	  "FromSeconds/FromMinutes/FromHours/FromDays, "
	  "[System.Text.Encoding]::UTF8.GetBytes/GetString, [System.IO.File]::ReadAllBytes/"
	  "ReadAllText/Exists, [Microsoft.Exchange.Data.ByteQuantifiedSize]::Parse. Casts: "
	  "[int] [long] [double] [string] [bool] [datetime] [timespan] [guid] [byte[]] "
	  "[array] [hashtable] [pscustomobject] and typed arrays such as [int[]] and "
	  "[string[]] (each item converted)." },
	{ "PIPELINES AND OUTPUT",
	  "Commands joined by | pass objects, one at a time. Parameters that accept "
	  "pipeline input bind from the object itself or from a property of the same name: "
	  "Get-MigrationUser -BatchId B | Get-MigrationUserStatistics works because the "
	  "user's Identity binds to -Identity.\n\n"
	  "What reaches the end of a pipeline is displayed like PowerShell does: strings "
	  "and numbers as they are; objects as a table when their type shows four "
	  "properties or fewer and as a list otherwise; objects of the same type share one "
	  "table header. Dates print in the en-US format (3/14/2025 10:02:11 AM) in the "
	  "local time zone, sizes like Exchange (1.5 MB (1,572,864 bytes)).\n\n"
	  "Format-List and Format-Table choose the layout and properties (wildcards such "
	  "as Max* allowed); Select-Object, Where-Object, ForEach-Object, Sort-Object, "
	  "Group-Object and Measure-Object reshape the stream; ConvertTo-Json, "
	  "ConvertTo-Csv, Export-Csv and Out-File write it out." },
	{ "REDIRECTION",
	  "A command or an expression may redirect its streams, as in PowerShell 7: 1 output, "
	  "2 error, 3 warning, 4 verbose, 5 debug, 6 information (Write-Host), * all of them.\n\n"
	  "  Get-MigrationBatch NoSuch 2>$null     # no error shown ($Error and $? still see it)\n"
	  "  Get-MigrationUser > users.txt         # the output, formatted, into a file (>> appends)\n"
	  "  Get-MigrationBatch B 2>&1 | Out-File log.txt   # errors join the output as records\n"
	  "  Write-Host 'step' 6>$null; Test-Thing *> $null\n\n"
	  "Output is written as it is produced: objects, Write-Host text, warnings and errors "
	  "appear in the order the script wrote them, and what a loop wrote is on the console "
	  "before its Start-Sleep." },
	{ "FORMAT STRINGS",
	  "The -f operator and ToString(format) follow .NET's composite formatting in the "
	  "en-US culture: {index[,alignment][:format]}, {{ and }} for braces.\n\n"
	  "  '{0:N2} {1:P1} {2:D5} {3:X}' -f 1234.5678,0.256,42,255   # 1,234.57 25.6% 00042 FF\n"
	  "  '{0,-12}|{1,8:F1}' -f $b.Identity, $mb                   # alignment\n"
	  "  '{0:yyyy-MM-dd HH:mm}' -f (Get-Date)                      # custom date formats\n\n"
	  "Numbers take C, D, E, F, G, N, P, R and X with a precision, and custom formats "
	  "(0 # . , % and ;-sections); rounding is half away from zero, as in PowerShell 7. "
	  "A brace that is not part of a format item, an index past the arguments, or D/X "
	  "of a non-integer is a FormatError." },
	{ "LIMITS ON WHAT A SCRIPT BUILDS",
	  "So that no input can crash the shell: an expression may chain at most 1000 "
	  "operators, members or indexes (ExpressionTooComplex), blocks and strings nest at "
	  "most 100 deep (NestingTooDeep), functions call each other at most 200 deep "
	  "(CallDepthOverflow) and evaluation stops with InsufficientExecutionStack before "
	  "the stack runs out. A string may hold at most 256 MiB (StringTooLong: repetition, "
	  "+, -join, -replace, -f, PadLeft), an array 33,554,432 items (ArrayTooLarge) and a "
	  "range 1,000,000 numbers (RangeTooLarge); a -f alignment or index of 1,000,000 or "
	  "more is a FormatError, as in .NET. Such errors are reported before anything is "
	  "allocated, and a script whose last statement failed exits with status 1." },
	{ "PROGRAMS",
	  "A command that is not a cmdlet, function or script and is found on PATH (ls, "
	  "whoami) or named by a path (/bin/echo) runs as a program: each line it writes "
	  "becomes a string in the pipeline as it is written, the objects piped to it reach "
	  "its standard input one line each as they come (within a few milliseconds; objects that "
	  "come fast are written in big pieces), its error output goes to the console, "
	  "$LASTEXITCODE gets its exit status and a non-zero status makes $? False. A binary "
	  "file is never read as a script. Scripts saved on Windows (CRLF line ends, a UTF-8 "
	  "byte order mark, #Requires lines) run as they are; Connect-ExchangeOnline, "
	  "Disconnect-ExchangeOnline and Import-Module ExchangeOnlineManagement are accepted "
	  "and do nothing (one warning per session)." },
	{ "WINDOWS PATHS",
	  "Microsoft's examples read CSV files with Windows paths:\n\n"
	  "  -CSVData ([System.IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv\"))\n\n"
	  "Such a path X:\\a\\b\\file.csv is looked up as $MIGSH_HOME/drives/x/a/b/file.csv "
	  "and, when that does not exist, as file.csv in the current directory. A path "
	  "that exists in neither place is an error naming the Windows path and both "
	  "places looked at. Other paths are used as given (relative to the current "
	  "directory). The same mapping applies to Get-Content, Import-Csv and "
	  "[System.IO.File]::ReadAllText; Out-File, Set-Content and Export-Csv write to "
	  "the mapped place.\n\n"
	  "The supported ways of reading bytes are [System.IO.File]::ReadAllBytes(path) "
	  "(also [IO.File]), Get-Content -Path p -Encoding Byte [-ReadCount 0] [-Raw] "
	  "(Windows PowerShell 5.1) and Get-Content -Path p -AsByteStream [-Raw] "
	  "(PowerShell 6 and later)." },
	{ "ERRORS",
	  "Errors are printed like PowerShell's: the cmdlet and the message, the position "
	  "in the input, CategoryInfo and FullyQualifiedErrorId. A non-terminating error "
	  "lets the pipeline go on; -ErrorAction Stop makes it terminating, "
	  "-ErrorAction SilentlyContinue hides it. Unknown commands suggest the closest "
	  "names.\n\n"
	  "A script run from another (. ./lib.ps1, & ./lib.ps1, ./lib.ps1) is a command "
	  "like any other: a throw or a Stop error in it ends it and goes to the caller's "
	  "catch (a throw nobody catches ends the callers too); while a try runs, any "
	  "error that ends a statement in it does the same, and so does a script that "
	  "does not parse. A non-terminating error is written and the script goes on.\n\n"
	  "An error record ($_ in a catch block, $Error[0], -ErrorVariable, the records "
	  "2>&1 puts into the output) has Exception (.Message), TargetObject, "
	  "CategoryInfo (Category, Activity, Reason, TargetName, TargetType; its text as "
	  "printed), FullyQualifiedErrorId, ScriptStackTrace (one frame: "
	  "at <ScriptBlock>, the script or <No file>: line N) and InvocationInfo with "
	  "ScriptLineNumber, OffsetInLine, Line (the source line), PositionMessage (the "
	  "At line:N char:M block printed under the error), ScriptName, PSCommandPath and "
	  "PSScriptRoot (empty for migsh -c and the prompt), MyCommand (the cmdlet or "
	  "function, .Name; empty for a throw statement) and InvocationName (the name as "
	  "typed, such as an alias). For a throw statement they describe the throw. Line "
	  "and PositionMessage show a password typed on the line as ******** like the "
	  "printed error. Not supported: ErrorDetails, InvocationInfo.BoundParameters and a stack trace of the functions "
	  "called." },
	{ "DIFFERENCES FROM POWERSHELL",
	  "migsh implements the part of PowerShell that migration scripts use, following "
	  "PowerShell 7 where it differs from Windows PowerShell 5.1. "
	  "$LASTEXITCODE is one value of the session (0 before any program ran, where "
	  "PowerShell has $null), and assigning it in a function sets it for the caller "
	  "too; New-Variable and Set-Variable accept -Option ReadOnly and Constant "
	  "without enforcing them; a foreach over a list that its body changes walks the "
	  "list as it was (PowerShell stops with an error). "
	  "A typed variable ([int]$n = ...) converts the value assigned there but does not "
	  "keep the type for later assignments. "
	  "Get-Content with a byte encoding returns one byte array (as with "
	  "-ReadCount 0). -match, -replace, -split and Where-Object -Match run .NET "
	  "patterns on POSIX extended regular expressions: \\d \\D \\w \\W \\s \\S, a leading "
	  "(?i), (?:...) groups (the group numbers of $matches and $1 stay as in .NET) and "
	  "lazy quantifiers (matched greedily) are translated; look-around and back-references "
	  "are not supported. ConvertTo-Csv writes a list as its items separated by "
	  "spaces where PowerShell writes System.Object[]." },
	{ "NOT SUPPORTED",
	  "Each of these is refused with an error that names it, before the script runs:\n\n"
	  "- class and enum definitions, using statements, trap, data sections, workflows "
	  "and DSC configurations;\n"
	  "- dynamicparam blocks;\n"
	  "- the PowerShell 7 operators ?? ?\?= ?. ?[] (null-coalescing and null-conditional), "
	  "the ternary ? :, the pipeline chains && and ||, and the background operator &;\n"
	  "- the prefix ++$i and --$i, and the operators -bxor -bnot -shl -shr;\n"
	  "- input redirection (<), which PowerShell reserves too, and switch -File.\n\n"
	  "Also not supported, with an error naming what is missing: .NET types and members "
	  "beyond those listed under .NET MEMBERS (Unable to find type [T]; Method invocation "
	  "failed because [T] does not contain a method named 'M'), and parameter attributes "
	  "other than those under FUNCTIONS. Modules (Import-Module other than ExchangeOnlineManagement), remoting and "
	  "jobs are cmdlets migsh does not have: their names are reported as not recognized." },
	{ NULL, NULL }
};

static const mg_help_section common_sections[] = {
	{ "LONG DESCRIPTION",
	  "Every cmdlet accepts these parameters in addition to its own (Get-Help shows "
	  "them as [<CommonParameters>]):\n\n"
	  "- -Verbose (-vb): show what the cmdlet does in detail.\n"
	  "- -Debug (-db): accepted; shows debug messages where there are any.\n"
	  "- -ErrorAction (-ea) Continue|SilentlyContinue|Stop|Ignore|Inquire: what a "
	  "non-terminating error does. Stop makes it terminating (a script stops there); "
	  "SilentlyContinue hides it but still records it in $Error.\n"
	  "- -ErrorVariable (-ev) name: also store the errors in $name (+name appends).\n"
	  "- -WarningAction (-wa), -WarningVariable (-wv): the same for warnings.\n"
	  "- -InformationAction (-infa), -InformationVariable (-iv): accepted.\n"
	  "- -OutVariable (-ov) name: also store the output in $name.\n"
	  "- -OutBuffer (-ob), -PipelineVariable (-pv): accepted.\n\n"
	  "Cmdlets that change something also accept -WhatIf (-wi: say what would happen "
	  "and do nothing) and -Confirm (-cf: ask first). Remove-* cmdlets ask by default: "
	  "on a terminal the question is answered with [Y] Yes [A] Yes to All [N] No "
	  "[L] No to All; -Confirm:$false skips it, and a script without a terminal must "
	  "give -Confirm:$false (otherwise the cmdlet fails with an error saying so)." },
	{ NULL, NULL }
};

/* ---- migsh-migration(7) ---- */

static const mg_help_section workflow_sections[] = {
	{ "OVERVIEW",
	  "An IMAP migration moves the mail of many users at once. As in Exchange Online, "
	  "you describe the source server once (a migration endpoint), list the users in a "
	  "CSV file, create a migration batch from the file and start it. The batch copies "
	  "every user's folders (the initial sync) and then keeps the copies up to date "
	  "with an incremental sync every 24 hours until you remove the batch.\n\n"
	  "Where Exchange Online copies into Microsoft 365 mailboxes, migsh copies into a "
	  "local Maildir++ store ($MIGSH_HOME/mail/USER, readable by Dovecot and most mail "
	  "tools) or, with the migsh extension -TargetEndpoint, into another IMAP server." },
	{ "STEP 1: TEST THE SOURCE SERVER",
	  "  Test-MigrationServerAvailability -IMAP -RemoteServer imap.contoso.com -Port 993 -Security Ssl\n\n"
	  "Result Success means migsh can connect and negotiate TLS; the Message says what "
	  "went wrong otherwise (see TROUBLESHOOTING)." },
	{ "STEP 2: CREATE AN ENDPOINT",
	  "  New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer imap.contoso.com -Port 993 -Security Ssl\n"
	  "  Get-MigrationEndpoint IMAPEndpoint | Format-List EndpointType,RemoteServer,Port,Security,Max*\n\n"
	  "Security is None (port 143, plain text), Tls (port 143 with STARTTLS) or Ssl "
	  "(port 993). -MaxConcurrentMigrations and -MaxConcurrentIncrementalSyncs limit "
	  "how many users are copied at the same time." },
	{ "STEP 3: WRITE THE CSV FILE",
	  "One line per user with the destination address, the source login and its "
	  "password (see about_Migration_Csv for every rule):\n\n"
	  "  EmailAddress,UserName,Password\n"
	  "  terrya@contoso.edu,terry.adams,1091990\n"
	  "  annb@contoso.edu,ann.beebe,2111991" },
	{ "STEP 4: CREATE AND START THE BATCH",
	  "  New-MigrationBatch -Name IMAPBatch1 -SourceEndpoint IMAPEndpoint -CSVData ([System.IO.File]::ReadAllBytes(\"C:\\Users\\Administrator\\Desktop\\IMAPmigration_1.csv\")) -AutoStart\n\n"
	  "Without -AutoStart the batch waits in status Created until "
	  "Start-MigrationBatch -Identity IMAPBatch1. -ExcludeFolders \"Deleted Items\",\"Junk Email\" "
	  "leaves folders out." },
	{ "STEP 5: WATCH IT",
	  "  Get-MigrationBatch IMAPBatch1\n"
	  "  Get-MigrationBatch -Identity IMAPBatch1 | Format-List Status\n"
	  "  Get-MigrationUser -BatchId IMAPBatch1 | Get-MigrationUserStatistics\n"
	  "  Get-MigrationUserStatistics -Identity terrya@contoso.edu -IncludeReport | Format-List Status,Error,Report\n\n"
	  "The batch goes Created, Starting, Syncing, then Synced (or SyncedWithErrors when "
	  "some users failed). Users go Queued, Syncing, Synced, or Failed with an "
	  "ErrorSummary saying why. Items that could not be copied are listed with "
	  "Get-MigrationUserStatistics -IncludeSkippedItems." },
	{ "STEP 6: SWITCH MAIL DELIVERY AND FINISH",
	  "Point the MX record at the new server once the batch is Synced. Keep the batch "
	  "for at least 72 hours after the switch so the daily incremental sync picks up "
	  "mail that still arrived at the old server, check that a sync ran after mail "
	  "started arriving at the new one, then complete and remove the batch:\n\n"
	  "  Complete-MigrationBatch -Identity IMAPBatch1\n"
	  "  Remove-MigrationBatch -Identity IMAPBatch1\n\n"
	  "Complete-MigrationBatch runs one last synchronization of every synced user "
	  "(status Completing) and marks the batch Completed (CompletedWithErrors when some "
	  "users failed); no incremental syncs run after that. This follows the documented "
	  "IMAP workflow; Exchange Online itself now refuses Complete-MigrationBatch for IMAP "
	  "batches. Removing a batch deletes its records; the copied mail stays where it is." },
	{ "SCRIPTS AND CRON",
	  "  migsh -c 'Get-MigrationUser | Where-Object Status -eq Failed | Export-Csv -Path failed.csv'\n"
	  "  migsh -File nightly.ps1\n\n"
	  "Without a terminal, Remove-* cmdlets need -Confirm:$false. The exit status is 0 "
	  "when the last statement succeeded and 1 when it failed (see migsh(1))." },
	{ NULL, NULL }
};

static const mg_help_section csv_sections[] = {
	{ "COLUMNS",
	  "- EmailAddress (required): the destination mailbox; the user's identity in the "
	  "batch.\n"
	  "- UserName (required): the login on the source IMAP server: user, domain\\user or "
	  "one of the administrator forms below.\n"
	  "- Password (required): the password of UserName.\n"
	  "- UserRoot (optional): the user's folder root in a shared-folder tree, such as "
	  "/users/terry.adams, for administrator logins on servers without impersonation." },
	{ "FORMAT",
	  "The first line is the header; each following line is one user, values in header "
	  "order separated by commas. An empty value is an empty field (keep the comma). "
	  "Header names are single words (Email Address is wrong) and are matched "
	  "case-insensitively. Values containing commas or quotes are quoted with \"...\", "
	  "quotes doubled. Use UTF-8 for names with non-ASCII characters." },
	{ "VALIDATION",
	  "The whole batch is refused when any rule fails; the error names the line:\n\n"
	  "- the file is empty or not comma-separated;\n"
	  "- more than 50,000 users or more than 10 MB;\n"
	  "- the header lacks EmailAddress, UserName or Password;\n"
	  "- a line has a different number of fields than the header;\n"
	  "- an unknown column, unless -AllowUnknownColumnsInCsv $true (then it is ignored).\n\n"
	  "Problems of a single line - a malformed EmailAddress, an empty UserName or "
	  "Password, an address that appears twice or already belongs to another batch - do "
	  "not stop the batch: that user is created with status Failed and the validation "
	  "error, and the other users are migrated." },
	{ "ADMINISTRATOR CREDENTIALS",
	  "Instead of every user's password, the CSV file may use one administrator login "
	  "that can open every mailbox; Password is then the administrator's password:\n\n"
	  "  Source server           UserName                   Example\n"
	  "  Exchange (IMAP)         Domain/Admin/User          contoso-students/mailadmin/terry.adams\n"
	  "  Dovecot, other SASL     User*Admin                 terry.adams*mailadmin\n"
	  "  Mirapoint               #user@domain#Admin#        #terry.adams@contoso-students.edu#mailadmin#\n"
	  "  Courier, Oracle IMAP    Admin + UserRoot column    mailadmin, /users/terry.adams\n\n"
	  "For Dovecot the separator (*) is the server's auth_master_user_separator; the "
	  "login is passed to the server unchanged." },
	{ "FOLDERS",
	  "-ExcludeFolders (and -IncludeFolders) take folder names relative to the mailbox "
	  "root, case-insensitive, without wildcards: MyProjects, MyProjects/FY2010, and "
	  "Name/* for a folder with its subfolders. #Inbox#-style names mean well-known "
	  "folders whatever their local name: Root, Inbox, SentItems, Outbox, DeletedItems, "
	  "Calendar, Contacts, Drafts, Journal, Tasks, Notes, AllItems, JunkEmail, Archive; "
	  "\\#Notes\\# is a folder literally named #Notes#. Folders whose names contain / are "
	  "not migrated (rename them first).\n\n"
	  "Well-known folders get the destination's names: the source's sent, deleted-items, "
	  "junk, drafts and archive folders (found by their SPECIAL-USE flag, or else by a "
	  "common name such as Sent Items, Deleted Items, Deleted Messages, Junk E-Mail, Junk "
	  "Email, Spam, Draft or Archives) become Sent, Trash, Junk, Drafts and Archive in the "
	  "local store, with their subfolders; into an IMAP target they go to the folders "
	  "the target marks as its own special folders (SPECIAL-USE), else to those same "
	  "names. So Deleted Items arrives as Trash and Junk E-Mail as Junk; the "
	  "user's report names each folder with its destination (folder 'Deleted Items' -> "
	  "'Trash').\n\n"
	  "A folder renamed at the source between two synchronizations is renamed at the "
	  "destination too (recognized by its MAILBOXID when the server offers OBJECTID, "
	  "else by its UIDVALIDITY and its messages), with its subfolders, and reported; its "
	  "mail is not copied a second time.\n\n"
	  "A message moved to another folder at the source between two synchronizations is "
	  "moved at the destination too (recognized by its size, date and Message-ID), "
	  "reported and counted in ItemsMoved; it is neither copied a second time nor left "
	  "in its old folder, with or without -SyncDeletions." },
	{ NULL, NULL }
};

static const mg_help_section limits_sections[] = {
	{ "PER MAILBOX",
	  "- Up to 500,000 items per mailbox are migrated, the newest of the whole mailbox "
	  "first (whatever folder they are in); older items beyond that are left behind and "
	  "reported as OverItemLimit skipped items.\n"
	  "- Messages larger than 35 MB are skipped and reported as skipped (large) items.\n"
	  "- Only mail folders are migrated: no contacts, calendars or tasks.\n"
	  "- Folders whose names contain / are skipped." },
	{ "PER SERVICE",
	  "- At most 100 migration batches (MaxNumberOfBatches in Get-MigrationConfig).\n"
	  "- Each endpoint copies at most MaxConcurrentMigrations users at a time (default "
	  "100) and runs at most MaxConcurrentIncrementalSyncs incremental syncs (default 20); "
	  "other users wait in status Queued.\n"
	  "- Incremental syncs run every 24 hours for every synced user until the batch is "
	  "removed or stopped.\n"
	  "- A CSV file holds at most 50,000 users and 10 MB." },
	{ "WHERE MIGSH GOES BEYOND EXCHANGE",
	  "These are migsh extensions, marked as such in their help: the local Maildir++ "
	  "store as destination, -TargetEndpoint and target-endpoint credentials for an IMAP "
	  "destination, -CSVFile as an alternative to -CSVData, -SyncDeletions (deletions at "
	  "the source carried to the destination), IANA names and UTC+hh:mm "
	  "offsets for -TimeZone (Exchange takes Windows time zone ids only), and the "
	  "Get-/Start-/Stop-MigrationService and Set-MigrationConfig cmdlets. Get-Help and "
	  "the manual pages mark every extension cmdlet and parameter." },
	{ "KNOWN LIMITS OF THIS RELEASE",
	  "- Messages deleted at the source after they were copied stay at the destination, "
	  "as in Exchange, and the user's report and ItemsDeletedAtSource count them; with "
	  "the migsh extension -SyncDeletions on the batch, incremental syncs remove those "
	  "copies too (only copies migsh made). A message moved to another folder is moved "
	  "at the destination; one without a Message-ID cannot be recognized and counts as "
	  "deleted in its old folder and new in the other.\n"
	  "- -TimeZone knows the common Windows time zone ids (those of Windows' own list "
	  "whose region has its own rules, e.g. Pacific Standard Time, W. Europe Standard "
	  "Time, India Standard Time); for any other zone give its IANA name (Europe/Zurich). "
	  "IANA data comes from the system's tz database (Debian package tzdata).\n"
	  "- StartAfter and CompleteAfter print in the machine's time zone, like every "
	  "migsh date; StartAfterUTC holds the same instant.\n"
	  "- Items left out by -ContentFilter are counted (ItemsFiltered), not listed one by "
	  "one among the skipped items.\n"
	  "- A Maildir folder holds at most 26 custom keywords (Dovecot's limit); further "
	  "keywords on a message are not kept. Each time is reported: the user's "
	  "KeywordsNotKeptCount counts the messages, and Get-MigrationUserStatistics "
	  "-IncludeReport names the folder and the keywords.\n"
	  "- -Authentication Ntlm is implemented (NTLMv2) and tested against the published "
	  "MS-NLMP vectors, not against a live server." },
	{ NULL, NULL }
};

static const mg_help_section trouble_sections[] = {
	{ "CERTIFICATE ERRORS",
	  "With -Security Ssl or Tls the server's certificate must be valid for the host "
	  "name given in -RemoteServer and be signed by a trusted certificate authority. "
	  "For a server with a certificate from a private CA, give OpenSSL that CA:\n\n"
	  "  SSL_CERT_FILE=/etc/ssl/private-ca.pem migsh\n\n"
	  "An error naming a host-name mismatch means -RemoteServer differs from the names "
	  "in the certificate: use the name the certificate was issued for. An expired "
	  "certificate has to be renewed on the server. -Security None sends passwords in "
	  "clear text and should only be used on a trusted network." },
	{ "CONNECTION LIMITS",
	  "IMAP servers limit connections per user and per client address (Dovecot: "
	  "mail_max_userip_connections, default 10; Gmail: 15). When users fail with "
	  "connection or login errors while many run at once, lower the endpoint's "
	  "concurrency:\n\n"
	  "  Set-MigrationEndpoint -Identity IMAPEndpoint -MaxConcurrentMigrations 10\n\n"
	  "then restart the failed users with Start-MigrationBatch -Identity IMAPBatch1." },
	{ "LOGIN FAILURES",
	  "A user in status Failed with an authentication error usually has a wrong "
	  "password in the CSV file, or the password was changed after the batch was "
	  "created. With administrator credentials check the form of UserName for the "
	  "server (see ADMINISTRATOR CREDENTIALS in about_Migration_Csv): Dovecot needs "
	  "user*admin with a master user configured; Exchange needs Domain/Admin/User." },
	{ "WHAT WAS NOT MIGRATED",
	  "  Get-MigrationUserStatistics -Identity terrya@contoso.edu -IncludeSkippedItems | Select-Object -ExpandProperty SkippedItems\n"
	  "  Get-MigrationUserStatistics -Identity terrya@contoso.edu -IncludeReport | Format-List Report\n\n"
	  "Skipped items are listed with their date, subject, kind and folder. The service "
	  "log is $MIGSH_HOME/logs/service.log." },
	{ NULL, NULL }
};

static const mg_help_topic topics[] = {
	{ "about_migsh", "MIGSH",
	  "migsh: PowerShell-style IMAP mail migration (the command line and its files).",
	  migsh_sections },
	{ "about_migsh_language", "LANGUAGE",
	  "The PowerShell language as migsh reads it: commands, values, pipelines, "
	  "formatting and Windows paths.",
	  language_sections },
	{ "about_CommonParameters", "COMMON PARAMETERS",
	  "The parameters every cmdlet accepts: -Verbose, -ErrorAction, -ErrorVariable, "
	  "-OutVariable, -WhatIf, -Confirm and the rest.",
	  common_sections },
	{ "about_migsh_workflow", "WORKFLOW",
	  "How to migrate mailboxes from an IMAP server, step by step.",
	  workflow_sections },
	{ "about_Migration_Csv", "CSV FILES",
	  "The CSV file of an IMAP migration batch: columns, format, validation rules and "
	  "administrator credential forms.",
	  csv_sections },
	{ "about_migsh_limits", "LIMITS",
	  "Limits of IMAP migrations: item counts and sizes, concurrency, batches.",
	  limits_sections },
	{ "about_migsh_troubleshooting", "TROUBLESHOOTING",
	  "Certificate errors, connection limits, login failures and finding what was not "
	  "migrated.",
	  trouble_sections },
};

static const char *const page_migsh[] = { "about_migsh", NULL };
static const char *const page_language[] = { "about_migsh_language", "about_CommonParameters", NULL };
static const char *const page_migration[] = { "about_migsh_workflow", "about_Migration_Csv",
                                              "about_migsh_limits",
                                              "about_migsh_troubleshooting", NULL };

static const mg_man_page pages[] = {
	{ "migsh", 1, "migrate mail from IMAP servers with Exchange Online's migration cmdlets",
	  page_migsh },
	{ "migsh-language", 7, "the PowerShell language as understood by migsh", page_language },
	{ "migsh-migration", 7, "IMAP migration workflow, CSV rules, limits and troubleshooting",
	  page_migration },
};

const mg_help_topic *mg_help_topics(size_t *count)
{
	if (count)
		*count = sizeof topics / sizeof topics[0];
	return topics;
}

const mg_help_topic *mg_help_topic_find(const char *name)
{
	for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++)
		if (str_ieq(topics[i].name, name))
			return &topics[i];
	return NULL;
}

const mg_man_page *mg_help_man_pages(size_t *count)
{
	if (count)
		*count = sizeof pages / sizeof pages[0];
	return pages;
}

const mg_man_page *mg_help_topic_page(const char *topic)
{
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		if (str_ieq(pages[i].name, topic))
			return &pages[i];
		for (size_t k = 0; pages[i].topics[k]; k++)
			if (str_ieq(pages[i].topics[k], topic))
				return &pages[i];
	}
	return NULL;
}
