/**
 * Every visible or spoken text of the bubble, in Russian and English. The language follows the host page's
 * `<html lang>`, then the browser's language; anything but Russian falls back to English.
 */

const en = {
  open: 'Open chat',
  close: 'Close chat',
  title: 'Chat with us',
  subtitle: 'We usually reply within a few minutes',
  greeting: 'Hello! Ask us anything, we will answer right here.',
  unread: '{n} unread',
  messages: 'Messages',
  messageLabel: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  attach: 'Attach a file',
  record: 'Record a voice message',
  stopRecording: 'Stop and send the voice message',
  cancelRecording: 'Cancel recording',
  recording: 'Recording {time}',
  micDenied: 'No access to the microphone.',
  reply: 'Reply',
  edit: 'Edit',
  react: 'React',
  replyingTo: 'Replying to',
  editing: 'Editing the message',
  cancel: 'Cancel',
  edited: 'edited',
  you: 'You',
  manager: 'Manager',
  bot: 'Bot',
  typing: 'Manager is typing…',
  pending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
  retry: 'Send again',
  fileTooLarge: 'The file is too large: {size}, files up to {limit} can be sent.',
  fileType: 'This type of file cannot be sent.',
  sendFailed: 'The message was not accepted.',
  sendInterrupted: 'There was no connection for too long.',
  fileLimit: 'up to {limit}',
  defaultName: 'Website visitor {hint}',
  offline: 'No connection. Messages will be sent when it is back.',
  unavailable: 'The chat is unavailable right now.',
  dropHere: 'Drop files here to send them',
  picture: 'Picture',
  voice: 'Voice message',
  video: 'Video',
  file: 'File',
  profileToggle: 'Leave your contacts',
  profileIntro: 'Optional: so we can reach you if you leave the page.',
  name: 'Name',
  phone: 'Phone',
  email: 'Email',
  save: 'Save',
  profileSaved: 'Thank you, we have your contacts.',
  newMessage: 'New message from {author}: {text}',
  reactWith: 'React with {emoji}',
  removeReaction: 'Remove your reaction {emoji}',
  reactionBy: '{emoji} from {author}',
  openLink: '{text} (opens a link)',
  jumpToQuote: 'Show the quoted message',
};

export type TextKey = keyof typeof en;
export type Texts = Record<TextKey, string>;

const ru: Texts = {
  open: 'Открыть чат',
  close: 'Закрыть чат',
  title: 'Напишите нам',
  subtitle: 'Обычно отвечаем за несколько минут',
  greeting: 'Здравствуйте! Задайте вопрос, ответим прямо здесь.',
  unread: 'Непрочитанных: {n}',
  messages: 'Сообщения',
  messageLabel: 'Сообщение',
  placeholder: 'Напишите сообщение…',
  send: 'Отправить',
  attach: 'Прикрепить файл',
  record: 'Записать голосовое сообщение',
  stopRecording: 'Остановить и отправить голосовое сообщение',
  cancelRecording: 'Отменить запись',
  recording: 'Идёт запись {time}',
  micDenied: 'Нет доступа к микрофону.',
  reply: 'Ответить',
  edit: 'Изменить',
  react: 'Реакция',
  replyingTo: 'Ответ на',
  editing: 'Редактирование сообщения',
  cancel: 'Отмена',
  edited: 'изменено',
  you: 'Вы',
  manager: 'Менеджер',
  bot: 'Бот',
  typing: 'Менеджер печатает…',
  pending: 'Отправляется',
  sent: 'Отправлено',
  delivered: 'Доставлено',
  read: 'Прочитано',
  failed: 'Не отправлено',
  retry: 'Отправить ещё раз',
  fileTooLarge: 'Файл слишком большой: {size}, можно отправлять файлы до {limit}.',
  fileType: 'Такой файл отправить нельзя.',
  sendFailed: 'Сообщение не принято.',
  sendInterrupted: 'Слишком долго не было связи.',
  fileLimit: 'до {limit}',
  defaultName: 'Посетитель сайта {hint}',
  offline: 'Нет связи. Сообщения отправятся, когда она появится.',
  unavailable: 'Чат сейчас недоступен.',
  dropHere: 'Перетащите файлы сюда, чтобы отправить',
  picture: 'Изображение',
  voice: 'Голосовое сообщение',
  video: 'Видео',
  file: 'Файл',
  profileToggle: 'Оставить контакты',
  profileIntro: 'Необязательно: чтобы мы могли связаться, если вы закроете страницу.',
  name: 'Имя',
  phone: 'Телефон',
  email: 'Эл. почта',
  save: 'Сохранить',
  profileSaved: 'Спасибо, контакты сохранены.',
  newMessage: 'Новое сообщение от {author}: {text}',
  reactWith: 'Отреагировать {emoji}',
  removeReaction: 'Убрать свою реакцию {emoji}',
  reactionBy: '{emoji} от {author}',
  openLink: '{text} (откроется ссылка)',
  jumpToQuote: 'Показать цитируемое сообщение',
};

export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

const TABLE: Record<Locale, Texts> = { en, ru };

export type Translate = (key: TextKey, vars?: Record<string, string | number>) => string;

export function createTranslator(locale: Locale): Translate {
  const texts = TABLE[locale];
  return (key, vars) => texts[key].replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole));
}

/** `ru` for Russian pages (or browsers, when the page does not say), `en` otherwise. */
export function detectLocale(doc: Document = document, nav: Pick<Navigator, 'language'> | undefined = globalThis.navigator): Locale {
  const tag = (doc.documentElement.getAttribute('lang') || nav?.language || 'en').trim().toLowerCase();
  return tag.startsWith('ru') ? 'ru' : 'en';
}

/** All texts of a locale, for tests that check every key exists in both languages. */
export function textsOf(locale: Locale): Readonly<Texts> {
  return TABLE[locale];
}
