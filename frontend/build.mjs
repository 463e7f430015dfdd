// Build what ships in git from node_modules: static/nhsuk (compiled CSS, JS module, images),
// static/vendor/htmx.min.js and tests/browser/vendor/axe.min.js (the accessibility test's axe-core), then
// record in frontend/build-stamp.json the SHA-256 of every source and every output, so a test
// (tools/tests/test_assets.py) can tell when the sources changed without a rebuild (`make assets`).
import { compile } from "sass";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const modules = join(here, "node_modules");
const nhsuk = join(modules, "nhsuk-frontend", "dist", "nhsuk");
const out = {
  nhsuk: join(root, "static", "nhsuk"),
  vendor: join(root, "static", "vendor"),
  axe: join(root, "tests", "browser", "vendor"),
};

// Start empty, so a file an older nhsuk-frontend shipped does not linger beside the new ones.
for (const dir of Object.values(out)) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}
// Expanded, not compressed: the CSS is committed, and a readable file gives readable diffs and merges
// (whitenoise serves it gzip- and brotli-compressed in any case).
const css = compile(join(here, "app.scss"), { loadPaths: [modules, here], style: "expanded",
  silenceDeprecations: ["import", "global-builtin"], quietDeps: true });
writeFileSync(join(out.nhsuk, "nhsuk.css"), css.css + "\n");
cpSync(join(nhsuk, "nhsuk-frontend.min.js"), join(out.nhsuk, "nhsuk-frontend.min.js"));
cpSync(join(nhsuk, "assets"), join(out.nhsuk, "assets"), { recursive: true });
cpSync(join(modules, "htmx.org", "dist", "htmx.min.js"), join(out.vendor, "htmx.min.js"));
cpSync(join(modules, "axe-core", "axe.min.js"), join(out.axe, "axe.min.js"));
cpSync(join(modules, "axe-core", "LICENSE"), join(out.axe, "LICENSE-axe-core"));

// The stamp: keep the file lists in step with tools/assets.py.
const key = (path) => relative(root, path).split(sep).join("/");
const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");
const filesUnder = (dir) => readdirSync(dir, { recursive: true }).map((name) => join(dir, name))
  .filter((path) => statSync(path).isFile());
const hashes = (paths) => Object.fromEntries(paths.map((path) => [key(path), sha256(path)])
  .sort(([a], [b]) => (a < b ? -1 : 1)));
const sources = readdirSync(here).filter((name) => name.endsWith(".scss") ||
  ["build.mjs", "package.json", "package-lock.json"].includes(name)).map((name) => join(here, name));
const stamp = { sources: hashes(sources), outputs: hashes(Object.values(out).flatMap(filesUnder)) };
writeFileSync(join(here, "build-stamp.json"), JSON.stringify(stamp, null, 2) + "\n");
console.log("built static/nhsuk, static/vendor and tests/browser/vendor; recorded frontend/build-stamp.json");
