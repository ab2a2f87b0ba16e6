/**
 * Accessibility checks in the browser tests: axe-core injected into a page (or frame) and run over it,
 * open shadow roots included (axe walks them itself). Only the violations that matter for the pass/fail
 * rule are returned: impact serious or critical, one line per rule with the first offending nodes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeProblem {
  rule: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** Runs axe over `selector` (the whole document by default); answers the serious and critical violations. */
export async function seriousViolations(target: Page | Frame, selector?: string): Promise<AxeProblem[]> {
  if (!(await target.evaluate(() => 'axe' in window))) await target.addScriptTag({ content: axeSource });
  const found = await target.evaluate(async (sel) => {
    type Result = { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Result[] }> } }).axe;
    const { violations } = await axe.run(sel ?? document, { resultTypes: ['violations'] });
    return violations.map((v) => ({ rule: v.id, impact: v.impact ?? '', help: v.help, nodes: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
  }, selector);
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
