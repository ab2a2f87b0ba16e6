// Types of layers.js (plain JavaScript so that eslint.config.js can load it without a TypeScript loader).
export interface Layer {
  kind: string;
  name: string;
}
export declare const ALLOWED: Record<string, string[]>;
export declare function layerOf(file: string): Layer | undefined;
export declare const layersPlugin: { rules: Record<string, unknown> };
