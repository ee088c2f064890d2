#!/usr/bin/env bash
# Development time only: regenerate the TypeScript types in clients/typescript/src/generated/ from
# schema.graphql (GraphQL Code Generator from npm) and record the schema's sha256 beside them; then
# type-check the example client. tests/test_clients.py fails until this has run after a schema change.
set -euo pipefail
cd "$(dirname "$0")/../clients/typescript"
npm ci --no-audit --no-fund
npm run generate
npm run typecheck
