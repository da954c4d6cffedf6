// Workflows for the benchmarks only (bench/temporal-sqlite.ts bundles this file for its in-process worker).

/**
 * Returns at once: a run is a start, one workflow task and a completion, so what a benchmark of it
 * measures is the server's persistence, not workflow code.
 */
export async function tinyWorkflow(n: number): Promise<number> {
  return n;
}
