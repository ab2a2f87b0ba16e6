/**
 * The Bot API objects the emulator hands out (core.telegram.org/bots/api, telegram.md §3–§5), limited
 * to the fields it fills in. Optional fields are omitted rather than null, as the real API does.
 */

export interface BotApiUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** `getMe` adds the bot's capabilities to its User. */
export interface BotApiBotUser extends BotApiUser {
  can_join_groups: boolean;
  can_read_all_group_messages: boolean;
  supports_inline_queries: boolean;
}

export const CHAT_TYPES = ['private', 'group', 'supergroup', 'channel'] as const;
export type ChatType = (typeof CHAT_TYPES)[number];

export interface BotApiChat {
  id: number;
  type: ChatType;
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

export interface BotApiMessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
}

interface FileFields {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
}

export interface BotApiPhotoSize extends FileFields {
  width: number;
  height: number;
}

export interface BotApiDocument extends FileFields {
  file_name?: string;
  mime_type?: string;
}

export interface BotApiVoice extends FileFields {
  duration: number;
  mime_type?: string;
}

export interface BotApiAudio extends BotApiDocument {
  duration: number;
  performer?: string;
  title?: string;
}

export interface BotApiVideo extends BotApiDocument {
  width: number;
  height: number;
  duration: number;
}

export interface BotApiVideoNote extends FileFields {
  length: number;
  duration: number;
}

export interface BotApiSticker extends FileFields {
  type: 'regular';
  width: number;
  height: number;
  is_animated: boolean;
  is_video: boolean;
  emoji?: string;
}

export interface BotApiLocation {
  latitude: number;
  longitude: number;
}

export interface BotApiContact {
  phone_number: string;
  first_name: string;
  last_name?: string;
  user_id?: number;
}

export interface BotApiInlineKeyboardButton {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface BotApiInlineKeyboardMarkup {
  inline_keyboard: BotApiInlineKeyboardButton[][];
}

export interface BotApiMessage {
  message_id: number;
  from?: BotApiUser;
  chat: BotApiChat;
  date: number;
  edit_date?: number;
  media_group_id?: string;
  reply_to_message?: BotApiMessage;
  text?: string;
  entities?: BotApiMessageEntity[];
  caption?: string;
  caption_entities?: BotApiMessageEntity[];
  photo?: BotApiPhotoSize[];
  document?: BotApiDocument;
  voice?: BotApiVoice;
  audio?: BotApiAudio;
  video?: BotApiVideo;
  video_note?: BotApiVideoNote;
  sticker?: BotApiSticker;
  location?: BotApiLocation;
  contact?: BotApiContact;
  reply_markup?: BotApiInlineKeyboardMarkup;
}

export type BotApiReactionType = { type: 'emoji'; emoji: string } | { type: 'custom_emoji'; custom_emoji_id: string };

export interface BotApiCallbackQuery {
  id: string;
  from: BotApiUser;
  message?: BotApiMessage;
  chat_instance: string;
  data?: string;
}

export interface BotApiMessageReactionUpdated {
  chat: BotApiChat;
  message_id: number;
  user?: BotApiUser;
  date: number;
  old_reaction: BotApiReactionType[];
  new_reaction: BotApiReactionType[];
}

export interface BotApiChatMemberUpdated {
  chat: BotApiChat;
  from: BotApiUser;
  date: number;
  old_chat_member: { status: 'member' | 'kicked'; user: BotApiUser; until_date?: number };
  new_chat_member: { status: 'member' | 'kicked'; user: BotApiUser; until_date?: number };
}

/** The update kinds the emulator produces; `allowed_updates` may name any kind of the real API. */
export const EMULATED_UPDATE_KINDS = ['message', 'edited_message', 'callback_query', 'message_reaction', 'my_chat_member'] as const;
export type EmulatedUpdateKind = (typeof EMULATED_UPDATE_KINDS)[number];

export interface BotApiUpdate {
  update_id: number;
  message?: BotApiMessage;
  edited_message?: BotApiMessage;
  callback_query?: BotApiCallbackQuery;
  message_reaction?: BotApiMessageReactionUpdated;
  my_chat_member?: BotApiChatMemberUpdated;
}

export interface BotApiFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_path?: string;
}

export interface BotApiWebhookInfo {
  url: string;
  has_custom_certificate: boolean;
  pending_update_count: number;
  ip_address?: string;
  last_error_date?: number;
  last_error_message?: string;
  max_connections?: number;
  allowed_updates?: string[];
}
