/**
 * The website chat as a bridge platform: timeline events go to the visitor's open event streams,
 * typing is shown live, every manager message kind is shown (files are served by us), and
 * reactions are shown. What a visitor does reaches the bridge through the routes, not here.
 */
import type { MediaCapable, PlatformAdapter, ReactionCapable, TypingCapable } from '../../bridge/index.js';
import type { EventHub } from './event-hub.js';
import { WEBCHAT_PLATFORM } from './visitor-auth.js';

export type WebchatAdapter = PlatformAdapter & TypingCapable & MediaCapable & ReactionCapable;

export function createWebchatAdapter(hub: EventHub): WebchatAdapter {
  return {
    platform: WEBCHAT_PLATFORM,
    mediaKinds: ['picture', 'file', 'video', 'voice', 'audio', 'sticker'],
    showsReactions: true,
    texts: {
      writeFirstRefused: 'This channel is a website chat: it cannot start a conversation by phone number. The visitor has to write first.',
      unknownConversation: 'The conversation does not exist in the website chat any more.',
      unsupportedKind: (type) => `The website chat cannot show messages of type ${type}.`,
      deliveryFailed: 'The message could not be delivered to the website chat.',
    },
    async publish(event) {
      return { reachedClients: await hub.publish(event) };
    },
    showTyping(conversationId, notice) {
      hub.typing(conversationId, notice);
    },
  } satisfies WebchatAdapter;
}
