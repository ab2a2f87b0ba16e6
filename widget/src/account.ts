/**
 * What the widget learns about the current account and user from `APP.constant(...)` (§3.4).
 * The constants have changed shape over the years, so every read is defensive.
 */
import type { AppGlobal, WidgetHost } from './host.js';

type Dict = Record<string, unknown>;

function readConstant(app: AppGlobal | undefined, name: string): Dict | undefined {
  if (!app) return undefined;
  try {
    const value = app.constant(name);
    return value && typeof value === 'object' ? (value as Dict) : undefined;
  } catch {
    return undefined;
  }
}

function truthy(value: unknown): boolean | undefined {
  if (value === true || value === 'Y' || value === 'y' || value === 1 || value === '1' || value === 'true') return true;
  if (value === false || value === 'N' || value === 'n' || value === 0 || value === '0' || value === 'false') return false;
  return undefined;
}

/**
 * Whether the current user is an account admin: `user_rights.is_admin`, else the user's entry in
 * `managers` (`is_admin: 'Y'|'N'`). When the page tells us nothing we answer true: the buttons then show,
 * and the backend, which enforces admin rights from the one-time token, answers 403 for non-admins.
 */
export function isCurrentUserAdmin(app: AppGlobal | undefined, host: WidgetHost): boolean {
  const fromRights = truthy(readConstant(app, 'user_rights')?.is_admin);
  if (fromRights !== undefined) return fromRights;

  const user = readConstant(app, 'user');
  let userId: unknown = user?.id;
  if (userId === undefined && typeof host.system === 'function') {
    try {
      userId = host.system()?.amouser_id;
    } catch {
      userId = undefined;
    }
  }
  const managers = readConstant(app, 'managers');
  const manager = userId !== undefined && managers ? managers[String(userId)] : undefined;
  if (manager && typeof manager === 'object') {
    const fromManagers = truthy((manager as Dict).is_admin);
    if (fromManagers !== undefined) return fromManagers;
  }
  return true;
}

/** The account's id in the chat service (`APP.constant('account').amojo_id`), or null when absent. */
export function accountAmojoId(app: AppGlobal | undefined): string | null {
  const id = readConstant(app, 'account')?.amojo_id;
  return typeof id === 'string' && id.trim() !== '' ? id.trim() : null;
}
