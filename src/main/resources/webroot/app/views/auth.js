// Signed out: sign in, register, or link this browser to a signed-in phone by QR code.
import { html, useEffect, useRef, useState } from '../html.js';
import { api, ApiError, describe, fetchBlob } from '../api.js';
import { deviceName, signedIn } from '../chat.js';
import { useSubmit } from '../forms.js';
import { state } from '../store.js';

export const ICON = new URL('../../icon.svg', import.meta.url).href;

export function SignedOut() {
  const [tab, setTab] = useState('signin');
  const heading = useRef(null);
  useEffect(() => heading.current && heading.current.focus(), [tab]);
  const tabs = [
    ['signin', 'Sign in'],
    ['register', 'Create account'],
    ['link', 'Link this browser'],
  ];
  return html`
    <main class="signed-out" id="main">
      <div class="card">
        <h1 class="brand"><img src=${ICON} alt="" class="logo" />Parley</h1>
        ${state.notice && html`<p class="notice" role="status" id="signed-out-notice">${state.notice}</p>`}
        <nav class="tabs" aria-label="How to sign in">
          ${tabs.map(
            ([id, label]) => html`
              <button
                type="button"
                class=${tab === id ? 'tab active' : 'tab'}
                aria-current=${tab === id ? 'page' : undefined}
                id=${'tab-' + id}
                onClick=${() => setTab(id)}
              >
                ${label}
              </button>
            `,
          )}
        </nav>
        <h2 tabindex="-1" ref=${heading} class="visually-hidden">
          ${tabs.find((t) => t[0] === tab)[1]}
        </h2>
        ${tab === 'signin' && html`<${SignIn} />`}
        ${tab === 'register' && html`<${Register} />`}
        ${tab === 'link' && html`<${LinkThisBrowser} />`}
      </div>
    </main>
  `;
}

function Field({ id, label, hint, ...input }) {
  return html`
    <div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} name=${id} aria-describedby=${hint ? id + '-hint' : undefined} ...${input} />
      ${hint && html`<small id=${id + '-hint'}>${hint}</small>`}
    </div>
  `;
}

// A form that signs in: POSTs the fields (and this browser's device name), keeps the grant.
function useGrant(path, fields) {
  return useSubmit(async (f) => {
    signedIn(await api('POST', path, { ...fields(f), deviceName: deviceName() }));
  });
}

function FormError({ error }) {
  return html`<p class="error" role="alert" id="form-error" hidden=${!error}>${error}</p>`;
}

const PHONE_HINT = 'With the country code, as you like to write it: +44 7700 900123';

function SignIn() {
  const { error, busy, submit } = useGrant('/api/auth/login', (f) => ({
    phone: f.get('phone'),
    password: f.get('password'),
  }));
  return html`
    <form onSubmit=${submit} id="signin-form">
      <${Field} id="signin-phone" name="phone" label="Phone number" type="tel" inputmode="tel"
        autocomplete="tel" required hint=${PHONE_HINT} />
      <${Field} id="signin-password" name="password" label="Password" type="password"
        autocomplete="current-password" required />
      <${FormError} error=${error} />
      <button type="submit" class="primary" disabled=${busy} id="signin-submit">Sign in</button>
    </form>
  `;
}

function Register() {
  const { error, busy, submit } = useGrant('/api/auth/register', (f) => ({
    name: f.get('name'),
    phone: f.get('phone'),
    password: f.get('password'),
  }));
  return html`
    <form onSubmit=${submit} id="register-form">
      <${Field} id="register-name" name="name" label="Your name" autocomplete="name" required
        maxlength="64" />
      <${Field} id="register-phone" name="phone" label="Phone number" type="tel" inputmode="tel"
        autocomplete="tel" required hint=${PHONE_HINT} />
      <${Field} id="register-password" name="password" label="Password" type="password"
        autocomplete="new-password" required hint="At least 8 characters; a passphrase is best." />
      <${FormError} error=${error} />
      <button type="submit" class="primary" disabled=${busy} id="register-submit">
        Create account
      </button>
    </form>
  `;
}

/** Reads an SSE body from fetch (EventSource cannot send the requester secret header). */
async function readEvents(res, onEvent, signal) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  while (!signal.aborted) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let end;
    while ((end = buf.search(/\r?\n\r?\n/)) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(event, JSON.parse(data.join('\n')));
    }
  }
}

function LinkThisBrowser() {
  const [challenge, setChallenge] = useState(null);
  const [image, setImage] = useState(null);
  const [phase, setPhase] = useState('loading'); // loading | waiting | scanned | expired | error
  const [error, setError] = useState('');
  const [round, setRound] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    let url = null;
    let expiry = null;
    let approved = false;
    const finish = (grant) => {
      if (approved || abort.signal.aborted) return;
      approved = true;
      signedIn(grant);
    };
    const poll = async (c) => {
      while (!abort.signal.aborted && !approved) {
        try {
          const s = await api('GET', '/api/auth/qr/' + c.challengeId, undefined, {
            'X-Requester-Secret': c.requesterSecret,
          });
          if (s.status === 'approved') return finish(s);
          if (s.status === 'scanned') setPhase('scanned');
        } catch (e) {
          if (e instanceof ApiError && (e.code === 'qr_expired' || e.code === 'qr_used')) {
            setPhase('expired');
            return;
          }
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    };
    (async () => {
      setPhase('loading');
      setError('');
      try {
        const c = await api('POST', '/api/auth/qr');
        if (abort.signal.aborted) return;
        const secret = { 'X-Requester-Secret': c.requesterSecret };
        const blob = await fetchBlob('/api/auth/qr/' + c.challengeId + '/image.svg', secret);
        url = URL.createObjectURL(blob);
        if (abort.signal.aborted) return;
        setChallenge(c);
        setImage(url);
        setPhase('waiting');
        expiry = setTimeout(() => setPhase((p) => (p === 'waiting' || p === 'scanned' ? 'expired' : p)),
          Math.max(1000, Date.parse(c.expiresAt) - Date.now()));
        try {
          const res = await fetch('/api/auth/qr/' + c.challengeId + '/events', {
            headers: Object.assign({ Accept: 'text/event-stream' }, secret),
            cache: 'no-store',
            credentials: 'omit',
            signal: abort.signal,
          });
          if (!res.ok || !res.body) throw new Error('no stream');
          await readEvents(
            res,
            (event, data) => {
              if (event === 'qr.scanned') setPhase('scanned');
              else if (event === 'qr.approved') finish(data);
              else if (event === 'qr.expired') setPhase('expired');
            },
            abort.signal,
          );
        } catch (e) {
          if (abort.signal.aborted) return;
        }
        // the stream ended without an answer (a proxy cut it): ask until there is one
        if (!approved && !abort.signal.aborted) await poll(c);
      } catch (e) {
        if (!abort.signal.aborted) {
          setPhase('error');
          setError(describe(e));
        }
      }
    })();
    return () => {
      abort.abort();
      clearTimeout(expiry);
      if (url) URL.revokeObjectURL(url);
    };
  }, [round]);

  return html`
    <section class="link-browser" aria-labelledby="link-title">
      <h3 id="link-title">Link this browser to your phone</h3>
      <ol class="steps">
        <li>Open Parley where you are signed in and choose <strong>Link a device</strong>.</li>
        <li>Scan this code, or paste its text, and approve.</li>
      </ol>
      ${phase === 'error' && html`<p class="error" role="alert">${error}</p>`}
      ${image && phase !== 'expired' && phase !== 'error' &&
      html`<img class="qr" id="qr-image" src=${image} width="240" height="240"
          alt="QR code that links this browser to your account" />
        <details>
          <summary>Cannot scan? Use the code's text</summary>
          <label for="qr-text">Code text</label>
          <input id="qr-text" readonly value=${challenge.qr} class="mono" />
        </details>`}
      <p role="status" class="status" id="link-status">
        ${phase === 'loading' && 'Getting a code…'}
        ${phase === 'waiting' && 'Waiting for your phone…'}
        ${phase === 'scanned' && 'Scanned. Approve on your phone to finish.'}
        ${phase === 'expired' && 'This code has expired.'}
      </p>
      ${(phase === 'expired' || phase === 'error') &&
      html`<button type="button" class="primary" onClick=${() => setRound(round + 1)}>
        Show a new code
      </button>`}
    </section>
  `;
}
