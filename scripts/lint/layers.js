/**
 * ESLint rule `layers/allowed-imports`: each folder of the server may import only the folders its
 * role allows (README, "How it is built"). The import is resolved to a file path, so `../x` and
 * `../../x` are judged by where they land, not by how they are spelled.
 *
 * A layer is the first folder under server/ (`bridge`, `store`, …), a top-level server file
 * (`errors`, `log`, `services`, …), or `platform:<name>` for each folder under server/platforms/.
 * Browser code (widget/, webchat-embed/) may import nothing of the server.
 */
import { dirname, relative, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');

/** What each layer may import besides itself. `*` = anything. */
export const ALLOWED = {
  // The platform-neutral core: its ports are interfaces; it knows no platform, route, emulator or API client.
  bridge: ['errors'],
  // A platform talks to the bridge only: never to amojo, amoCRM, the store, routes or another platform.
  platform: ['bridge', 'errors', 'http', 'log'],
  amojo: ['bridge', 'errors', 'net'],
  amocrm: ['amojo', 'bridge', 'errors', 'net', 'store'],
  store: ['bridge', 'errors'],
  http: ['errors', 'log'],
  net: ['bridge', 'errors'],
  config: [],
  errors: [],
  log: ['config'],
  routes: ['amocrm', 'amojo', 'bridge', 'config', 'errors', 'http', 'log', 'net', 'services', 'store'],
  // Emulators stand in for the far side; the sandbox page shows the real backend, so it may use its services.
  sandbox: ['amocrm', 'amojo', 'bridge', 'config', 'errors', 'http', 'log', 'net', 'routes', 'services', 'store'],
  // The composition root and the process entry wire everything.
  services: ['*'],
  app: ['*'],
  main: ['*'],
  metrics: ['bridge', 'errors', 'log', 'store'],
  runtime: ['*'],
  cli: ['*'],
  browser: [],
};

/** The layer of an absolute file path, or undefined outside server/ and the browser folders. */
export function layerOf(file) {
  const rel = relative(ROOT, file).split(sep);
  if (rel[0] === 'widget' || rel[0] === 'webchat-embed') return { kind: 'browser', name: 'browser' };
  if (rel[0] !== 'server' || rel.length < 2) return undefined;
  if (rel.length === 2) return { kind: rel[1].replace(/\.(ts|js)$/, ''), name: rel[1].replace(/\.(ts|js)$/, '') };
  if (rel[1] === 'platforms' && rel.length >= 4) return { kind: 'platform', name: `platform:${rel[2]}` };
  return { kind: rel[1], name: rel[1] };
}

function allows(from, to) {
  if (from.name === to.name) return true;
  const allowed = ALLOWED[from.kind];
  if (!allowed) return false;
  if (allowed.includes('*')) return true;
  return allowed.includes(to.kind === 'platform' ? 'platform' : to.kind);
}

export const layersPlugin = {
  rules: {
    'allowed-imports': {
      meta: { type: 'problem', messages: { forbidden: '{{from}} may not import {{to}} ({{source}}): see the layer table in scripts/lint/layers.js' } },
      create(context) {
        const from = layerOf(context.filename);
        if (!from) return {};
        function check(node) {
          const source = node.source?.value;
          if (typeof source !== 'string' || !source.startsWith('.')) return;
          const to = layerOf(resolve(dirname(context.filename), source));
          if (from.kind === 'browser') {
            if (to && to.kind !== 'browser') context.report({ node, messageId: 'forbidden', data: { from: from.name, to: to.name, source } });
            return;
          }
          if (to && !allows(from, to)) context.report({ node, messageId: 'forbidden', data: { from: from.name, to: to.name, source } });
        }
        return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
      },
    },
  },
};
