/** How stored messages look to clients (timeline events and message lists share these shapes). */
import type { FileId } from './ids.js';
import type { FileRef, MessageRecord, MessageView, ReactionRecord } from './records.js';

/** The public URL of a stored file; the name part is cosmetic (the id alone finds the file). */
export function fileUrl(publicUrl: string, file: { id: FileId; name: string }): string {
  return `${publicUrl}/files/${file.id}/${encodeURIComponent(file.name)}`;
}

export function messageView(publicUrl: string, m: MessageRecord, reactions: readonly ReactionRecord[] = []): MessageView {
  const c = m.content;
  return {
    msgid: m.id,
    client_msgid: m.clientMsgId,
    from: m.direction === 'inbound' ? 'client' : 'manager',
    type: m.kind,
    text: c.text ?? null,
    file: c.file ? fileView(publicUrl, c.file) : null,
    reply_to: c.replyTo ? { msgid: c.replyTo.msgid, text: c.replyTo.text ?? null, type: c.replyTo.kind ?? null } : null,
    quick_replies: c.buttons && c.buttons.length > 0 ? c.buttons : null,
    sender_name: m.direction === 'outbound' ? (c.senderName ?? null) : null,
    status: m.status === 'held' ? 'queued' : m.status,
    error: m.error,
    reactions: reactions.filter((r) => r.messageId === m.id).map((r) => ({ from: r.side, emoji: r.emoji })),
    edited_at: c.editedAt ?? null,
    created_at: m.createdAt,
  };
}

function fileView(publicUrl: string, f: FileRef): NonNullable<MessageView['file']> {
  return { id: f.id, url: fileUrl(publicUrl, f), name: f.name, size: f.size, content_type: f.contentType };
}
