#!/usr/bin/env bash
# Development time only: refresh GraphiQL, React, the explorer plugin and uPlot under server/static/vendor/
# (npm from the registry), with manifest.json recording version, licence and sha256 of each file.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/refresh-assets.mjs
