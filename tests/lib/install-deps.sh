#!/bin/sh
# install-deps.sh - install the Debian packages listed in tests/lib/packages.txt
# (apt-get; uses sudo when not root).  Used by .ci/run and demo/quickstart.sh.
# Skips apt entirely when every package is already installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkgs=$(grep -v '^[[:space:]]*#' "$here/packages.txt" | grep -v '^[[:space:]]*$' | tr '\n' ' ')

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ] && [ "${MG_FORCE_APT:-0}" != 1 ]; then
	echo "install-deps: all packages already installed"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "install-deps: need root (or sudo) to install:$missing" >&2
	exit 1
fi
echo "install-deps: installing ${missing:+(missing:$missing) }the packages of tests/lib/packages.txt"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
# shellcheck disable=SC2086
$sudo apt-get install -y --no-install-recommends $pkgs
