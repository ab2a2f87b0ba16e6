/**
 * Shapes of amoCRM's answers (widget-and-oauth.md §5.2, §6.1, §6.2), checked with zod before any
 * field is used, and the plainly named records the client hands out.
 */
import { z } from 'zod';

export const tokenResponseSchema = z.object({
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  server_time: z.number().optional(),
});

export const problemSchema = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  hint: z.string().optional(),
  status: z.number().optional(),
});

export const accountSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().optional(),
  subdomain: z.string().optional(),
  current_user_id: z.number().int().optional(),
  amojo_id: z.string().nullish(),
  language: z.string().nullish(),
});

export const userSchema = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  email: z.string().nullish(),
  lang: z.string().nullish(),
  amojo_id: z.string().nullish(),
  rights: z.object({
    is_admin: z.boolean(),
    is_active: z.boolean().optional(),
    is_free: z.boolean().optional(),
  }),
});

export const usersPageSchema = z.object({
  _page: z.number().int().optional(),
  _page_count: z.number().int().optional(),
  _links: z.object({ next: z.object({ href: z.string() }).optional() }).optional(),
  _embedded: z.object({ users: z.array(userSchema) }),
});

/** An OAuth token pair as we keep it. */
export interface OAuthTokenPair {
  accessToken: string;
  refreshToken: string;
  /** Unix ms when the access token expires. */
  expiresAt: number;
}

export interface AmocrmAccount {
  id: number;
  name: string | null;
  subdomain: string | null;
  currentUserId: number | null;
  /** The account's id inside the Chats service; null when amoCRM did not give one. */
  amojoId: string | null;
  language: string | null;
}

export interface AmocrmUser {
  id: number;
  name: string;
  email: string | null;
  lang: string | null;
  amojoId: string | null;
  isAdmin: boolean;
  isActive: boolean;
}

export function toAccount(a: z.infer<typeof accountSchema>): AmocrmAccount {
  return {
    id: a.id,
    name: a.name ?? null,
    subdomain: a.subdomain ?? null,
    currentUserId: a.current_user_id ?? null,
    amojoId: a.amojo_id ?? null,
    language: a.language ?? null,
  };
}

export function toUser(u: z.infer<typeof userSchema>): AmocrmUser {
  return {
    id: u.id,
    name: u.name,
    email: u.email ?? null,
    lang: u.lang ?? null,
    amojoId: u.amojo_id ?? null,
    isAdmin: u.rights.is_admin,
    isActive: u.rights.is_active ?? true,
  };
}
