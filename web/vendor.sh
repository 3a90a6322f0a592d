#!/usr/bin/env bash
# Refreshes the web client's vendored ES modules from npm (run by hand, never by the build):
#   web/vendor.sh                      # the versions pinned below
#   PREACT=11.2.0 HTM=3.1.1 web/vendor.sh
# It packs each package into a temporary folder with `npm pack`, copies its ES module build into
# src/main/resources/webroot/vendor/, points the bare `preact` import at the vendored file (the page
# has no import map: an inline one would break the CSP), keeps each licence, and records names,
# versions, licences and npm integrity hashes in vendor/VERSIONS.txt. Review the diff, then commit.
set -euo pipefail
cd "$(dirname "$0")/.."

PREACT="${PREACT:-11.2.0}"
HTM="${HTM:-3.1.1}"
out=src/main/resources/webroot/vendor
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

pack() { # name version -> unpacked folder on stdout
  local name="$1" version="$2"
  (cd "$tmp" && npm pack --silent --json "$name@$version" > "$name.json")
  mkdir -p "$tmp/$name"
  tar -xzf "$tmp/$name-$version.tgz" -C "$tmp/$name" --strip-components=1
  echo "$tmp/$name"
}

field() { # package folder, key of package.json
  node -e 'const p=require(process.argv[1]+"/package.json");console.log(p[process.argv[2]])' "$1" "$2"
}

integrity() { # name -> integrity from npm pack --json
  node -e 'console.log(require(process.argv[1])[0].integrity)' "$tmp/$1.json"
}

strip_map() { sed -e '/^\/\/# sourceMappingURL=/d'; }

p="$(pack preact "$PREACT")"
h="$(pack htm "$HTM")"

rm -rf "$out"
mkdir -p "$out/licenses"
strip_map < "$p/dist/preact.mjs" > "$out/preact.js"
# hooks import the core by its bare name: point it at the vendored file
strip_map < "$p/hooks/dist/hooks.mjs" | sed -e 's#from"preact"#from"./preact.js"#g; s#from "preact"#from "./preact.js"#g' > "$out/preact-hooks.js"
strip_map < "$h/dist/htm.mjs" > "$out/htm.js"
if grep -q 'from *"preact"' "$out/preact-hooks.js"; then
  echo "preact-hooks.js still imports the bare name 'preact'" >&2
  exit 1
fi
cp "$p/LICENSE" "$out/licenses/preact-LICENSE.txt"
cp "$h/LICENSE" "$out/licenses/htm-LICENSE.txt"

{
  echo "# Vendored ES modules of the web client, written by web/vendor.sh; do not edit by hand."
  echo "# file	package	version	licence	npm integrity"
  echo "preact.js	preact	$(field "$p" version)	$(field "$p" license)	$(integrity preact)"
  echo "preact-hooks.js	preact (hooks)	$(field "$p" version)	$(field "$p" license)	$(integrity preact)"
  echo "htm.js	htm	$(field "$h" version)	$(field "$h" license)	$(integrity htm)"
} > "$out/VERSIONS.txt"

cat "$out/VERSIONS.txt"
