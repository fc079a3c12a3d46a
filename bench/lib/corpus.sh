# bench/lib/corpus.sh - the mail the benchmark moves.  Sourced by bench/run.sh.
#
#   corpus_make ROOT USERS MSGS SEED   ROOT/<user>/ as Maildir++ trees for users
#       u01..uNN: the project's seeded generator (migsh-corpus) when built,
#       else a small deterministic awk fallback (say which in $CORPUS_SOURCE).
#   corpus_big ROOT USERS PER_USER     messages of 20-34 MB (base64 of a
#       deterministic AES-CTR stream), for the memory run.
#   corpus_users N                     prints u01 .. uNN
# Every generated tree is cached by its parameters under $BENCH_WORK/corpus.

corpus_users() { local i; for i in $(seq 1 "$1"); do printf 'u%02d\n' "$i"; done; }

# Fallback generator: INBOX, Sent, Drafts, Archive/2019; sizes mostly
# 1-30 KB with one in 200 between 1 and 5 MB; flags in the file name.
corpus_awk() { # USERDIR MSGS SEED
	mkdir -p "$1/cur" "$1/new" "$1/tmp"
	local f
	for f in Sent Drafts Archive.2019; do mkdir -p "$1/.$f/cur" "$1/.$f/new" "$1/.$f/tmp"; done
	awk -v dir="$1" -v n="$2" -v seed="$3" 'BEGIN {
		srand(seed);
		split(",.Sent,.Drafts,.Archive.2019", fold, ",");
		split("S,RS,FS,,S,S", flg, ",");
		line = "";
		for (k = 0; k < 75; k++) line = line sprintf("%c", 97 + (k * 7) % 26);
		for (i = 1; i <= n; i++) {
			r = rand();
			fi = (r < 0.6) ? 1 : (r < 0.8) ? 2 : (r < 0.85) ? 3 : 4;
			size = (rand() < 0.005) ? 1000000 + int(rand() * 4000000) : 1000 + int(rand() * rand() * 30000);
			t = 1400000000 + int(rand() * 300000000);
			name = dir "/" fold[fi] "/cur/" t "." i "_" seed ".bench:2," flg[1 + int(rand() * 6)];
			printf "From: Sender %d <s%d@example.org>\nTo: user@example.com\nSubject: bench message %d\nDate: Mon, 1 Jan 2018 10:00:00 +0000\nMessage-ID: <%d.%d@bench>\n\n", i % 97, i % 97, i, seed, i > name;
			for (w = 0; w < size; w += 76) print substr(line, 1 + (i + w) % 10) substr(line, 1, (i + w) % 10) > name;
			close(name);
		}
	}'
}

corpus_make() { # ROOT USERS MSGS SEED
	local root="$1" users="$2" msgs="$3" seed="$4" u i=0
	local params="users=$users msgs=$msgs seed=$seed no-traps gen=${MIGSH_CORPUS:+project}"
	if [ -f "$root/.complete" ] && [ "$(cat "$root/.params" 2>/dev/null)" = "$params" ]; then
		CORPUS_SOURCE=$(cat "$root/.complete"); return 0
	fi
	rm -rf "$root"; mkdir -p "$root"
	if [ -n "$MIGSH_CORPUS" ] && [ -x "$MIGSH_CORPUS" ]; then
		CORPUS_SOURCE="migsh-corpus (seed $seed)"
		corpus_generate_project "$root" "$users" "$msgs" "$seed" || return 1
	else
		CORPUS_SOURCE="bench awk fallback (seed $seed; migsh-corpus not built)"
		for u in $(corpus_users "$users"); do
			i=$((i + 1))
			corpus_awk "$root/$u" "$msgs" $((seed * 1000 + i)) || return 1
		done
	fi
	printf "%s\n" "$params" > "$root/.params"
	printf "%s\n" "$CORPUS_SOURCE" > "$root/.complete"
}

corpus_big() { # ROOT USERS PER_USER
	local root="$1" users="$2" per="$3" u i=0 j size name
	local params="users=$users per=$per gen=${MIGSH_CORPUS:+project}"
	[ -f "$root/.complete" ] && [ "$(cat "$root/.params" 2>/dev/null)" = "$params" ] && return 0
	rm -rf "$root"; mkdir -p "$root"
	printf "%s\n" "$params" >"$root/.params"
	if [ -n "$MIGSH_CORPUS" ] && [ -x "$MIGSH_CORPUS" ]; then
		"$MIGSH_CORPUS" --out "$root" --users "$(corpus_users "$users" | paste -sd, -)" --seed 3 \
			--messages 10 --big-size 34000000 --big-count "$per" --no-traps --quiet || return 1
		echo "migsh-corpus (seed 3, $per x 34,000,000-byte messages per user)" > "$root/.complete"
		return 0
	fi
	for u in $(corpus_users "$users"); do
		i=$((i + 1))
		mkdir -p "$root/$u/cur" "$root/$u/new" "$root/$u/tmp"
		for j in $(seq 1 "$per"); do
			# 20 MB .. 34 MB (decimal), spread deterministically
			size=$(( 20000000 + ((i * 7 + j * 13) % 15) * 1000000 ))
			name="$root/$u/cur/$((1500000000 + i * 100 + j)).big$i-$j.bench:2,S"
			{
				printf 'From: big@example.org\nTo: %s@example.com\nSubject: big %d-%d\nMessage-ID: <big.%d.%d@bench>\nMIME-Version: 1.0\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n' "$u" "$i" "$j" "$i" "$j"
				openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' $((i * 100 + j)))" -iv 0 -in /dev/zero 2>/dev/null \
					| head -c $(( size * 3 / 4 * 76 / 77 )) | base64 -w 76
			} > "$name"
		done
	done
	echo "big" > "$root/.complete"
}

corpus_generate_project() { # ROOT USERS MSGS|SIZE SEED   (SIZE: e.g. 1G = all users together)
	local count="--messages $3"
	case "$3" in *[KMG]) count="--total-size $3" ;; esac
	"$MIGSH_CORPUS" --out "$1" --users "$(corpus_users "$2" | paste -sd, -)" \
		--seed "$4" $count --no-traps --quiet
}

# ROOT/.stats: "<user> msgs=N raw=B norm=B hash=H" per user (bench/mdstat).
corpus_stats() { # ROOT
	local root="$1" u
	[ -s "$root/.stats" ] && [ "$root/.stats" -nt "$root/.complete" ] && return 0
	: > "$root/.stats.tmp"
	for u in $(ls "$root" | grep -v '^\.'); do
		printf '%s %s\n' "$u" "$("$BENCH_BIN/mdstat" "$root/$u")" >> "$root/.stats.tmp" || return 1
	done
	mv "$root/.stats.tmp" "$root/.stats"
}
