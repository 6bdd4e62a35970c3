#!/usr/bin/env bash
# Refresh the dashboard's and /docs' vendored JavaScript and CSS from npm at the pinned versions.
#
#   scripts/vendor-web.sh            # re-fetch the pinned versions
#
# To upgrade, change a version below and run this script: it replaces the versioned folder
# under sensorhub/web/static/vendor/, rewrites the references in the pages and modules, and
# regenerates VERSIONS.md. Versioned folder names let the server cache vendored files for a
# year (immutable): a new version is a new URL.
set -euo pipefail

UPLOT_VERSION=1.6.32
SOCKETIO_VERSION=4.8.4
SWAGGER_UI_VERSION=5.35.0

cd "$(dirname "$0")/.."
static=sensorhub/web/static
vendor=$static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <package> <version> -> unpacks into $work/<package>/package
    mkdir -p "$work/$1"
    (cd "$work/$1" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
}

fetch uplot "$UPLOT_VERSION"
fetch socket.io-client "$SOCKETIO_VERSION"
fetch swagger-ui-dist "$SWAGGER_UI_VERSION"

uplot_dir=uplot-$UPLOT_VERSION
socketio_dir=socket.io-client-$SOCKETIO_VERSION
swagger_dir=swagger-ui-dist-$SWAGGER_UI_VERSION
rm -rf "$vendor"/uplot-* "$vendor"/socket.io-client-* "$vendor"/swagger-ui-dist-*
mkdir -p "$vendor/$uplot_dir" "$vendor/$socketio_dir" "$vendor/$swagger_dir"

cp "$work/uplot/package/dist/uPlot.iife.min.js" "$work/uplot/package/dist/uPlot.min.css" \
    "$work/uplot/package/LICENSE" "$vendor/$uplot_dir/"
cp "$work/socket.io-client/package/dist/socket.io.esm.min.js" \
    "$work/socket.io-client/package/LICENSE" "$vendor/$socketio_dir/"
# The bundle's first line points to its .LICENSE.txt: the notices of the libraries inside it.
swagger=$work/swagger-ui-dist/package
cp "$swagger/swagger-ui-bundle.js" "$swagger/swagger-ui-bundle.js.LICENSE.txt" \
    "$swagger/swagger-ui.css" "$swagger/LICENSE" "$swagger/NOTICE" "$vendor/$swagger_dir/"

# Point the pages and modules at the new folders.
{ grep -rlE 'vendor/(uplot|socket\.io-client|swagger-ui-dist)-[0-9]' "$static" --include='*.html' --include='*.js' \
    --exclude-dir=vendor || true; } | while read -r file; do
    sed -i -E \
        -e "s#vendor/uplot-[0-9][0-9.]*[0-9]/#vendor/$uplot_dir/#g" \
        -e "s#vendor/socket\.io-client-[0-9][0-9.]*[0-9]/#vendor/$socketio_dir/#g" \
        -e "s#vendor/swagger-ui-dist-[0-9][0-9.]*[0-9]/#vendor/$swagger_dir/#g" \
        "$file"
done

sha() { sha256sum "$1" | cut -d' ' -f1; }
cat >"$vendor/VERSIONS.md" <<EOF
# Vendored files

Fetched from the npm registry by \`scripts/vendor-web.sh\` (\`npm pack <package>@<version>\`);
do not edit by hand. Each folder holds the package's own LICENSE file (and NOTICE, if it has one).

| package | version | licence | file here | source file in the npm package | sha256 |
|---|---|---|---|---|---|
| uplot | $UPLOT_VERSION | MIT | \`$uplot_dir/uPlot.iife.min.js\` | \`dist/uPlot.iife.min.js\` | \`$(sha "$vendor/$uplot_dir/uPlot.iife.min.js")\` |
| uplot | $UPLOT_VERSION | MIT | \`$uplot_dir/uPlot.min.css\` | \`dist/uPlot.min.css\` | \`$(sha "$vendor/$uplot_dir/uPlot.min.css")\` |
| uplot | $UPLOT_VERSION | MIT | \`$uplot_dir/LICENSE\` | \`LICENSE\` | \`$(sha "$vendor/$uplot_dir/LICENSE")\` |
| socket.io-client | $SOCKETIO_VERSION | MIT | \`$socketio_dir/socket.io.esm.min.js\` | \`dist/socket.io.esm.min.js\` | \`$(sha "$vendor/$socketio_dir/socket.io.esm.min.js")\` |
| socket.io-client | $SOCKETIO_VERSION | MIT | \`$socketio_dir/LICENSE\` | \`LICENSE\` | \`$(sha "$vendor/$socketio_dir/LICENSE")\` |
$(for file in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE; do
    echo "| swagger-ui-dist | $SWAGGER_UI_VERSION | Apache-2.0 | \`$swagger_dir/$file\` | \`$file\` | \`$(sha "$vendor/$swagger_dir/$file")\` |"
done)

uPlot is loaded as a classic script (the minified IIFE defines \`window.uPlot\`; the package
ships no minified ES module) and re-exported by \`js/uplot.js\`. The socket.io client is the
minified ES module, speaking Engine.IO 4 like the server (python-socketio 5). Source maps are
not vendored; the minified file's \`sourceMappingURL\` comment only matters with DevTools open.

Swagger UI renders \`/docs\` (\`docs.html\`, \`js/docs.js\`): the UMD bundle, loaded as a classic
script, defines \`window.SwaggerUIBundle\`. Its \`swagger-ui-bundle.js.LICENSE.txt\` lists the licences
of the libraries bundled inside it (React, Redux, …); it ships with the package, it is not served.
EOF
echo "vendored uplot@$UPLOT_VERSION, socket.io-client@$SOCKETIO_VERSION and" \
    "swagger-ui-dist@$SWAGGER_UI_VERSION into $vendor"
