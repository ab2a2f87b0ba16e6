import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { layerOf } from '../../scripts/lint/layers.js';

const root = new URL('../..', import.meta.url).pathname;

describe('lint', () => {
  it('finds no problem in the repository (layer imports, no any, no eval)', async () => {
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintFiles(['server', 'scripts', 'test', 'widget/src', 'webchat-embed/src']);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(root.length)}:${m.line} ${m.ruleId ?? ''} ${m.message}`));
    expect(problems).toEqual([]);
  }, 120_000);

  it('refuses a bridge file that imports a platform, and a platform that imports amojo or another platform', async () => {
    const eslint = new ESLint({ cwd: root });
    const cases: Array<[string, string]> = [
      ['server/bridge/x.ts', "import { createWebchat } from '../platforms/webchat/index.js';"],
      ['server/bridge/x.ts', "import { createAmojoClient } from '../amojo/client.js';"],
      ['server/bridge/x.ts', "import type { Store } from '../store/index.js';"],
      ['server/platforms/webchat/x.ts', "import { createAmojoClient } from '../../amojo/client.js';"],
      ['server/platforms/webchat/x.ts', "import { thing } from '../telegram/index.js';"],
      ['webchat-embed/src/x.ts', "import { thing } from '../../server/errors.js';"],
    ];
    for (const [filePath, code] of cases) {
      const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
      expect(result!.messages.map((m) => m.ruleId), `${filePath}: ${code}`).toContain('layers/allowed-imports');
    }
    const [ok] = await eslint.lintText("import { BridgeRefusal } from '../../bridge/index.js';", { filePath: `${root}server/platforms/webchat/x.ts` });
    expect(ok!.messages).toEqual([]);
  });

  it('knows the layer of a path', () => {
    expect(layerOf(`${root}server/platforms/telegram/adapter.ts`)).toEqual({ kind: 'platform', name: 'platform:telegram' });
    expect(layerOf(`${root}server/bridge/index.ts`)).toEqual({ kind: 'bridge', name: 'bridge' });
    expect(layerOf(`${root}server/errors.ts`)).toEqual({ kind: 'errors', name: 'errors' });
    expect(layerOf(`${root}scripts/bench/index.ts`)).toBeUndefined();
  });
});
