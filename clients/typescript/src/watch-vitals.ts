// Live vitals of one anesthesia log over graphql-transport-ws (graphql-ws), typed with WatchVitalsSubscription.
// VETQL_TOKEN=... npm run watch-vitals -- <anesthesia log id> [since ISO instant]
// On a dropped connection graphql-ws retries; resubscribing with `since` = the last reading's recordedAt
// replays what was missed (keep the ids you have seen: readings at that same instant come again).
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { WatchVitalsSubscription, WatchVitalsSubscriptionVariables } from "./generated/graphql.js";
import { VETQL_URL, WATCH_VITALS, token } from "./operations.js";

const [log, since] = process.argv.slice(2);
if (!log) throw new Error("usage: watch-vitals <anesthesia log id> [since]");
const variables: WatchVitalsSubscriptionVariables = { log, since: since ?? null };

const client = createClient({
  url: VETQL_URL.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token()}` },
  retryAttempts: 5,
});

const seen = new Set<string>();
for await (const result of client.iterate<WatchVitalsSubscription>({ query: WATCH_VITALS, variables })) {
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  const v = result.data!.vitalsRecorded;
  if (seen.has(v.id)) continue;
  seen.add(v.id);
  console.log(`${v.recordedAt}  HR ${v.heartRate ?? "-"}  SpO2 ${v.spo2 ?? "-"} %  EtCO2 ${v.etco2 ?? "-"}  MAP ${v.bloodPressureMean ?? "-"}  T ${v.temperature ?? "-"} °C`);
}
