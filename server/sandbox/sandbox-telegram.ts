/**
 * The sandbox's emulated Telegram: the Bot API emulator with one ready bot, whose token the sandbox page
 * offers to paste into the widget's settings, and one Telegram user, whom the page's Telegram pane plays.
 * The token is fixed so that a token the backend stored keeps working after a restart (the emulator
 * itself keeps everything in memory); it is an emulator fixture, worth nothing on api.telegram.org.
 */
import { createTelegramEmulator, type TelegramEmulator } from './telegram/index.js';

export const SANDBOX_TELEGRAM_BOT = {
  id: 7000000001,
  token: '7000000001:AAsandbox0bot0token0for0the0emulator',
  firstName: 'Northwind Bikes',
  username: 'northwind_bikes_bot',
} as const;

export const SANDBOX_TELEGRAM_USER = { firstName: 'Alex', lastName: 'Rivera', username: 'alex_rivera', languageCode: 'en' } as const;

export interface SandboxTelegram {
  emulator: TelegramEmulator;
  /** The bot the sandbox offers; its token goes into the widget's Telegram section. */
  bot: { id: number; token: string; username: string };
  /** The Telegram user the sandbox page's Telegram pane writes as. */
  userId: number;
}

export function createSandboxTelegram(): SandboxTelegram {
  const emulator = createTelegramEmulator({ bots: [SANDBOX_TELEGRAM_BOT] });
  const user = emulator.createUser(SANDBOX_TELEGRAM_USER);
  return { emulator, bot: { id: SANDBOX_TELEGRAM_BOT.id, token: SANDBOX_TELEGRAM_BOT.token, username: SANDBOX_TELEGRAM_BOT.username }, userId: user.id };
}
