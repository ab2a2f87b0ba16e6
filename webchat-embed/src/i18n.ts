/**
 * Every visible or spoken text of the bubble, in English, Russian, Spanish and (Brazilian) Portuguese.
 * The language is the snippet's `data-lang` when it names one of these, else the first of them found in
 * the host page's `<html lang>` and then the browser's preferred languages; English when none is.
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
  away: 'We are away right now. Leave a message and your contacts, and we will answer as soon as we are back.',
  prechatIntro: 'Before you write, please tell us how to reach you.',
  consentText: 'I agree to the processing of my personal data.',
  consentLink: 'Read the terms',
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
  away: 'Сейчас мы не на связи. Оставьте сообщение и контакты — ответим, как только вернёмся.',
  prechatIntro: 'Прежде чем написать, оставьте, пожалуйста, контакты для связи.',
  consentText: 'Я согласен(на) на обработку моих персональных данных.',
  consentLink: 'Условия',
};

const es: Texts = {
  open: 'Abrir chat',
  close: 'Cerrar chat',
  title: 'Chatea con nosotros',
  subtitle: 'Solemos responder en pocos minutos',
  greeting: '¡Hola! Pregúntanos lo que quieras, te respondemos aquí mismo.',
  unread: '{n} sin leer',
  messages: 'Mensajes',
  messageLabel: 'Mensaje',
  placeholder: 'Escribe un mensaje…',
  send: 'Enviar',
  attach: 'Adjuntar un archivo',
  record: 'Grabar un mensaje de voz',
  stopRecording: 'Detener y enviar el mensaje de voz',
  cancelRecording: 'Cancelar la grabación',
  recording: 'Grabando {time}',
  micDenied: 'No hay acceso al micrófono.',
  reply: 'Responder',
  edit: 'Editar',
  react: 'Reaccionar',
  replyingTo: 'Respondiendo a',
  editing: 'Editando el mensaje',
  cancel: 'Cancelar',
  edited: 'editado',
  you: 'Tú',
  manager: 'Agente',
  bot: 'Bot',
  typing: 'El agente está escribiendo…',
  pending: 'Enviando',
  sent: 'Enviado',
  delivered: 'Entregado',
  read: 'Leído',
  failed: 'No enviado',
  retry: 'Volver a enviar',
  fileTooLarge: 'El archivo es demasiado grande: {size}; puedes enviar archivos de hasta {limit}.',
  sendInterrupted: 'Pasó demasiado tiempo sin conexión.',
  fileLimit: 'hasta {limit}',
  defaultName: 'Visitante del sitio {hint}',
  fileType: 'No se puede enviar este tipo de archivo.',
  sendFailed: 'No se pudo enviar el mensaje.',
  offline: 'Sin conexión. Los mensajes se enviarán cuando vuelva.',
  unavailable: 'El chat no está disponible en este momento.',
  dropHere: 'Suelta los archivos aquí para enviarlos',
  picture: 'Imagen',
  voice: 'Mensaje de voz',
  video: 'Video',
  file: 'Archivo',
  profileToggle: 'Deja tus datos de contacto',
  profileIntro: 'Opcional: así podremos contactarte si sales de la página.',
  name: 'Nombre',
  phone: 'Teléfono',
  email: 'Correo electrónico',
  save: 'Guardar',
  profileSaved: 'Gracias, ya tenemos tus datos de contacto.',
  newMessage: 'Nuevo mensaje de {author}: {text}',
  reactWith: 'Reaccionar con {emoji}',
  removeReaction: 'Quitar tu reacción {emoji}',
  reactionBy: '{emoji} de {author}',
  openLink: '{text} (abre un enlace)',
  jumpToQuote: 'Mostrar el mensaje citado',
  away: 'Ahora no estamos disponibles. Deja un mensaje y tus datos de contacto y te responderemos en cuanto volvamos.',
  prechatIntro: 'Antes de escribir, indícanos cómo contactarte.',
  consentText: 'Acepto el tratamiento de mis datos personales.',
  consentLink: 'Leer las condiciones',
};

const pt: Texts = {
  open: 'Abrir chat',
  close: 'Fechar chat',
  title: 'Fale com a gente',
  subtitle: 'Costumamos responder em poucos minutos',
  greeting: 'Olá! Pergunte o que quiser, respondemos por aqui mesmo.',
  unread: '{n} não lidas',
  messages: 'Mensagens',
  messageLabel: 'Mensagem',
  placeholder: 'Digite uma mensagem…',
  send: 'Enviar',
  attach: 'Anexar um arquivo',
  record: 'Gravar uma mensagem de voz',
  stopRecording: 'Parar e enviar a mensagem de voz',
  cancelRecording: 'Cancelar a gravação',
  recording: 'Gravando {time}',
  micDenied: 'Sem acesso ao microfone.',
  reply: 'Responder',
  edit: 'Editar',
  react: 'Reagir',
  replyingTo: 'Respondendo a',
  editing: 'Editando a mensagem',
  cancel: 'Cancelar',
  edited: 'editada',
  you: 'Você',
  manager: 'Atendente',
  bot: 'Bot',
  typing: 'O atendente está digitando…',
  pending: 'Enviando',
  sent: 'Enviada',
  delivered: 'Entregue',
  read: 'Lida',
  failed: 'Não enviada',
  retry: 'Enviar de novo',
  fileTooLarge: 'O arquivo é grande demais: {size}; você pode enviar arquivos de até {limit}.',
  sendInterrupted: 'Ficou tempo demais sem conexão.',
  fileLimit: 'até {limit}',
  defaultName: 'Visitante do site {hint}',
  fileType: 'Não é possível enviar este tipo de arquivo.',
  sendFailed: 'Não foi possível enviar a mensagem.',
  offline: 'Sem conexão. As mensagens serão enviadas quando ela voltar.',
  unavailable: 'O chat não está disponível no momento.',
  dropHere: 'Solte os arquivos aqui para enviá-los',
  picture: 'Imagem',
  voice: 'Mensagem de voz',
  video: 'Vídeo',
  file: 'Arquivo',
  profileToggle: 'Deixe seus contatos',
  profileIntro: 'Opcional: assim podemos falar com você se sair da página.',
  name: 'Nome',
  phone: 'Telefone',
  email: 'E-mail',
  save: 'Salvar',
  profileSaved: 'Obrigado, recebemos seus contatos.',
  newMessage: 'Nova mensagem de {author}: {text}',
  reactWith: 'Reagir com {emoji}',
  removeReaction: 'Remover sua reação {emoji}',
  reactionBy: '{emoji} de {author}',
  openLink: '{text} (abre um link)',
  jumpToQuote: 'Mostrar a mensagem citada',
  away: 'No momento não estamos disponíveis. Deixe uma mensagem e seus contatos, e responderemos assim que voltarmos.',
  prechatIntro: 'Antes de escrever, diga-nos como podemos falar com você.',
  consentText: 'Concordo com o tratamento dos meus dados pessoais.',
  consentLink: 'Ler os termos',
};

export const LOCALES = ['en', 'ru', 'es', 'pt'] as const;
export type Locale = (typeof LOCALES)[number];

const TABLE: Record<Locale, Texts> = { en, ru, es, pt };

export type Translate = (key: TextKey, vars?: Record<string, string | number>) => string;

export function createTranslator(locale: Locale): Translate {
  const texts = TABLE[locale];
  return (key, vars) => texts[key].replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole));
}

/** The locale a language tag names by its primary subtag (`pt-BR` → `pt`), or undefined. */
export function localeOf(tag: string | null | undefined): Locale | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((l) => l === primary);
}

/**
 * The first language the bubble speaks among the page's `<html lang>` and then the browser's preferred
 * languages, in their order; English when there is none. A page in a language the bubble does not
 * speak yields to the visitor's browser, whose reader is the one who has to understand it.
 */
export function detectLocale(
  doc: Document = document,
  nav: Pick<Navigator, 'language'> & Partial<Pick<Navigator, 'languages'>> | undefined = globalThis.navigator,
): Locale {
  const candidates = [doc.documentElement.getAttribute('lang'), ...(nav?.languages ?? []), nav?.language];
  for (const tag of candidates) {
    const locale = localeOf(tag);
    if (locale) return locale;
  }
  return 'en';
}

/** The language of a bubble: an override (`data-lang`: a locale, a tag like `pt-BR`) when it names one, else detected. */
export function chooseLocale(
  override: string | null | undefined,
  doc: Document = document,
  nav: Parameters<typeof detectLocale>[1] = globalThis.navigator,
): Locale {
  return localeOf(override) ?? detectLocale(doc, nav);
}

/** All texts of a locale, for tests that check every key exists in every language. */
export function textsOf(locale: Locale): Readonly<Texts> {
  return TABLE[locale];
}
