#!/usr/bin/env node
/**
 * The release build (issue 20): esbuild bundles the CLI, the library entry and the worker-thread entry into one file
 * each under dist/bundle/, with every dependency inlined, so the published package loads one file instead of ~50 ES
 * modules through the resolver (most of keyscan's start-up) and needs no `dependencies` at install time. `tsc` still
 * type-checks and writes the library's .d.ts files to dist/.
 *
 * Why three entries: the pool (src/executor/pool.ts) starts workers from `new URL("./pool-worker.mjs", import.meta.url)`,
 * which in a bundle is a sibling of the bundle file; the worker therefore gets its own single-file bundle beside the
 * CLI's and the library's. The library and the worker are ES modules (.mjs); the CLI is a CommonJS script, cli.cjs,
 * that the `bin` (scripts/launcher.cjs, copied to keyscan.js) compiles with a V8 code cache made after a run, which
 * holds every function the run compiled (issue 20: ~25 ms of a pre-commit run's CPU; see the launcher). Its free
 * names are the launcher's wrapper's: `require`, `__keyscanUrl` for import.meta.url and `__keyscanImport` for import().
 *
 * keyscan loads yaml, zod, ignore and a few of its own modules on first use through `createRequire` (start-up, issue
 * 7). esbuild does not follow such calls, so the plugin below rewrites `lazyRequire(` to `require(` in keyscan's own
 * sources: esbuild then bundles those modules and wraps them in lazily evaluated closures, which keeps them unloaded
 * until first use, as before.
 *
 * Run without esbuild (a git install of the package, where npm gives `prepare` no devDependencies), it keeps an
 * existing bundle and says so; with no bundle either it fails, saying what to install.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "bundle");
export const BUNDLE_FILES = ["keyscan.js", "package.json", "cli.cjs", "index.mjs", "pool-worker.mjs"];

let esbuild;
try {
  esbuild = createRequire(join(root, "package.json"))("esbuild");
} catch {
  if (BUNDLE_FILES.every((f) => existsSync(join(outdir, f)))) {
    console.error("keyscan bundle: esbuild is not installed; keeping the existing dist/bundle/");
    process.exit(0);
  }
  console.error("keyscan bundle: esbuild is not installed (a devDependency): run `npm ci` in a checkout of keyscan first");
  process.exit(1);
}

/**
 * Keeps what keyscan loads lazily lazy inside the bundle (issue 7's start-up work). In keyscan's own sources:
 * - `lazyRequire("./x.js")` → `require("./x.js")`: esbuild bundles the module and evaluates it on first use;
 * - `import { a, b as c } from "pkg"` (a dependency or a Node built-in) → `const { a, b: c } = require("pkg")`. In an
 *   ES module bundle esbuild would hoist such an import to the top of the file, so zod (~100 ms), smol-toml or
 *   node:http would load on every start although only lazily loaded modules use them; as a require() it runs when
 *   the module that needs it is first evaluated. Dependencies stay in node_modules (`packages: "external"`), loaded
 *   only on use; the bundle holds keyscan's own ~60 modules.
 */
const STATIC_IMPORT = /^import \{([^}]*)\} from "([^".][^"]*)";/gm;
const lazyPlugin = {
  name: "keyscan-lazy",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8")
        .replace(/\blazyRequire\(/g, "require(")
        .replace(STATIC_IMPORT, (_, names, spec) => {
          const bound = names
            .split(",")
            .map((n) => n.trim())
            .filter((n) => n && !n.startsWith("type "))
            .map((n) => n.replace(/\s+as\s+/, ": "));
          return bound.length ? `const { ${bound.join(", ")} } = require(${JSON.stringify(spec)});` : "";
        })
        // Code for runs from the TypeScript sources (vitest) only; a top-level await there would keep the CLI from
        // being a CommonJS bundle.
        .replace(/\bimport\.meta\.url\.endsWith\("\.ts"\)/g, "false");
      return { contents: text, loader: "ts" };
    });
  },
};

/**
 * keyscan's dependencies, each bundled into its own file under dist/bundle/vendor/, so the package installs nothing
 * (a git install for the pre-commit framework, `npx` in the Action) and each dependency still loads only when used.
 * yargs is ES-module only and is loaded with import(); the others are CommonJS, for the synchronous lazy require()s.
 */
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const VENDOR = Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, esm: name === "yargs" }));
const vendorFile = (v) => `vendor/${v.name.replace(/^@/, "").replace(/\//g, "__")}.${v.esm ? "mjs" : "cjs"}`;
const vendorPlugin = {
  name: "keyscan-vendor",
  setup(build) {
    for (const v of VENDOR) {
      const filter = new RegExp(`^${v.name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);
      build.onResolve({ filter }, () => ({ path: `./${vendorFile(v)}`, external: true }));
    }
  },
};
const REQUIRE_BANNER = 'import { createRequire as __keyscanCreateRequire } from "node:module"; const require = __keyscanCreateRequire(import.meta.url);';

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  platform: "node",
  target: "node20.19",
  // Prefer the packages' Node entries; CommonJS dependencies that require() Node built-ins get a real require.
  mainFields: ["module", "main"],
  minify: true,
  legalComments: "eof",
  logLevel: "warning",
  metafile: true,
  plugins: [lazyPlugin, vendorPlugin],
};
const result = await esbuild.build({
  ...common,
  entryPoints: { index: "src/index.ts", "pool-worker": "src/executor/pool-worker.ts" },
  outExtension: { ".js": ".mjs" }, // ES modules in a folder whose package.json says CommonJS (for the launcher)
  format: "esm",
  banner: { js: REQUIRE_BANNER },
});
const cli = await esbuild.build({
  ...common,
  entryPoints: { cli: "src/cli/bin.ts" },
  outExtension: { ".js": ".cjs" },
  format: "cjs",
  define: { "import.meta.url": "__keyscanUrl" },
  write: false,
});
Object.assign(result.metafile.outputs, cli.metafile.outputs);
for (const out of cli.outputFiles) {
  // import() from the launcher (see there); anything else that reads as an import() call fails the build.
  // No `#!` line: the launcher compiles the file inside a function.
  const text = out.text.replace(/^#![^\n]*\n/, "").replace(/\bimport\((?=")/g, "__keyscanImport(");
  if (/\bimport\s*\(/.test(text) || /\bimport\.meta\b/.test(text)) throw new Error(`keyscan bundle: ${out.path} still holds import() or import.meta`);
  // ASCII, so that the launcher reads it as Latin-1 (a one-byte string, no UTF-8 decoding): esbuild escapes what is
  // not ASCII except in regex literals (`/…|→var$/`), where `\uXXXX` means the same character.
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  writeFileSync(out.path, ascii);
}
for (const v of VENDOR) {
  const r = await esbuild.build({
    absWorkingDir: root,
    stdin: { contents: v.esm ? `export { default } from ${JSON.stringify(v.name)};` : `module.exports = require(${JSON.stringify(v.name)});`, resolveDir: root, loader: "js" },
    outfile: join(outdir, vendorFile(v)),
    bundle: true,
    platform: "node",
    format: v.esm ? "esm" : "cjs",
    target: "node20.19",
    minify: true,
    legalComments: "eof",
    logLevel: "warning",
    metafile: true,
    ...(v.esm ? { banner: { js: REQUIRE_BANNER } } : {}),
  });
  Object.assign(result.metafile.outputs, r.metafile.outputs);
}
writeFileSync(join(outdir, "keyscan.js"), readFileSync(join(root, "scripts", "launcher.cjs"), "utf8"), { mode: 0o755 });
writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
const sizes = Object.entries(result.metafile.outputs)
  .filter(([f]) => /\.[cm]js$/.test(f) && !/[\\/]vendor[\\/]/.test(f))
  .map(([f, o]) => `${f.replace(/^.*dist[\\/]bundle[\\/]/, "")} ${(o.bytes / 1024).toFixed(0)} KiB`);
console.error(`keyscan bundle: dist/bundle/ (${sizes.join(", ")})`);
