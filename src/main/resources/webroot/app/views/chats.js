// The conversation list (with archived ones) and starting a new conversation by phone number.
import { html, useState } from '../html.js';
import { useSubmit } from '../forms.js';
import { createConversation, me, nameOf, sortedConversations, titleOf } from '../chat.js';
import { state } from '../store.js';

function preview(conv) {
  const m = conv.lastMessage;
  if (!m) return 'No messages yet';
  const who = m.senderId === me().id ? 'You: ' : conv.type === 'group' ? nameOf(m.senderId) + ': ' : '';
  if (m.deletedAt) return who + 'Message deleted';
  if (m.text) return who + m.text;
  if (m.attachments && m.attachments.length) return who + 'Attachment: ' + m.attachments[0].filename;
  return who;
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date();
  return d.toDateString() === today.toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { day: 'numeric', month: 'short' });
}

export function ConversationList({ archived, current }) {
  const list = sortedConversations(archived);
  const archivedCount = sortedConversations(true).length;
  return html`
    <section class="conversations" aria-labelledby="list-title">
      <div class="list-head">
        <h2 id="list-title">${archived ? 'Archived' : 'Chats'}</h2>
        <a class="button primary" href="#/new" id="new-conversation">New</a>
      </div>
      <p class="list-switch">
        ${archived
          ? html`<a href="#/" id="show-chats">Back to chats</a>`
          : html`<a href="#/archived" id="show-archived">Archived (${archivedCount})</a>`}
      </p>
      ${!state.loaded && html`<p class="muted">Loading…</p>`}
      ${state.loaded && list.length === 0 &&
      html`<p class="muted empty">${archived ? 'Nothing archived.' : 'No conversations yet. Start one with New.'}</p>`}
      <ul class="conversation-list" id="conversation-list">
        ${list.map(
          (c) => html`
            <li key=${c.id}>
              <a
                href=${'#/c/' + c.id}
                class=${'conversation' + (c.id === current ? ' current' : '')}
                aria-current=${c.id === current ? 'page' : undefined}
                data-conversation=${c.id}
              >
                <span class="avatar" aria-hidden="true">${titleOf(c).slice(0, 1)}</span>
                <span class="summary">
                  <span class="title-row">
                    <span class="title">${titleOf(c)}</span>
                    <time class="time">${when(c.lastMessageAt || c.createdAt)}</time>
                  </span>
                  <span class="preview-row">
                    <span class="preview">${preview(c)}</span>
                    ${c.unreadCount > 0 &&
                    html`<span class="badge" data-unread=${c.unreadCount}
                      aria-label=${c.unreadCount + ' unread'}>${c.unreadCount}</span>`}
                  </span>
                </span>
              </a>
            </li>
          `,
        )}
      </ul>
    </section>
  `;
}

export function NewConversation() {
  const [type, setType] = useState('direct');
  const [phones, setPhones] = useState(['']);
  const [title, setTitle] = useState('');
  const { error, busy, submit } = useSubmit(async () => {
    const list = (type === 'direct' ? phones.slice(0, 1) : phones).filter((p) => p.trim());
    const c = await createConversation(type, list, title.trim());
    location.hash = '#/c/' + c.id;
  });
  const setPhone = (i, v) => setPhones(phones.map((p, j) => (i === j ? v : p)));

  return html`
    <section class="panel new-conversation" aria-labelledby="new-title">
      <h2 id="new-title" tabindex="-1" class="focus-target">New conversation</h2>
      <form onSubmit=${submit} id="new-form">
        <fieldset class="choice">
          <legend>Kind</legend>
          <label><input type="radio" name="kind" value="direct" checked=${type === 'direct'}
            onChange=${() => setType('direct')} id="kind-direct" /> With one person</label>
          <label><input type="radio" name="kind" value="group" checked=${type === 'group'}
            onChange=${() => setType('group')} id="kind-group" /> Group</label>
        </fieldset>
        ${type === 'group' &&
        html`<div class="field">
          <label for="group-title">Group name</label>
          <input id="group-title" value=${title} maxlength="100"
            onInput=${(e) => setTitle(e.target.value)} />
        </div>`}
        ${(type === 'direct' ? phones.slice(0, 1) : phones).map(
          (p, i) => html`
            <div class="field" key=${i}>
              <label for=${'member-phone-' + i}>
                ${type === 'direct' ? 'Their phone number' : 'Member ' + (i + 1) + ' phone number'}
              </label>
              <input id=${'member-phone-' + i} type="tel" inputmode="tel" autocomplete="off"
                required=${i === 0} value=${p} onInput=${(e) => setPhone(i, e.target.value)}
                placeholder="+44 7700 900123" />
            </div>
          `,
        )}
        ${type === 'group' &&
        html`<button type="button" onClick=${() => setPhones([...phones, ''])}>
          Add another member
        </button>`}
        <p class="error" role="alert" hidden=${!error} id="new-error">${error}</p>
        <div class="actions">
          <a href="#/" class="button">Cancel</a>
          <button type="submit" class="primary" disabled=${busy} id="new-submit">Start</button>
        </div>
      </form>
    </section>
  `;
}
