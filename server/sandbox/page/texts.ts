/**
 * Every text of the sandbox page, in English and Russian. The server renders the page with them and hands
 * the inbox script its part as JSON, so the browser code carries no texts of its own.
 */

const en = {
  pageTitle: 'Sandbox: website chat for amoCRM',
  intro: 'Everything below runs for real against built-in emulators of amoCRM and its Chats API: signed requests, signed webhooks, one-time tokens. Write in the bubble on the left, answer in the inbox in the middle.',
  language: 'Language',
  paneSite: 'Your website',
  paneSiteHint: 'A demo page with the chat snippet pasted in.',
  paneInbox: 'amoCRM inbox (emulated)',
  paneInboxHint: 'What a manager sees. Replies go to the backend as signed webhooks.',
  paneWidget: 'Widget settings',
  paneWidgetHint: 'The real widget from dist/widget.zip, loaded with RequireJS as amoCRM does.',
  notConnected: 'The channel is not connected. Press “Connect” (or “Reconnect”) in the widget settings pane.',
  noChats: 'No chats yet. Write something in the chat bubble on the website.',
  chooseChat: 'Choose a chat on the left.',
  chats: 'Chats',
  pipeline: 'Lead in pipeline',
  visitor: 'Visitor',
  manager: 'Manager',
  replyPlaceholder: 'Answer as the manager…',
  send: 'Send',
  attach: 'Send a file',
  withButtons: 'Add quick-reply buttons',
  buttonYes: 'Yes, please',
  buttonNo: 'No, thanks',
  reply: 'Reply',
  react: 'React',
  unreact: 'Remove reaction',
  cancel: 'Cancel',
  replyingTo: 'Replying to',
  typing: 'Visitor is typing…',
  edited: 'edited',
  delivered: 'Delivered',
  read: 'Read',
  notDelivered: 'Not delivered',
  failed: 'The emulator refused: {message}',
  demoTitle: 'Northwind Bikes',
  demoTagline: 'City bikes, built to last. Free delivery in town.',
  demoBody: 'Have a question about sizes, delivery or a repair? Open the chat in the corner: a real manager answers in amoCRM.',
  demoProducts: 'Our bikes',
  demoWaiting: 'The chat appears here once the channel is connected.',
  widgetMissing: 'The widget cannot be shown: {reason}. Run npm run build, then reload.',
  widgetBuilding: 'Building the widget (first start only)…',
  signedInAs: 'Signed in to amoCRM as',
  admin: 'admin',
  notAdmin: 'not an admin',
  tokenFailed: 'The emulated amoCRM did not give a one-time token.',
  rerouted: 'The widget was built for {built}; in the sandbox its calls go to this server.',
  paneTelegram: 'Telegram (emulated)',
  paneTelegramHint: 'You are a Telegram user writing to the account’s bot.',
  tgNotConnected: 'The bot @{bot} is not attached yet: paste its token in the Telegram section of the widget settings and press “Connect the bot”. Until then your messages wait in Telegram.',
  tgConnected: 'Chatting with @{bot}: your messages go to the amoCRM inbox.',
  tgEmpty: 'No messages yet. Say hello to the bot.',
  tgYou: 'You',
  tgPlaceholder: 'Write to the bot…',
  tgTyping: '{bot} is typing…',
  tgLocation: 'Location',
  tgContact: 'Contact',
  tgTokenOffer: 'Sandbox bot token (from the emulated Telegram), to paste into the Telegram section below:',
  tgPasteToken: 'Paste it into the field',
  tgCopy: 'Copy',
  tgCopied: 'Copied',
  channel: 'Channel',
};

export type SandboxTexts = typeof en;

const ru: SandboxTexts = {
  pageTitle: 'Песочница: чат для сайта в amoCRM',
  intro: 'Всё ниже работает по-настоящему, но против встроенных эмуляторов amoCRM и его Chats API: подписанные запросы, подписанные вебхуки, одноразовые токены. Напишите в чат на сайте слева и ответьте во входящих посередине.',
  language: 'Язык',
  paneSite: 'Ваш сайт',
  paneSiteHint: 'Демо-страница со вставленным кодом чата.',
  paneInbox: 'Входящие amoCRM (эмулятор)',
  paneInboxHint: 'Так видит чат менеджер. Ответы приходят на бэкенд подписанными вебхуками.',
  paneWidget: 'Настройки виджета',
  paneWidgetHint: 'Настоящий виджет из dist/widget.zip, загруженный через RequireJS, как это делает amoCRM.',
  notConnected: 'Канал не подключён. Нажмите «Подключить» (или «Переподключить») в настройках виджета.',
  noChats: 'Чатов пока нет. Напишите что-нибудь в чат на сайте.',
  pipeline: 'Сделка в воронке',
  chooseChat: 'Выберите чат слева.',
  chats: 'Чаты',
  visitor: 'Посетитель',
  manager: 'Менеджер',
  replyPlaceholder: 'Ответить как менеджер…',
  send: 'Отправить',
  attach: 'Отправить файл',
  withButtons: 'Добавить кнопки быстрого ответа',
  buttonYes: 'Да, пожалуйста',
  buttonNo: 'Нет, спасибо',
  reply: 'Ответить',
  react: 'Реакция',
  unreact: 'Убрать реакцию',
  cancel: 'Отмена',
  replyingTo: 'Ответ на',
  typing: 'Посетитель печатает…',
  edited: 'изменено',
  delivered: 'Доставлено',
  read: 'Прочитано',
  notDelivered: 'Не доставлено',
  failed: 'Эмулятор отказал: {message}',
  demoTitle: 'Велосипеды «Северный ветер»',
  demoTagline: 'Городские велосипеды на годы. Бесплатная доставка по городу.',
  demoBody: 'Есть вопрос о размере, доставке или ремонте? Откройте чат в углу: ответит настоящий менеджер в amoCRM.',
  demoProducts: 'Наши велосипеды',
  demoWaiting: 'Чат появится здесь, когда канал будет подключён.',
  widgetMissing: 'Виджет нельзя показать: {reason}. Выполните npm run build и обновите страницу.',
  widgetBuilding: 'Собираем виджет (только при первом запуске)…',
  signedInAs: 'Вход в amoCRM как',
  admin: 'администратор',
  notAdmin: 'не администратор',
  tokenFailed: 'Эмулятор amoCRM не выдал одноразовый токен.',
  rerouted: 'Виджет собран для {built}; в песочнице его запросы идут на этот сервер.',
  paneTelegram: 'Telegram (эмулятор)',
  paneTelegramHint: 'Вы — пользователь Telegram и пишете боту аккаунта.',
  tgNotConnected: 'Бот @{bot} ещё не подключён: вставьте его токен в раздел Telegram в настройках виджета и нажмите «Подключить бота». До тех пор ваши сообщения ждут в Telegram.',
  tgConnected: 'Переписка с @{bot}: ваши сообщения идут во входящие amoCRM.',
  tgEmpty: 'Сообщений пока нет. Поздоровайтесь с ботом.',
  tgYou: 'Вы',
  tgPlaceholder: 'Написать боту…',
  tgTyping: '{bot} печатает…',
  tgLocation: 'Местоположение',
  tgContact: 'Контакт',
  tgTokenOffer: 'Токен бота песочницы (из эмулятора Telegram), чтобы вставить в раздел Telegram ниже:',
  tgPasteToken: 'Вставить в поле',
  tgCopy: 'Копировать',
  tgCopied: 'Скопировано',
  channel: 'Канал',
};

export const SANDBOX_LOCALES = ['en', 'ru'] as const;
export type SandboxLocale = (typeof SANDBOX_LOCALES)[number];

export function sandboxTexts(locale: SandboxLocale): SandboxTexts {
  return locale === 'ru' ? ru : en;
}

/** `?lang=` wins, then the browser's Accept-Language; English otherwise. */
export function pickLocale(query: unknown, acceptLanguage: string | undefined): SandboxLocale {
  if (query === 'ru' || query === 'en') return query;
  return /^\s*ru\b/i.test(acceptLanguage ?? '') ? 'ru' : 'en';
}

export function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}
