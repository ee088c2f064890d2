// PostGraphile v5 over VetQL's database, the peer VetQL's read benchmark (`make bench`) compares against.
//
//   node server.mjs --port 8767
//
// Environment: DATABASE_URL (postgresql://...; a unix socket as ?host=/dir),
// VETQL_JWT_SECRET (the HS256 key the bench signs its token with).
//
// bench/postgraphile_target.py copies this file into bench/.work/postgraphile/
// (where `npm install` put postgraphile and jsonwebtoken) and runs it there
// with the Node 22 it installed from npm; nothing here is a dependency of VetQL.
//
// Every GraphQL request: the bearer token is verified as VetQL verifies it
// (HS256 only; exp, sub and role required; tenant_id required for clinic
// roles), then PostGraphile runs the request's SQL in a transaction as role
// vetql_app with request.jwt.claims (and request.jwt.claim.tenant_id, .role,
// .sub, as VetQL sets them) set to the verified claims (pgSettings),
// so the same RLS policies decide which rows exist as for VetQL and the floor.
// Production settings: NODE_ENV=production, no GraphiQL, no watch, no explain,
// errors masked (no stack traces).
//
// One addition to the generated schema: `startsFrom` / `startsBefore` on
// AppointmentCondition (appointments starting in [from, before)), as a
// PostGraphile user adds a range condition with graphile-utils'
// addPgTableCondition; the Amber preset's conditions are equality only, and
// "today's appointments" needs a range. It is planned into the same single
// SQL statement as the rest of the query.
//
// And one field: `isActive` on AnesthesiaAlarm (`cleared_at IS NULL`, as VetQL's
// alarm isActive), which the wide overview selects. A PostGraphile user would add
// a computed-column function in the database; nothing is added there, so it is an
// extendSchema plan that selects the expression in the same statement.

import { createServer } from "node:http";
import { parseArgs } from "node:util";

import jwt from "jsonwebtoken";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { TYPES } from "postgraphile/@dataplan/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { sql } from "postgraphile/pg-sql2";
import { addPgTableCondition, extendSchema, gql } from "postgraphile/utils";

const ROLES = new Set(["owner", "vet", "admin", "platform"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8767" },
    "pool-size": { type: "string", default: "20" },
  },
});

const connectionString = process.env.DATABASE_URL;
const secret = process.env.VETQL_JWT_SECRET;
if (!connectionString || !secret) {
  console.error("postgraphile server: DATABASE_URL and VETQL_JWT_SECRET must be set");
  process.exit(2);
}

class AuthError extends Error {}

/** The claims VetQL would set for this Authorization header, as VetQL's Claims.as_json_claims() orders them. */
function verifiedClaims(header) {
  if (!header) throw new AuthError("a clinic token is required");
  const [scheme, token] = header.split(" ", 2);
  if (scheme.toLowerCase() !== "bearer" || !token || !token.trim()) {
    throw new AuthError("expected 'Bearer <token>'");
  }
  let payload;
  try {
    payload = jwt.verify(token.trim(), secret, { algorithms: ["HS256"] });
  } catch (error) {
    throw new AuthError(error instanceof jwt.TokenExpiredError ? "token expired" : "invalid token");
  }
  if (typeof payload !== "object" || payload.exp == null || payload.sub == null || payload.role == null) {
    throw new AuthError("invalid token");
  }
  if (!ROLES.has(payload.role)) throw new AuthError("unknown role");
  if (!UUID.test(String(payload.sub))) throw new AuthError("sub is not a UUID");
  const tenantId = payload.tenant_id;
  if (tenantId != null && typeof tenantId !== "string") throw new AuthError("tenant_id must be text");
  if (payload.role !== "platform" && !tenantId) throw new AuthError("tenant_id is required for clinic roles");
  const claims = { sub: String(payload.sub).toLowerCase(), role: payload.role, exp: Math.trunc(payload.exp) };
  if (tenantId) claims.tenant_id = tenantId;
  return claims;
}

/** A condition on appointments.start_time: `op` is ">=" or "<". */
function startTimeCondition(fieldName, op, description) {
  return addPgTableCondition(
    { schemaName: "public", tableName: "appointments" },
    fieldName,
    (build) => ({ description, type: build.getTypeByName("Datetime") }),
    (value, { sql, sqlTableAlias, sqlValueWithCodec }) =>
      value == null
        ? null
        : sql`${sqlTableAlias}.start_time ${sql.raw(op)} ${sqlValueWithCodec(value, TYPES.timestamptz)}`,
  );
}

/** AnesthesiaAlarm.isActive: the alarm is not cleared yet. */
const alarmIsActive = extendSchema({
  typeDefs: gql`
    extend type AnesthesiaAlarm {
      "True until cleared."
      isActive: Boolean!
    }
  `,
  objects: {
    AnesthesiaAlarm: {
      plans: {
        isActive($alarm) {
          return $alarm.select(sql`${$alarm.getClassStep().alias}.cleared_at is null`, TYPES.boolean, true);
        },
      },
    },
  },
});

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [
    startTimeCondition("startsFrom", ">=", "Starting at or after this instant."),
    startTimeCondition("startsBefore", "<", "Starting before this instant."),
    alarmIsActive,
  ],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      poolConfig: { max: Number(args["pool-size"]), application_name: "vetql-bench-postgraphile" },
    }),
  ],
  grafserv: {
    graphqlPath: "/graphql",
    graphiql: false,
    graphiqlOnGraphQLGET: false,
    watch: false,
    websockets: false,
  },
  grafast: {
    explain: false,
    context(requestContext) {
      // The request listener below verified the token before grafserv saw the request.
      const claims = requestContext.node?.req?.vetqlClaims;
      if (!claims) throw new Error("unauthenticated request reached GraphQL");
      // The claims as VetQL sets them (db/session.py): the JSON, and the three the policies read each as a
      // setting of its own (migration 0024), so that no policy parses the JSON again on every row.
      return {
        pgSettings: {
          role: "vetql_app",
          "request.jwt.claims": JSON.stringify(claims),
          "request.jwt.claim.tenant_id": claims.tenant_id ?? "",
          "request.jwt.claim.role": claims.role,
          "request.jwt.claim.sub": claims.sub,
        },
      };
    },
  },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
await pgl.getSchema(); // build the schema (introspection) before reporting ready
const handler = serv.createHandler();

function reply(res, status, body) {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "content-type": "application/json", "content-length": bytes.length });
  res.end(bytes);
}

const server = createServer((req, res) => {
  if (req.url === "/readyz") {
    reply(res, 200, { status: "ready" });
    return;
  }
  if (req.url === "/graphql" || req.url?.startsWith("/graphql?")) {
    try {
      req.vetqlClaims = verifiedClaims(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      reply(res, 401, { errors: [{ message: error.message }] });
      return;
    }
  }
  handler(req, res, () => reply(res, 404, { errors: [{ message: "not found" }] }));
});
server.keepAliveTimeout = 75_000;

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  Promise.resolve(pgl.release()).finally(() => process.exit(0));
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

server.listen(Number(args.port), args.host, () => {
  console.log(`postgraphile ${process.version} listening on http://${args.host}:${args.port}/graphql`);
});
