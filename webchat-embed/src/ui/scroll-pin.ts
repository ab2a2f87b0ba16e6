/**
 * Keeps a message list at its newest message while the visitor is reading there. Whether they are is
 * decided from their own scrolling, before content grows, never from a measurement taken after: a
 * picture gets its height only once it has loaded, so the list is followed again on every load.
 */

export interface ScrollPin {
  /** Jump to the bottom and stay there (the panel opened, the visitor sent something). */
  pin(): void;
  /** Content changed: follow it if pinned. */
  follow(): void;
}

/** Closer than this to the bottom counts as at the bottom. */
const SLACK_PX = 48;

export function stickToBottom(list: HTMLElement): ScrollPin {
  let isPinned = true;
  /** Where we last put the list ourselves; a scroll event that did not move above it is ours or a clamp. */
  let ownTop = 0;
  const follow = (): void => {
    if (!isPinned) return;
    list.scrollTop = list.scrollHeight;
    ownTop = list.scrollTop;
  };
  list.addEventListener(
    'scroll',
    () => {
      const gap = list.scrollHeight - list.scrollTop - list.clientHeight;
      isPinned = gap < SLACK_PX || list.scrollTop >= ownTop - 1;
      if (isPinned) ownTop = list.scrollTop;
    },
    { passive: true },
  );
  // `load` does not bubble but can be captured: pictures, and media that learn their size.
  list.addEventListener('load', follow, true);
  list.addEventListener('loadedmetadata', follow, true);
  return {
    pin() {
      isPinned = true;
      follow();
    },
    follow,
  };
}
