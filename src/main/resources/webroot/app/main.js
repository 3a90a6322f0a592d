// The page: signed out, or the chat with its list, the open conversation and the other screens.
// Routes live in the URL's fragment (#/c/<id>, #/devices …), so the server only ever serves "/".
import { html, render, useEffect, useState } from './html.js';
import { restore, me } from './chat.js';
import { state, useStore } from './store.js';
import { SignedOut, ICON } from './views/auth.js';
import { ConversationList, NewConversation } from './views/chats.js';
import { ConversationView } from './views/conversation.js';
import { Devices, LinkDevice } from './views/devices.js';

function route() {
  const h = location.hash.replace(/^#/, '') || '/';
  const m = h.match(/^\/c\/([0-9a-f]{24})$/);
  if (m) return { name: 'conversation', id: m[1] };
  if (h === '/new') return { name: 'new' };
  if (h === '/devices') return { name: 'devices' };
  if (h === '/link') return { name: 'link' };
  if (h === '/archived') return { name: 'list', archived: true };
  return { name: 'list', archived: false };
}

function useRoute() {
  const [r, setR] = useState(route());
  useEffect(() => {
    const on = () => setR(route());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return r;
}

function Banner() {
  if (state.stream !== 'reconnecting') return null;
  return html`<div class="banner" role="status" id="reconnecting">
    Connection lost. Reconnecting… Messages you send now go out when it is back.
  </div>`;
}

function Nav({ r }) {
  const link = (href, label, name, id) =>
    html`<a href=${href} id=${id} class=${r.name === name ? 'active' : ''}
      aria-current=${r.name === name ? 'page' : undefined}>${label}</a>`;
  return html`<header class="app-bar">
    <a href="#/" class="brand small-brand"><img src=${ICON} alt="" class="logo" />Parley</a>
    <nav aria-label="Main">
      ${link('#/', 'Chats', 'list', 'nav-chats')}
      ${link('#/link', 'Link a device', 'link', 'nav-link')}
      ${link('#/devices', 'Devices', 'devices', 'nav-devices')}
    </nav>
    <span class="who" id="who">${me().name}</span>
  </header>`;
}

function SignedIn() {
  const r = useRoute();
  useEffect(() => {
    // after a navigation, put keyboard focus on the new screen's heading
    const t = document.querySelector('#main h2[tabindex="-1"]');
    if (t && r.name !== 'list') t.focus({ preventScroll: true });
  }, [r.name, r.id]);
  const detail = r.name !== 'list';
  // the list beside an open conversation is the one it is in
  const open = r.name === 'conversation' && state.conversations.get(r.id);
  const archivedList = r.name === 'list' ? r.archived : !!(open && open.archived);
  let main;
  if (r.name === 'conversation') main = html`<${ConversationView} key=${r.id} id=${r.id} />`;
  else if (r.name === 'new') main = html`<${NewConversation} />`;
  else if (r.name === 'devices') main = html`<${Devices} />`;
  else if (r.name === 'link') main = html`<${LinkDevice} />`;
  else main = html`<div class="placeholder muted"><p>Choose a conversation, or start a new one.</p></div>`;
  return html`
    <div class=${'shell ' + (detail ? 'show-detail' : 'show-list')}>
      <${Nav} r=${r} />
      <${Banner} />
      <div class="columns">
        <aside class="sidebar" aria-label="Conversations">
          <${ConversationList} archived=${archivedList} current=${r.id} />
        </aside>
        <main class="detail" id="main">${main}</main>
      </div>
    </div>
  `;
}

function App() {
  useStore();
  return html`
    ${state.session ? html`<${SignedIn} />` : html`<${SignedOut} />`}
    <div class="visually-hidden" aria-live="polite" id="announcer">${state.session ? state.notice : ''}</div>
    ${state.session && state.notice && html`<div class="toast" role="status" id="notice">${state.notice}</div>`}
  `;
}

restore();
render(html`<${App} />`, document.getElementById('app'));
