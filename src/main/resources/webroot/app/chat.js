// What the page does, apart from how it looks: the session, the live event stream with resume,
// conversations, messages, receipts, typing and attachments. Views call these functions and read
// the state in store.js.
import { api, ApiError, describe, fetchBlob, putBytes, setToken, setUnauthorizedHandler } from './api.js';
import { changed, state } from './store.js';

const SESSION_KEY = 'parley.session';
const CURSOR_KEY = 'parley.lastEventId';
const contactsKey = (userId) => 'parley.contacts.' + userId;

// ---------------------------------------------------------------- session

/** Restores a session kept in this tab's sessionStorage (survives a reload, not the tab). */
export function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    if (saved && saved.token && Date.parse(saved.expiresAt) > Date.now()) {
      start(saved);
      return;
    }
  } catch (e) {
    // a damaged entry: start signed out
  }
  sessionStorage.removeItem(SESSION_KEY);
}

/** A grant from register, login or an approved QR link: {token, expiresAt, user, session}. */
export function signedIn(grant) {
  sessionStorage.removeItem(CURSOR_KEY);
  start({
    token: grant.token,
    expiresAt: grant.expiresAt,
    user: grant.user,
    sessionId: grant.session && grant.session.id,
  });
}

function start(session) {
  state.session = session;
  setToken(session.token);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  try {
    state.contacts = JSON.parse(localStorage.getItem(contactsKey(session.user.id)) || '{}');
  } catch (e) {
    state.contacts = {};
  }
  state.notice = '';
  changed();
  stream.start();
  loadConversations();
}

setUnauthorizedHandler((err) => forget(describe(err)));

/** Forgets everything this page knew about the user: token, cursor, contacts, state. */
export function forget(notice) {
  stream.stop();
  const me = state.session && state.session.user.id;
  state.session = null;
  setToken(null);
  sessionStorage.clear();
  if (me) localStorage.removeItem(contactsKey(me));
  state.conversations = new Map();
  state.messages = new Map();
  state.typing = new Map();
  state.drafts = new Map();
  state.contacts = {};
  state.loaded = false;
  state.stream = 'off';
  state.notice = notice || '';
  for (const url of blobs.values()) url.then((u) => URL.revokeObjectURL(u), () => {});
  blobs.clear();
  if (location.hash !== '' && location.hash !== '#/') location.hash = '#/';
  changed();
}

export async function signOut(everywhere) {
  try {
    await api('POST', everywhere ? '/api/auth/logout-all' : '/api/auth/logout');
  } catch (e) {
    // signed out on the server already, or unreachable: forget it here regardless
  }
  forget(everywhere ? 'Signed out on every device.' : 'Signed out.');
}

/** A readable device name from a user agent ("Parley web, Chromium on Linux"). */
export function deviceName(ua = navigator.userAgent) {
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chromium'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return 'Parley web, ' + browser + (os ? ' on ' + os : '');
}

export const me = () => state.session && state.session.user;

// ---------------------------------------------------------------- contacts

export function rememberContact(user) {
  if (!state.session || !user || !user.id) return;
  state.contacts[user.id] = { name: user.name, phone: user.phone };
  localStorage.setItem(contactsKey(state.session.user.id), JSON.stringify(state.contacts));
  changed();
}

export async function lookup(phone) {
  const user = await api('GET', '/api/users/lookup?phone=' + encodeURIComponent(phone.trim()));
  rememberContact(user);
  return user;
}

export function nameOf(userId) {
  if (state.session && userId === state.session.user.id) return 'You';
  const c = state.contacts[userId];
  return c ? c.name : 'Unknown contact';
}

export function titleOf(conv) {
  if (conv.type === 'group') return conv.title || 'Group';
  const other = conv.members.find((m) => m !== me().id);
  return other ? nameOf(other) : 'Just you';
}

// ---------------------------------------------------------------- conversations

function addConversation(conv) {
  const old = state.conversations.get(conv.id);
  const merged = Object.assign({}, old || {}, conv);
  if (conv.lastMessage === undefined && old) merged.lastMessage = old.lastMessage;
  if (merged.unreadCount === undefined) {
    merged.unreadCount = Math.max(0, (merged.lastSeq || 0) - readMarker(merged, me().id));
  }
  if (merged.archived === undefined) merged.archived = false;
  state.conversations.set(conv.id, merged);
  return merged;
}

function readMarker(conv, userId) {
  return (conv.readMarkers && conv.readMarkers[userId]) || 0;
}

export async function loadConversations() {
  try {
    for (const archived of [false, true]) {
      let cursor = null;
      do {
        const page = await api(
          'GET',
          '/api/conversations?archived=' + archived + '&limit=100' +
            (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''),
        );
        for (const c of page.conversations) {
          addConversation(c);
          if (c.lastMessage && c.lastMessage.senderId !== me().id) {
            ackDelivered(c.id, c.lastSeq);
          }
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
    state.loaded = true;
    changed();
  } catch (e) {
    if (state.session) say(describe(e));
  }
}

async function ensureConversation(id) {
  if (state.conversations.has(id)) return state.conversations.get(id);
  try {
    const r = await api('GET', '/api/conversations/' + id);
    const c = addConversation(r.conversation);
    changed();
    return c;
  } catch (e) {
    return null;
  }
}

export function sortedConversations(archived) {
  return [...state.conversations.values()]
    .filter((c) => !!c.archived === archived)
    .sort((a, b) => (b.lastMessageAt || b.createdAt || '').localeCompare(a.lastMessageAt || a.createdAt || ''));
}

export async function createConversation(type, phones, title) {
  const ids = [];
  for (const p of phones) {
    const u = await lookup(p);
    ids.push(u.id);
  }
  const body = { type, memberIds: ids };
  if (type === 'group' && title) body.title = title;
  const r = await api('POST', '/api/conversations', body);
  const c = addConversation(r.conversation);
  changed();
  return c;
}

export async function setArchived(id, archived) {
  await api(archived ? 'POST' : 'DELETE', '/api/conversations/' + id + '/archive');
  const c = state.conversations.get(id);
  if (c) c.archived = archived;
  changed();
}

// ---------------------------------------------------------------- messages

function box(conversationId) {
  let b = state.messages.get(conversationId);
  if (!b) {
    b = { bySeq: new Map(), pending: [], hasMore: true, loading: false, loaded: false };
    state.messages.set(conversationId, b);
  }
  return b;
}

export function messagesOf(conversationId) {
  const b = box(conversationId);
  return [...b.bySeq.values()].sort((x, y) => x.seq - y.seq);
}

export function pendingOf(conversationId) {
  return box(conversationId).pending;
}

export function historyState(conversationId) {
  return box(conversationId);
}

/** A later version (edit, deletion) is never replaced by an earlier one replayed after it. */
function newer(a, b) {
  if (!a) return true;
  if (a.deletedAt && !b.deletedAt) return false;
  if (b.deletedAt) return true;
  return (b.editedAt || '') >= (a.editedAt || '');
}

function mergeMessage(m) {
  const b = box(m.conversationId);
  const old = b.bySeq.get(m.seq);
  if (newer(old, m)) b.bySeq.set(m.seq, m);
  b.pending = b.pending.filter((p) => p.clientId !== m.clientId || m.senderId !== me().id);
  const conv = state.conversations.get(m.conversationId);
  if (conv) {
    if (m.seq >= (conv.lastSeq || 0)) {
      conv.lastSeq = m.seq;
      if (!conv.lastMessage || conv.lastMessage.seq <= m.seq) conv.lastMessage = b.bySeq.get(m.seq);
      if (!old) conv.lastMessageAt = m.createdAt;
    }
  }
  return !old;
}

export async function loadLatest(conversationId) {
  const b = box(conversationId);
  if (b.loading) return;
  b.loading = true;
  changed();
  try {
    const r = await api('GET', '/api/conversations/' + conversationId + '/messages?limit=50');
    r.messages.forEach(mergeMessage);
    if (!b.loaded) b.hasMore = r.hasMore;
    b.loaded = true;
  } catch (e) {
    say(describe(e));
  } finally {
    b.loading = false;
    changed();
  }
}

/** The page before the oldest loaded message (scrolling up). */
export async function loadOlder(conversationId) {
  const b = box(conversationId);
  if (b.loading || !b.hasMore || !b.loaded) return false;
  const oldest = Math.min(...b.bySeq.keys());
  if (!isFinite(oldest) || oldest <= 1) {
    b.hasMore = false;
    changed();
    return false;
  }
  b.loading = true;
  changed();
  try {
    const r = await api(
      'GET',
      '/api/conversations/' + conversationId + '/messages?limit=50&beforeSeq=' + oldest,
    );
    r.messages.forEach(mergeMessage);
    b.hasMore = r.hasMore;
    return r.messages.length > 0;
  } catch (e) {
    say(describe(e));
    return false;
  } finally {
    b.loading = false;
    changed();
  }
}

function newClientId() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
}

/**
 * Sends a message. It shows at once as "sending"; the POST is retried with the same clientId
 * (never a second message) after a network failure, when the stream reconnects.
 */
export function send(conversationId, text, attachmentIds) {
  const p = {
    clientId: newClientId(),
    conversationId,
    text: text || null,
    attachmentIds: attachmentIds || [],
    status: 'sending',
    createdAt: new Date().toISOString(),
  };
  box(conversationId).pending.push(p);
  changed();
  return post(p);
}

async function post(p) {
  p.status = 'sending';
  changed();
  const body = { clientId: p.clientId };
  if (p.text) body.text = p.text;
  if (p.attachmentIds.length) body.attachmentIds = p.attachmentIds;
  try {
    const r = await api('POST', '/api/conversations/' + p.conversationId + '/messages', body);
    mergeMessage(r.message);
    const conv = state.conversations.get(p.conversationId);
    if (conv) {
      conv.unreadCount = 0;
      conv.readMarkers = Object.assign({}, conv.readMarkers, { [me().id]: r.message.seq });
    }
  } catch (e) {
    if (e.code === 'network' || e.code === 'send_in_progress' || e.status >= 500) {
      p.status = 'waiting';
      if (e.code === 'send_in_progress') setTimeout(() => post(p), 1000);
    } else {
      p.status = 'failed';
      p.error = describe(e);
    }
  }
  changed();
}

export function retryPending() {
  for (const b of state.messages.values()) {
    for (const p of b.pending) if (p.status === 'waiting' || p.status === 'failed') post(p);
  }
}

export function discardPending(conversationId, clientId) {
  const b = box(conversationId);
  b.pending = b.pending.filter((p) => p.clientId !== clientId);
  changed();
}

export async function edit(message, text) {
  const r = await api('PATCH', '/api/messages/' + message.id, { text });
  mergeMessage(r.message);
  changed();
}

export async function remove(message) {
  await api('DELETE', '/api/messages/' + message.id);
  mergeMessage(
    Object.assign({}, message, {
      text: null,
      attachments: [],
      deletedAt: new Date().toISOString(),
    }),
  );
  changed();
}

/** sending | waiting | failed for pending ones; sent | delivered | read for the user's own. */
export function tickOf(conv, message) {
  const others = conv.members.filter((m) => m !== me().id);
  if (others.length === 0) return 'read';
  const all = (markers) => others.every((o) => ((markers || {})[o] || 0) >= message.seq);
  if (all(conv.readMarkers)) return 'read';
  if (all(conv.deliveredMarkers) || all(conv.readMarkers)) return 'delivered';
  return 'sent';
}

// ---------------------------------------------------------------- receipts and typing

const acked = { delivered: new Map(), read: new Map() };

function ack(type, conversationId, upToSeq) {
  const done = acked[type].get(conversationId) || 0;
  if (!upToSeq || upToSeq <= done) return;
  acked[type].set(conversationId, upToSeq);
  if (type === 'read' && (acked.delivered.get(conversationId) || 0) < upToSeq) {
    acked.delivered.set(conversationId, upToSeq);
  }
  api('POST', '/api/conversations/' + conversationId + '/receipts', { type, upToSeq }).catch(() => {
    acked[type].set(conversationId, done);
  });
}

function ackDelivered(conversationId, upToSeq) {
  const conv = state.conversations.get(conversationId);
  const mine = conv && conv.deliveredMarkers ? conv.deliveredMarkers[me().id] || 0 : 0;
  if (upToSeq > mine) ack('delivered', conversationId, upToSeq);
}

let openConversation = null;

/** The conversation on screen: its messages are read while the page is visible. */
export function viewing(conversationId) {
  openConversation = conversationId;
  markRead();
}

export function markRead() {
  if (!openConversation || document.visibilityState !== 'visible' || !state.session) return;
  const conv = state.conversations.get(openConversation);
  if (!conv) return;
  const seqs = [...box(conv.id).bySeq.keys()];
  const upTo = Math.max(conv.lastSeq || 0, ...seqs);
  if (upTo > readMarker(conv, me().id)) {
    ack('read', conv.id, upTo);
    conv.unreadCount = 0;
    changed();
  }
}

document.addEventListener('visibilitychange', markRead);

let lastTypingSent = 0;

export function typing(conversationId) {
  const now = Date.now();
  if (now - lastTypingSent < 3000) return;
  lastTypingSent = now;
  api('POST', '/api/conversations/' + conversationId + '/typing').catch(() => {});
}

export function typingIn(conversationId) {
  const t = state.typing.get(conversationId);
  if (!t) return [];
  const now = Date.now();
  return [...t.entries()].filter(([, until]) => until > now).map(([u]) => u);
}

function someoneTyping(conversationId, userId) {
  let t = state.typing.get(conversationId);
  if (!t) {
    t = new Map();
    state.typing.set(conversationId, t);
  }
  t.set(userId, Date.now() + 5000);
  setTimeout(changed, 5100);
}

// ---------------------------------------------------------------- attachments

export function draftsOf(conversationId) {
  let d = state.drafts.get(conversationId);
  if (!d) {
    d = [];
    state.drafts.set(conversationId, d);
  }
  return d;
}

/** Uploads a chosen file: POST /api/uploads, PUT the bytes with progress, then complete. */
export async function attach(conversationId, file) {
  const d = {
    key: newClientId(),
    name: file.name,
    size: file.size,
    contentType: file.type,
    progress: 0,
    uploadId: null,
    error: null,
  };
  draftsOf(conversationId).push(d);
  changed();
  try {
    const target = await api('POST', '/api/uploads', {
      conversationId,
      filename: file.name,
      contentType: file.type || 'application/octet-stream',
      size: file.size,
    });
    await putBytes(target, file, (p) => {
      d.progress = p;
      changed();
    });
    await api('POST', '/api/uploads/' + target.uploadId + '/complete');
    d.uploadId = target.uploadId;
  } catch (e) {
    d.error = describe(e);
  }
  changed();
}

export function dropDraft(conversationId, key) {
  state.drafts.set(
    conversationId,
    draftsOf(conversationId).filter((d) => d.key !== key),
  );
  changed();
}

const blobs = new Map(); // uploadId -> Promise<object URL>

/** An attachment as a blob: URL (fetched with the token, which never goes in a URL). */
export function attachmentUrl(uploadId) {
  if (!blobs.has(uploadId)) {
    const p = fetchBlob('/api/uploads/' + uploadId).then((b) => URL.createObjectURL(b));
    p.catch(() => blobs.delete(uploadId));
    blobs.set(uploadId, p);
  }
  return blobs.get(uploadId);
}

// ---------------------------------------------------------------- notices

let noticeTimer = null;

export function say(text) {
  state.notice = text;
  changed();
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    state.notice = '';
    changed();
  }, 8000);
}

// ---------------------------------------------------------------- the live stream

/**
 * GET /sse through EventSource with a single-use ticket. A ticket cannot be reused, so when the
 * connection breaks the page (not EventSource) reconnects: a new ticket, and the last event id in
 * the lastEventId parameter, so the server replays what was missed. Repeats are dropped by id;
 * messages are also keyed by seq, so a repeat can never show twice.
 */
const stream = (() => {
  let es = null;
  let timer = null;
  let attempt = 0;
  let wanted = false;
  let everOpen = false;
  const seen = new Set();
  const seenOrder = [];

  function cursor() {
    return sessionStorage.getItem(CURSOR_KEY);
  }

  function remember(id) {
    if (!id) return;
    sessionStorage.setItem(CURSOR_KEY, id);
    seen.add(id);
    seenOrder.push(id);
    if (seenOrder.length > 5000) seen.delete(seenOrder.shift());
  }

  function status(s) {
    if (state.stream !== s) {
      state.stream = s;
      changed();
    }
  }

  async function connect() {
    timer = null;
    if (!wanted) return;
    status(everOpen ? 'reconnecting' : 'connecting');
    let ticket;
    try {
      ticket = (await api('POST', '/api/sse/ticket')).ticket;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return; // the session is gone: forget() ran
      retry();
      return;
    }
    if (!wanted) return;
    const last = cursor();
    const url =
      '/sse?ticket=' + encodeURIComponent(ticket) + (last ? '&lastEventId=' + encodeURIComponent(last) : '');
    const source = new EventSource(url);
    es = source;
    source.onopen = () => {
      if (es !== source) return;
      attempt = 0;
      const reopened = everOpen;
      everOpen = true;
      status('open');
      retryPending();
      if (reopened) markRead();
    };
    source.onerror = () => {
      if (es !== source) return;
      // EventSource would retry with the spent ticket: close it and start over with a new one
      source.close();
      es = null;
      retry();
    };
    for (const name of HANDLERS.keys()) {
      source.addEventListener(name, (ev) => {
        if (es !== source) return;
        const id = ev.lastEventId;
        const stored = ev.type !== 'typing' && ev.type !== 'session.revoked';
        if (stored && id && seen.has(id)) return;
        let data;
        try {
          data = JSON.parse(ev.data);
        } catch (e) {
          return;
        }
        if (stored) remember(id);
        HANDLERS.get(name)(data);
        changed();
      });
    }
  }

  function retry() {
    if (!wanted || timer) return;
    status('reconnecting');
    everOpen = true;
    attempt++;
    const delay = Math.min(10000, 500 * 2 ** Math.min(attempt - 1, 5));
    timer = setTimeout(connect, delay);
  }

  window.addEventListener('online', () => {
    if (wanted && !es) {
      clearTimeout(timer);
      timer = null;
      connect();
    }
  });

  return {
    start() {
      wanted = true;
      everOpen = false;
      attempt = 0;
      if (!es && !timer) connect();
    },
    stop() {
      wanted = false;
      clearTimeout(timer);
      timer = null;
      if (es) es.close();
      es = null;
      seen.clear();
      seenOrder.length = 0;
    },
  };
})();

async function onMessage(data) {
  const m = data.message;
  let conv = state.conversations.get(data.conversationId);
  if (!conv) conv = await ensureConversation(data.conversationId);
  const fresh = mergeMessage(m);
  changed();
  if (!conv || !fresh || m.senderId === me().id) return;
  const t = state.typing.get(conv.id);
  if (t) t.delete(m.senderId);
  if (openConversation === conv.id && document.visibilityState === 'visible') {
    markRead();
  } else {
    conv.unreadCount = Math.max(0, m.seq - readMarker(conv, me().id));
    ackDelivered(conv.id, m.seq);
  }
}

function onReceipt(r) {
  const conv = state.conversations.get(r.conversationId);
  if (!conv) return;
  const bump = (key) => {
    const markers = Object.assign({}, conv[key]);
    markers[r.userId] = Math.max(markers[r.userId] || 0, r.upToSeq);
    conv[key] = markers;
  };
  bump('deliveredMarkers');
  if (r.type === 'read') {
    bump('readMarkers');
    if (r.userId === me().id) conv.unreadCount = Math.max(0, (conv.lastSeq || 0) - r.upToSeq);
  }
}

const HANDLERS = new Map([
  ['message.created', onMessage],
  ['message.updated', (d) => mergeMessage(d.message)],
  ['receipt', onReceipt],
  ['conversation.created', (d) => addConversation(d.conversation)],
  [
    'conversation.updated',
    (d) => {
      if (d.removed) {
        state.conversations.delete(d.conversation.id);
        state.messages.delete(d.conversation.id);
        if (location.hash === '#/c/' + d.conversation.id) location.hash = '#/';
      } else {
        addConversation(d.conversation);
      }
    },
  ],
  ['typing', (d) => d.userId !== me().id && someoneTyping(d.conversationId, d.userId)],
  [
    'session.revoked',
    (d) => {
      const mine = state.session && state.session.sessionId;
      if (!d.sessionId || !mine || d.sessionId === mine) {
        forget('This browser was unlinked. Sign in again to use it.');
      }
    },
  ],
  [
    'resync',
    () => {
      loadConversations();
      for (const [id, b] of state.messages) if (b.loaded) loadLatest(id);
    },
  ],
]);
