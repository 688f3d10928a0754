// Compile a solc standard-JSON input read from stdin with the pinned npm solc (no network).
// Imports resolve against the repository root and node_modules. Prints the standard-JSON output.
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..", "..");
const solc = require(path.join(root, "node_modules", "solc"));
function findImports(p) {
  for (const base of [root, path.join(root, "node_modules")]) {
    const f = path.join(base, p);
    if (fs.existsSync(f)) return { contents: fs.readFileSync(f, "utf8") };
  }
  return { error: "not found: " + p };
}
const input = fs.readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImports }));
