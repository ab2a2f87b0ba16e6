/**
 * RequireJS and jQuery, which amoCRM's page provides to a widget and the sandbox's widget pane provides
 * too. `npm run build` copies them out of node_modules into dist/: they are development packages, absent
 * from a production install.
 */
export const SANDBOX_VENDOR_DIR = 'sandbox-vendor';

/** The files of SANDBOX_VENDOR_DIR, each with the package file it is copied from. */
export const SANDBOX_VENDOR_FILES: Readonly<Record<string, string>> = { 'require.js': 'requirejs/require.js', 'jquery.js': 'jquery/dist/jquery.min.js' };
