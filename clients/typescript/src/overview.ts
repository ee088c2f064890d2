// The patient overview over HTTP, typed with the generated OverviewQuery.
// VETQL_TOKEN=... npm run overview
import type { OverviewQuery } from "./generated/graphql.js";
import { OVERVIEW, VETQL_URL, token } from "./operations.js";

const response = await fetch(VETQL_URL, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${token()}` },
  body: JSON.stringify({ query: OVERVIEW }),
});
const body = (await response.json()) as { data?: OverviewQuery; errors?: { message: string }[] };
if (!response.ok || body.errors) throw new Error(JSON.stringify(body.errors ?? response.status));
const data = body.data!;
console.log(`${data.viewer?.clinic?.name}: ${data.pets.totalCount} patients with active alerts`);
for (const pet of data.pets.nodes) {
  const log = pet.anesthesiaLogs.nodes[0];
  console.log(`- ${pet.name} (${pet.species}), ${pet.alerts.length} alerts${log ? `, last procedure: ${log.procedureName}` : ""}`);
}
