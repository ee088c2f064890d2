// Refreshes the browser assets VetQL serves itself (GraphiQL, React, the explorer plugin, uPlot).
// Development time only: `node scripts/refresh-assets.mjs` (or scripts/refresh-assets.sh) runs npm in a
// temporary folder, copies the files below into server/static/vendor/ and writes manifest.json there
// with each file's package, version, licence, sha256 and the tarball's integrity. Nothing here runs
// when VetQL is installed or served.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const VENDOR = join(ROOT, "server", "static", "vendor");

// package -> [version, [[file in the package, name under vendor/<folder>/]...], folder]
const PACKAGES = {
  react: ["18.2.0", "react", [["umd/react.production.min.js", "react.production.min.js"]]],
  "react-dom": ["18.2.0", "react-dom", [["umd/react-dom.production.min.js", "react-dom.production.min.js"]]],
  graphiql: ["3.8.3", "graphiql", [["graphiql.min.js", "graphiql.min.js"], ["graphiql.min.css", "graphiql.min.css"]]],
  "@graphiql/plugin-explorer": ["1.0.2", "graphiql-explorer", [["dist/index.umd.js", "index.umd.js"], ["dist/style.css", "style.css"]]],
  uplot: ["1.6.31", "uplot", [["dist/uPlot.iife.min.js", "uPlot.iife.min.js"], ["dist/uPlot.min.css", "uPlot.min.css"]]],
};

const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

const work = mkdtempSync(join(tmpdir(), "vetql-assets-"));
try {
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "vetql-assets", private: true }));
  const specs = Object.entries(PACKAGES).map(([name, [version]]) => `${name}@${version}`);
  console.log(`==> npm install ${specs.join(" ")}`);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--legacy-peer-deps", ...specs],
    { cwd: work, stdio: "inherit" });
  const lock = JSON.parse(readFileSync(join(work, "package-lock.json"), "utf8"));
  rmSync(VENDOR, { recursive: true, force: true });
  const assets = [];
  for (const [name, [version, folder, files]] of Object.entries(PACKAGES)) {
    const pkgDir = join(work, "node_modules", name);
    const meta = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    if (meta.version !== version) throw new Error(`${name}: wanted ${version}, npm gave ${meta.version}`);
    const locked = lock.packages[`node_modules/${name}`] || {};
    mkdirSync(join(VENDOR, folder), { recursive: true });
    const licence = readdirSync(pkgDir).find((f) => /^licen[cs]e/i.test(f));
    if (licence) copyFileSync(join(pkgDir, licence), join(VENDOR, folder, "LICENSE"));
    for (const [from, to] of files) {
      const target = join(VENDOR, folder, to);
      copyFileSync(join(pkgDir, from), target);
      assets.push({
        file: `${folder}/${to}`, package: name, version, license: meta.license,
        source: `${name}@${version}/${from}`, tarballIntegrity: locked.integrity || null, sha256: sha256(target),
      });
    }
  }
  const manifest = { note: "Written by scripts/refresh-assets.mjs; a test checks every sha256.", assets };
  writeFileSync(join(VENDOR, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  console.log(`==> wrote ${assets.length} assets and manifest.json into ${VENDOR}`);
} finally {
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
}
