// Lint: the import rules between the server's layers (scripts/lint/layers.js), plus a few checks
// that catch real mistakes. `npm run lint`; `npm test` runs it too (test/unit/lint.test.ts).
import tseslint from 'typescript-eslint';
import { layersPlugin } from './scripts/lint/layers.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'test/artifacts/**', '.scratch/**', 'server/sandbox/page/assets/**'] },
  {
    files: ['**/*.ts', '**/*.js'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { layers: layersPlugin, '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      'layers/allowed-imports': 'error',
      'no-debugger': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
    },
  },
  // No `any` in product code; tests may use it to build malformed input on purpose.
  { files: ['server/**', 'scripts/**', 'widget/**', 'webchat-embed/**'], rules: { '@typescript-eslint/no-explicit-any': 'error' } },
);
