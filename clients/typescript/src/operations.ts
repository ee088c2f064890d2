// The operation documents the generated types describe (../operations/*.graphql), read once.
import { readFileSync } from "node:fs";

const read = (name: string): string =>
  readFileSync(new URL(`../../operations/${name}.graphql`, import.meta.url), "utf8");

export const OVERVIEW = read("overview");
export const WATCH_VITALS = read("watch_vitals");

export const VETQL_URL = process.env.VETQL_URL ?? "http://127.0.0.1:8000/graphql";

export function token(): string {
  const value = process.env.VETQL_TOKEN;
  if (!value) throw new Error("Set VETQL_TOKEN to a staff token (make run prints one).");
  return value;
}
