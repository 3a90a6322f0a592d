// One observable state object for the whole page. The controller (chat.js) changes it and calls
// changed(); the root component re-renders. Small enough not to need immutable updates.
import { useEffect, useState } from './html.js';

export const state = {
  session: null, // {token, expiresAt, user, sessionId}
  notice: '', // the last thing said to the user (aria-live)
  stream: 'off', // off | connecting | open | reconnecting
  conversations: new Map(), // id -> conversation as the API shows it, for this user
  loaded: false,
  messages: new Map(), // conversationId -> {bySeq: Map, pending: [], hasMore, loading, loaded}
  typing: new Map(), // conversationId -> Map userId -> until (ms)
  contacts: {}, // userId -> {name, phone}
  drafts: new Map(), // conversationId -> [{key, file, name, progress, uploadId, error}]
};

const listeners = new Set();
let scheduled = false;

export function changed() {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    for (const l of listeners) l();
  });
}

/** Re-renders the calling component on every change. */
export function useStore() {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const l = () => setVersion((v) => v + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return state;
}
