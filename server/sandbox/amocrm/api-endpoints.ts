/**
 * `/api/v4/account` and `/api/v4/users` (widget-and-oauth.md §6.1, §6.2) answered from the
 * emulator's accounts, with `with=amojo_id`, pages, and 204 for an empty page.
 */
import { problem } from './problem.js';
import type { EmulatedAccount, EmulatedUser } from './types.js';

const MAX_LIMIT = 250;
const DEFAULT_LIMIT = 50;

function withList(query: Record<string, unknown>): Set<string> {
  const w = query['with'];
  return new Set(typeof w === 'string' ? w.split(',').map((s) => s.trim()) : []);
}

export function accountBody(account: EmulatedAccount, currentUserId: number, query: Record<string, unknown>, base: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: account.id,
    name: account.name,
    subdomain: account.host.split('.')[0],
    created_at: 1_700_000_000,
    created_by: 0,
    updated_at: 1_700_000_000,
    updated_by: 0,
    current_user_id: currentUserId,
    country: account.host.endsWith('.ru') ? 'RU' : 'US',
    currency: account.host.endsWith('.ru') ? 'RUB' : 'USD',
    currency_symbol: account.host.endsWith('.ru') ? '₽' : '$',
    customers_mode: 'disabled',
    is_unsorted_on: true,
    mobile_feature_version: 0,
    is_loss_reason_enabled: false,
    is_helpbot_enabled: false,
    is_technical_account: true,
    contact_name_display_order: 1,
    _links: { self: { href: `${base}/api/v4/account` } },
  };
  if (withList(query).has('amojo_id')) body['amojo_id'] = account.amojoId;
  return body;
}

export function userBody(user: EmulatedUser, withAmojo: boolean, base: string): Record<string, unknown> {
  const all = { view: 'A', edit: 'A', add: 'A', delete: 'A', export: 'A' };
  const body: Record<string, unknown> = {
    id: user.id,
    name: user.name,
    email: user.email,
    lang: user.lang,
    rights: {
      leads: all,
      contacts: all,
      companies: all,
      tasks: { edit: 'A', delete: 'A' },
      mail_access: false,
      catalog_access: false,
      status_rights: [],
      is_admin: user.isAdmin,
      is_free: false,
      is_active: user.isActive ?? true,
      group_id: null,
      role_id: null,
    },
    _links: { self: { href: `${base}/api/v4/users/${user.id}/` } },
  };
  if (withAmojo) body['amojo_id'] = user.amojoId;
  return body;
}

/** One page of users, or undefined for 204 (a page past the end). */
export function usersPage(account: EmulatedAccount, query: Record<string, unknown>, base: string): Record<string, unknown> | undefined {
  const page = intParam(query, 'page', 1);
  const limit = intParam(query, 'limit', DEFAULT_LIMIT);
  if (page < 1) throw problem(400, 'Bad Request', 'page must be 1 or more');
  if (limit < 1 || limit > MAX_LIMIT) {
    throw problem(400, 'Bad Request', `limit must be 1 to ${MAX_LIMIT}`, {
      'validation-errors': [{ request_id: '0', errors: [{ code: 'InvalidValue', path: 'limit', detail: `limit must be 1 to ${MAX_LIMIT}` }] }],
    });
  }
  const withs = withList(query);
  const total = account.users.length;
  const pageCount = Math.max(1, Math.ceil(total / limit));
  const slice = account.users.slice((page - 1) * limit, page * limit);
  if (slice.length === 0) return undefined;
  const w = withs.size ? `&with=${[...withs].join(',')}` : '';
  const links: Record<string, { href: string }> = { self: { href: `${base}/api/v4/users/?page=${page}&limit=${limit}${w}` } };
  if (page < pageCount) links['next'] = { href: `${base}/api/v4/users/?page=${page + 1}&limit=${limit}${w}` };
  return {
    _total_items: total,
    _page: page,
    _page_count: pageCount,
    _links: links,
    _embedded: { users: slice.map((u) => userBody(u, withs.has('amojo_id'), base)) },
  };
}

export function oneUser(account: EmulatedAccount, idParam: string, query: Record<string, unknown>, base: string): Record<string, unknown> {
  if (!/^\d{1,15}$/.test(idParam)) throw problem(400, 'Bad Request', 'user id must be a number');
  const user = account.users.find((u) => u.id === Number(idParam));
  if (!user) throw problem(404, 'Not Found', `no user ${idParam} in this account`);
  return userBody(user, withList(query).has('amojo_id'), base);
}

function intParam(query: Record<string, unknown>, name: string, fallback: number): number {
  const v = query[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d{1,6}$/.test(v)) throw problem(400, 'Bad Request', `${name} must be a number`);
  return Number(v);
}
