// Build static/nhsuk (compiled CSS, JS module, images) and static/vendor/htmx.min.js from node_modules.
import { compile } from "sass";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "static");
const nhsuk = join(modules, "nhsuk-frontend", "dist", "nhsuk");

mkdirSync(join(out, "nhsuk"), { recursive: true });
mkdirSync(join(out, "vendor"), { recursive: true });
const css = compile(join(here, "app.scss"), { loadPaths: [modules, here], style: "compressed",
  silenceDeprecations: ["import", "global-builtin"], quietDeps: true });
writeFileSync(join(out, "nhsuk", "nhsuk.css"), css.css);
cpSync(join(nhsuk, "nhsuk-frontend.min.js"), join(out, "nhsuk", "nhsuk-frontend.min.js"));
cpSync(join(nhsuk, "assets"), join(out, "nhsuk", "assets"), { recursive: true });
cpSync(join(modules, "htmx.org", "dist", "htmx.min.js"), join(out, "vendor", "htmx.min.js"));
console.log("built static/nhsuk and static/vendor");
