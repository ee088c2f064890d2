// After generating: record the sha256 of each input the types came from (schema.graphql and the
// operations); tests/test_clients.py compares them, so a stale src/generated/ fails the suite.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const root = new URL("../../../", import.meta.url);
const inputs = ["schema.graphql", ...readdirSync(new URL("clients/operations/", root))
  .filter((name) => name.endsWith(".graphql")).sort().map((name) => `clients/operations/${name}`)];
const lines = inputs.map((path) => `${createHash("sha256").update(readFileSync(new URL(path, root))).digest("hex")}  ${path}`);
writeFileSync(new URL("../src/generated/inputs.sha256", import.meta.url), lines.join("\n") + "\n");
console.log(lines.join("\n"));
