// After generating: record the sha256 of the schema the types came from (tests/test_clients.py compares it).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
const schema = readFileSync(new URL("../../../schema.graphql", import.meta.url));
const digest = createHash("sha256").update(schema).digest("hex");
writeFileSync(new URL("../src/generated/schema.sha256", import.meta.url), `${digest}  schema.graphql\n`);
console.log(`schema.graphql sha256 ${digest}`);
