/**
 * What the CRM requires of `widget.zip` (widget-and-oauth.md §1, §2). One place, shared by the validator,
 * the build and the logo generator.
 */

/** The six logos, their exact pixel sizes (§1.1). */
export const REQUIRED_IMAGES = [
  { path: 'images/logo.png', width: 130, height: 100 },
  { path: 'images/logo_main.png', width: 400, height: 272 },
  { path: 'images/logo_medium.png', width: 240, height: 84 },
  { path: 'images/logo_min.png', width: 84, height: 84 },
  { path: 'images/logo_small.png', width: 108, height: 108 },
  { path: 'images/logo_dp.png', width: 174, height: 109 },
] as const;

export const MAX_IMAGE_BYTES = 300 * 1024;

/** Files read as text: they must be UTF-8 without a byte-order mark (§1.1 "Encoding"). */
export const TEXT_EXTENSIONS = ['.js', '.json', '.css', '.twig', '.html', '.htm', '.txt', '.svg', '.md'] as const;

/** Manifest fields whose value is an i18n key that every locale must fill (§2.1). */
export const MANIFEST_I18N_FIELDS = ['widget.name', 'widget.description', 'widget.short_description'] as const;

export const REQUIRED_FILES = ['manifest.json', 'script.js'] as const;
