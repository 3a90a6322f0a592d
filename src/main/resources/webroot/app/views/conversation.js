// One conversation: history that pages in when scrolled up, live messages, ticks, typing,
// edit and delete for everyone, attachments with upload progress and image previews.
import { html, useEffect, useLayoutEffect, useRef, useState } from '../html.js';
import { describe, formatSize } from '../api.js';
import {
  attach,
  attachmentUrl,
  discardPending,
  draftsOf,
  dropDraft,
  edit,
  historyState,
  loadLatest,
  loadOlder,
  lookup,
  me,
  messagesOf,
  nameOf,
  pendingOf,
  remove,
  say,
  send,
  setArchived,
  tickOf,
  titleOf,
  typing,
  typingIn,
  viewing,
} from '../chat.js';
import { state } from '../store.js';

const CLIP = html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
  <path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z" />
</svg>`;

const TICKS = {
  sending: ['○', 'Sending'],
  waiting: ['○', 'Waiting for the connection'],
  failed: ['⚠', 'Not sent'],
  sent: ['✓', 'Sent'],
  delivered: ['✓✓', 'Delivered'],
  read: ['✓✓', 'Read'],
};

function Ticks({ status }) {
  const [mark, label] = TICKS[status];
  return html`<span class=${'ticks ' + status} data-status=${status} title=${label}>
    <span aria-hidden="true">${mark}</span><span class="visually-hidden">${label}</span>
  </span>`;
}

function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function Attachment({ a }) {
  const [url, setUrl] = useState(null);
  const [error, setError] = useState('');
  const image = a.contentType.startsWith('image/');
  useEffect(() => {
    if (!image) return;
    let live = true;
    attachmentUrl(a.uploadId).then(
      (u) => live && setUrl(u),
      (e) => live && setError(describe(e)),
    );
    return () => {
      live = false;
    };
  }, [a.uploadId]);
  const download = async () => {
    try {
      const u = await attachmentUrl(a.uploadId);
      const link = document.createElement('a');
      link.href = u;
      link.download = a.filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
    } catch (e) {
      say(describe(e));
    }
  };
  if (image && url) {
    return html`<figure class="attachment image">
      <img src=${url} alt=${a.filename} class="preview-image" data-upload=${a.uploadId} />
      <figcaption>
        <button type="button" class="link" onClick=${download}>${a.filename}</button>
        <span class="muted"> ${formatSize(a.size)}</span>
      </figcaption>
    </figure>`;
  }
  return html`<div class="attachment file">
    <button type="button" class="link" onClick=${download}>${CLIP} ${a.filename}</button>
    <span class="muted"> ${formatSize(a.size)}</span>
    ${error && html`<span class="error"> ${error}</span>`}
  </div>`;
}

function Message({ conv, m, group }) {
  const mine = m.senderId === me().id;
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [text, setText] = useState(m.text || '');
  const [error, setError] = useState('');
  const save = async (e) => {
    e.preventDefault();
    try {
      await edit(m, text);
      setEditing(false);
      setError('');
    } catch (err) {
      setError(describe(err));
    }
  };
  const del = async () => {
    try {
      await remove(m);
    } catch (err) {
      setError(describe(err));
    }
    setConfirming(false);
  };
  return html`
    <li class=${'message ' + (mine ? 'mine' : 'theirs')} data-seq=${m.seq} data-id=${m.id}>
      <div class="bubble">
        ${group && !mine && html`<span class="sender">${nameOf(m.senderId)}</span>`}
        ${m.deletedAt
          ? html`<p class="text deleted">This message was deleted</p>`
          : editing
            ? html`<form class="edit" onSubmit=${save}>
                <label for=${'edit-' + m.id} class="visually-hidden">Edit message</label>
                <input id=${'edit-' + m.id} value=${text} onInput=${(e) => setText(e.target.value)}
                  required maxlength="4000" />
                <button type="submit" class="primary">Save</button>
                <button type="button" onClick=${() => setEditing(false)}>Cancel</button>
              </form>`
            : html`
                ${m.text && html`<p class="text">${m.text}</p>`}
                ${(m.attachments || []).map((a) => html`<${Attachment} key=${a.uploadId} a=${a} />`)}
              `}
        <span class="meta">
          ${m.editedAt && !m.deletedAt && html`<span class="edited">edited</span>`}
          <time datetime=${m.createdAt}>${time(m.createdAt)}</time>
          ${mine && !m.deletedAt && html`<${Ticks} status=${tickOf(conv, m)} />`}
        </span>
        ${error && html`<p class="error" role="alert">${error}</p>`}
      </div>
      ${mine && !m.deletedAt && !editing &&
      html`<div class="message-actions">
        ${confirming
          ? html`<span>Delete for everyone?</span>
              <button type="button" class="danger" onClick=${del}>Delete</button>
              <button type="button" onClick=${() => setConfirming(false)}>Keep</button>`
          : html`${m.text &&
              html`<button type="button" class="small" onClick=${() => {
                setText(m.text);
                setEditing(true);
              }} aria-label=${'Edit message: ' + m.text.slice(0, 40)}>Edit</button>`}
              <button type="button" class="small" onClick=${() => setConfirming(true)}
                aria-label="Delete message for everyone">Delete</button>`}
      </div>`}
    </li>
  `;
}

function Pending({ p }) {
  return html`
    <li class="message mine pending" data-client-id=${p.clientId}>
      <div class="bubble">
        ${p.text && html`<p class="text">${p.text}</p>`}
        ${p.attachmentIds.length > 0 && html`<p class="muted">${CLIP} ${p.attachmentIds.length === 1 ? 'an attachment' : p.attachmentIds.length + ' attachments'}</p>`}
        <span class="meta"><time>${time(p.createdAt)}</time><${Ticks} status=${p.status} /></span>
        ${p.status === 'failed' &&
        html`<p class="error" role="alert">${p.error}
          <button type="button" class="small" onClick=${() => discardPending(p.conversationId, p.clientId)}>
            Discard</button></p>`}
      </div>
    </li>
  `;
}

function MessageList({ conv }) {
  const ref = useRef(null);
  const anchor = useRef(null); // scroll position to keep while older messages are put above
  const stick = useRef(true);
  const h = historyState(conv.id);
  const messages = messagesOf(conv.id);
  const pending = pendingOf(conv.id);
  const group = conv.type === 'group';

  useEffect(() => {
    stick.current = true;
    if (!h.loaded) loadLatest(conv.id);
  }, [conv.id]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (anchor.current != null) {
      el.scrollTop = el.scrollHeight - anchor.current;
      anchor.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
    // a short first page does not scroll: keep paging until it does or history ends
    if (h.loaded && h.hasMore && !h.loading && el.scrollHeight <= el.clientHeight) older();
  });

  const older = async () => {
    const el = ref.current;
    const from = el.scrollHeight - el.scrollTop;
    const before = historyState(conv.id).bySeq.size;
    anchor.current = from;
    const got = await loadOlder(conv.id);
    if (!got && historyState(conv.id).bySeq.size === before) anchor.current = null;
  };

  const onScroll = () => {
    const el = ref.current;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 80 && h.hasMore && !h.loading && h.loaded) older();
    if (stick.current) viewing(conv.id);
  };

  return html`
    <div class="messages" ref=${ref} onScroll=${onScroll} tabindex="0"
      aria-label=${'Messages with ' + titleOf(conv)}>
      ${h.loading && html`<p class="muted center" id="loading-history">Loading…</p>`}
      ${h.loaded && !h.hasMore && html`<p class="muted center history-start">Start of the conversation</p>`}
      <ol class="message-list" id="message-list" role="log" aria-live="polite" aria-relevant="additions">
        ${messages.map((m) => html`<${Message} key=${'s' + m.seq} conv=${conv} m=${m} group=${group} />`)}
        ${pending.map((p) => html`<${Pending} key=${'p' + p.clientId} p=${p} />`)}
      </ol>
    </div>
  `;
}

function Composer({ conv }) {
  const [text, setText] = useState('');
  const input = useRef(null);
  const drafts = draftsOf(conv.id);
  const uploading = drafts.some((d) => !d.uploadId && !d.error);
  const ready = drafts.filter((d) => d.uploadId);
  useEffect(() => {
    setText('');
  }, [conv.id]);
  const submit = (e) => {
    e.preventDefault();
    const t = text.trim();
    if ((!t && ready.length === 0) || uploading) return;
    send(conv.id, t, ready.map((d) => d.uploadId));
    for (const d of ready) dropDraft(conv.id, d.key);
    setText('');
    input.current && input.current.focus();
  };
  const chosen = (e) => {
    for (const f of e.target.files) attach(conv.id, f);
    e.target.value = '';
  };
  const keys = (e) => {
    if (e.key === 'Enter' && !e.shiftKey) submit(e);
  };
  return html`
    <form class="composer" onSubmit=${submit} id="composer">
      ${drafts.length > 0 &&
      html`<ul class="drafts" aria-label="Attachments to send">
        ${drafts.map(
          (d) => html`<li key=${d.key} class="draft" data-draft=${d.name}>
            <span class="draft-name">${CLIP} ${d.name}</span>
            ${d.error
              ? html`<span class="error" role="alert">${d.error}</span>`
              : d.uploadId
                ? html`<span class="ready" data-ready="true">Ready</span>`
                : html`<progress max="1" value=${d.progress} aria-label=${'Uploading ' + d.name}></progress>
                    <span class="percent">${Math.round(d.progress * 100)}%</span>`}
            <button type="button" class="small" onClick=${() => dropDraft(conv.id, d.key)}
              aria-label=${'Remove ' + d.name}>✕</button>
          </li>`,
        )}
      </ul>`}
      <div class="composer-row">
        <label class="button attach" for="attach-file" title="Attach a file">
          ${CLIP}<span class="visually-hidden">Attach a file</span>
        </label>
        <input type="file" id="attach-file" class="visually-hidden" multiple onChange=${chosen}
          accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,video/mp4,audio/mpeg,audio/ogg,text/plain" />
        <label for="message-input" class="visually-hidden">Message</label>
        <textarea id="message-input" ref=${input} rows="1" value=${text} maxlength="4000"
          placeholder="Message" onKeyDown=${keys}
          onInput=${(e) => {
            setText(e.target.value);
            typing(conv.id);
          }}></textarea>
        <button type="submit" class="primary" id="send" disabled=${uploading}>Send</button>
      </div>
    </form>
  `;
}

function NameContact({ userId }) {
  const [phone, setPhone] = useState('');
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    try {
      const u = await lookup(phone);
      setError(u.id === userId ? '' : 'That number belongs to someone else.');
    } catch (err) {
      setError(describe(err));
    }
  };
  return html`<form class="name-contact" onSubmit=${submit}>
    <label for="contact-phone">Who is this? Their phone number:</label>
    <input id="contact-phone" type="tel" inputmode="tel" value=${phone} required
      onInput=${(e) => setPhone(e.target.value)} />
    <button type="submit">Save contact</button>
    ${error && html`<span class="error" role="alert">${error}</span>`}
  </form>`;
}

export function ConversationView({ id }) {
  const conv = state.conversations.get(id);
  const heading = useRef(null);
  useEffect(() => {
    if (conv) viewing(id);
    return () => viewing(null);
  }, [id, !!conv]);
  if (!conv) {
    return html`<section class="panel"><p class="muted">${state.loaded ? 'No such conversation.' : 'Loading…'}</p>
      <a href="#/">Back to chats</a></section>`;
  }
  const typers = typingIn(id);
  const unknown =
    conv.type === 'direct' && conv.members.find((m) => m !== me().id && !state.contacts[m]);
  const archive = async () => {
    try {
      await setArchived(id, !conv.archived);
      say(conv.archived ? 'Archived.' : 'Moved back to chats.');
    } catch (e) {
      say(describe(e));
    }
  };
  return html`
    <section class="conversation-view" aria-labelledby="conversation-title">
      <header class="conversation-head">
        <a href=${conv.archived ? '#/archived' : '#/'} class="back button" aria-label="Back to the list">‹</a>
        <div class="head-text">
          <h2 id="conversation-title" tabindex="-1" ref=${heading}>${titleOf(conv)}</h2>
          <p class="typing" aria-live="polite" id="typing">
            ${typers.length > 0 && typers.map(nameOf).join(', ') + (typers.length > 1 ? ' are' : ' is') + ' typing…'}
            ${typers.length === 0 && conv.type === 'group' && conv.members.length + ' members'}
          </p>
        </div>
        <button type="button" onClick=${archive} id="archive-toggle">
          ${conv.archived ? 'Unarchive' : 'Archive'}
        </button>
      </header>
      ${unknown && html`<${NameContact} userId=${unknown} />`}
      <${MessageList} conv=${conv} />
      <${Composer} conv=${conv} />
    </section>
  `;
}
