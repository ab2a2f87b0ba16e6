/**
 * Checks that `script.js` is what the CRM's RequireJS expects (widget-and-oauth.md §3.1): one anonymous
 * `define(deps, factory)` whose factory returns the widget constructor, a plain function (not a class,
 * because the host calls it with its own `this`). The script runs in a bare `node:vm` context, like a
 * page where only `define` exists: a bundle that touches the page while loading is reported too.
 */
import { runInNewContext } from 'node:vm';

interface DefineCall {
  args: unknown[];
}

/** Stands in for any host module (jquery, underscore, …): callable, and every property is another stub. */
function hostModuleStub(): unknown {
  const target = function stub() {
    return proxy;
  };
  const proxy: unknown = new Proxy(target, {
    get: (t, key) => (key === 'prototype' ? t.prototype : key === Symbol.toPrimitive ? () => '' : proxy),
    apply: () => proxy,
  });
  return proxy;
}

function splitDefine(args: unknown[]): { name?: unknown; deps: unknown; factory: unknown } {
  if (typeof args[0] === 'string') return { name: args[0], deps: args.length > 2 ? args[1] : [], factory: args[args.length - 1] };
  if (Array.isArray(args[0])) return { deps: args[0], factory: args[1] };
  return { deps: [], factory: args[0] };
}

export function checkAmdScript(source: string, fileName = 'script.js'): string[] {
  const calls: DefineCall[] = [];
  const define = (...args: unknown[]) => void calls.push({ args });
  define.amd = {};
  try {
    runInNewContext(source, { define }, { filename: fileName, timeout: 5_000 });
  } catch (error) {
    return [`${fileName} throws while loading (${(error as Error).message}); the CRM could not load it`];
  }
  if (calls.length === 0) return [`${fileName} is not an AMD module: it never calls define()`];
  if (calls.length > 1) return [`${fileName} calls define() ${calls.length} times; the CRM expects exactly one module`];

  const { name, deps, factory } = splitDefine(calls[0]!.args);
  if (name !== undefined) {
    return [`${fileName} defines a named module "${String(name)}"; it must be anonymous so RequireJS can load it by URL`];
  }
  if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string')) {
    return [`${fileName}: the dependency list of define() must be an array of module names`];
  }
  if (typeof factory !== 'function') {
    return [`${fileName}: define() is not given a factory function, so the module does not return a widget constructor`];
  }

  let widget: unknown;
  try {
    widget = (factory as (...a: unknown[]) => unknown)(...deps.map(() => hostModuleStub()));
  } catch (error) {
    return [`${fileName}: the define() factory throws (${(error as Error).message})`];
  }
  if (typeof widget !== 'function') {
    return [`${fileName}: the define() factory returns ${widget === null ? 'null' : typeof widget}, not the widget constructor function`];
  }
  if (/^class\b/.test(Function.prototype.toString.call(widget))) {
    return [`${fileName}: the widget constructor is an ES class; the CRM needs a plain function it can call with its own this`];
  }
  return [];
}
