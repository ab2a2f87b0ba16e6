/**
 * The small HTML pages `GET /oauth/callback` answers to the admin who installed the integration,
 * in Russian, English, Spanish or Portuguese. Every value put into a page is escaped.
 */
import type { WidgetStatusBody } from './widget.js';

export const PAGE_LANGUAGES = ['ru', 'en', 'es', 'pt'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

export type PageOutcome = 'connected' | 'denied' | 'invalid_code' | 'not_approved' | 'conflict' | 'upstream';

const TEXT: Record<PageLanguage, Record<PageOutcome, { title: string; body: string }> & { snippet: string; next: string }> = {
  en: {
    connected: { title: 'Connected', body: 'The chat channel is connected to your account. Website chats will appear in amoCRM.' },
    denied: { title: 'Access not granted', body: 'The integration was not given access to your account, so nothing was changed. Install it again to connect the channel.' },
    invalid_code: { title: 'Installation expired', body: 'amoCRM refused the authorization code (it expires after 20 minutes and works once). Install the integration again.' },
    not_approved: { title: 'Not connected', body: 'The integration is installed, but the chat channel could not be connected.' },
    conflict: { title: 'Not connected', body: 'The integration is installed, but the chat channel could not be connected.' },
    upstream: { title: 'Try again later', body: 'amoCRM did not answer in time. Install the integration again in a few minutes.' },
    snippet: 'Paste this into the pages of your website to show the chat:',
    next: 'You can close this page; the integration settings in amoCRM show the same.',
  },
  ru: {
    connected: { title: 'Подключено', body: 'Чат-канал подключён к вашему аккаунту. Чаты с сайта будут появляться в amoCRM.' },
    denied: { title: 'Доступ не предоставлен', body: 'Интеграция не получила доступ к аккаунту, поэтому ничего не изменилось. Установите её ещё раз, чтобы подключить канал.' },
    invalid_code: { title: 'Установка устарела', body: 'amoCRM отклонил код авторизации (он действует 20 минут и только один раз). Установите интеграцию ещё раз.' },
    not_approved: { title: 'Не подключено', body: 'Интеграция установлена, но чат-канал подключить не удалось.' },
    conflict: { title: 'Не подключено', body: 'Интеграция установлена, но чат-канал подключить не удалось.' },
    upstream: { title: 'Попробуйте позже', body: 'amoCRM не ответил вовремя. Установите интеграцию ещё раз через несколько минут.' },
    snippet: 'Вставьте этот код в страницы сайта, чтобы показать чат:',
    next: 'Эту страницу можно закрыть; то же самое видно в настройках интеграции в amoCRM.',
  },
  es: {
    connected: { title: 'Conectado', body: 'El canal de chat está conectado a tu cuenta. Los chats de tu sitio web aparecerán en el CRM.' },
    denied: { title: 'Acceso no concedido', body: 'La integración no recibió acceso a tu cuenta, así que no se cambió nada. Vuelve a instalarla para conectar el canal.' },
    invalid_code: { title: 'La instalación expiró', body: 'El CRM rechazó el código de autorización (vence a los 20 minutos y solo sirve una vez). Vuelve a instalar la integración.' },
    not_approved: { title: 'Sin conectar', body: 'La integración está instalada, pero no se pudo conectar el canal de chat.' },
    conflict: { title: 'Sin conectar', body: 'La integración está instalada, pero no se pudo conectar el canal de chat.' },
    upstream: { title: 'Inténtalo más tarde', body: 'El CRM no respondió a tiempo. Vuelve a instalar la integración en unos minutos.' },
    snippet: 'Pega este código en las páginas de tu sitio web para mostrar el chat:',
    next: 'Ya puedes cerrar esta página; la configuración de la integración en el CRM muestra lo mismo.',
  },
  pt: {
    connected: { title: 'Conectado', body: 'O canal de chat está conectado à sua conta. As conversas do site vão aparecer no CRM.' },
    denied: { title: 'Acesso não concedido', body: 'A integração não recebeu acesso à sua conta, então nada foi alterado. Instale-a de novo para conectar o canal.' },
    invalid_code: { title: 'A instalação expirou', body: 'O CRM recusou o código de autorização (ele vale por 20 minutos e só pode ser usado uma vez). Instale a integração de novo.' },
    not_approved: { title: 'Não conectado', body: 'A integração está instalada, mas não foi possível conectar o canal de chat.' },
    conflict: { title: 'Não conectado', body: 'A integração está instalada, mas não foi possível conectar o canal de chat.' },
    upstream: { title: 'Tente mais tarde', body: 'O CRM não respondeu a tempo. Instale a integração de novo em alguns minutos.' },
    snippet: 'Cole este código nas páginas do seu site para mostrar o chat:',
    next: 'Você já pode fechar esta página; as configurações da integração no CRM mostram o mesmo.',
  },
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * The page language: an explicit `lang`, else the browser's Accept-Language, else what the
 * account is known to use, else Russian for `*.amocrm.ru` accounts and English elsewhere.
 */
export function pickLanguage(explicit: string | undefined, acceptLanguage: string | undefined, known?: string | null, host?: string): { lang: PageLanguage; fromUser: boolean } {
  const supported = (v: string | undefined | null): PageLanguage | undefined => {
    const base = v?.trim().slice(0, 2).toLowerCase();
    return PAGE_LANGUAGES.find((l) => l === base);
  };
  const fromQuery = supported(explicit);
  if (fromQuery) return { lang: fromQuery, fromUser: true };
  for (const part of (acceptLanguage ?? '').split(',')) {
    const l = supported(part.split(';')[0]);
    if (l) return { lang: l, fromUser: true };
  }
  const stored = supported(known);
  if (stored) return { lang: stored, fromUser: false };
  return { lang: host?.endsWith('.amocrm.ru') ? 'ru' : 'en', fromUser: false };
}

export function renderPage(lang: PageLanguage, outcome: PageOutcome, extra: { reason?: string | undefined; status?: WidgetStatusBody } = {}): string {
  const t = TEXT[lang];
  const { title, body } = t[outcome];
  const parts = [`<h1>${escapeHtml(title)}</h1>`, `<p>${escapeHtml(body)}</p>`];
  if (extra.reason) parts.push(`<p>${escapeHtml(extra.reason)}</p>`);
  const snippet = extra.status?.webchat?.snippet;
  if (snippet) parts.push(`<p>${escapeHtml(t.snippet)}</p><pre style="white-space:pre-wrap;background:#f4f4f4;padding:.75rem">${escapeHtml(snippet)}</pre>`);
  if (outcome === 'connected') parts.push(`<p>${escapeHtml(t.next)}</p>`);
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;margin:2rem;max-width:40rem">` +
    parts.join('') +
    `</body></html>`
  );
}
