// Linked devices (unlink, sign out everywhere) and approving a new device's QR code.
import { html, useEffect, useRef, useState } from '../html.js';
import { api, describe } from '../api.js';
import { deviceName, say, signOut } from '../chat.js';

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

export function Devices() {
  const [sessions, setSessions] = useState(null);
  const [error, setError] = useState('');
  const load = async () => {
    try {
      setSessions((await api('GET', '/api/sessions')).sessions);
    } catch (e) {
      setError(describe(e));
    }
  };
  useEffect(() => {
    load();
  }, []);
  const unlink = async (s) => {
    try {
      await api('DELETE', '/api/sessions/' + s.id);
      say('Unlinked ' + (s.deviceName || 'the device') + '.');
      load();
    } catch (e) {
      setError(describe(e));
    }
  };
  return html`
    <section class="panel devices" aria-labelledby="devices-title">
      <h2 id="devices-title" tabindex="-1" class="focus-target">Devices</h2>
      <p class="muted">Everywhere you are signed in. Unlinking signs that device out at once.</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${!sessions && !error && html`<p class="muted">Loading…</p>`}
      ${sessions &&
      html`<ul class="device-list" id="device-list">
        ${sessions.map(
          (s) => html`<li key=${s.id} class="device" data-session=${s.id}>
            <div>
              <strong class="device-name">${s.deviceName || 'Unnamed device'}</strong>
              ${s.current && html` <span class="badge current-badge">This browser</span>`}
              <div class="muted small">${s.userAgent}</div>
              <div class="muted small">
                Signed in ${when(s.createdAt)} · last active ${when(s.lastSeenAt)}
              </div>
            </div>
            ${s.current
              ? html`<button type="button" onClick=${() => signOut(false)} id="sign-out">Sign out</button>`
              : html`<button type="button" class="danger" onClick=${() => unlink(s)}
                  aria-label=${'Unlink ' + (s.deviceName || 'device')}>Unlink</button>`}
          </li>`,
        )}
      </ul>`}
      <div class="actions">
        <a href="#/link" class="button">Link a device</a>
        <button type="button" class="danger" onClick=${() => signOut(true)} id="sign-out-everywhere">
          Sign out everywhere
        </button>
      </div>
    </section>
  `;
}

/** Camera scanning where the browser has BarcodeDetector and a camera; otherwise paste. */
function CameraScan({ onCode }) {
  const video = useRef(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let stream = null;
    let timer = null;
    let stopped = false;
    (async () => {
      try {
        const detector = new BarcodeDetector({ formats: ['qr_code'] });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        if (stopped) return;
        video.current.srcObject = stream;
        await video.current.play();
        const tick = async () => {
          if (stopped) return;
          try {
            const codes = await detector.detect(video.current);
            const hit = codes.find((c) => c.rawValue.startsWith('parley:link:'));
            if (hit) {
              onCode(hit.rawValue);
              return;
            }
          } catch (e) {
            // a frame that could not be read: try the next one
          }
          timer = setTimeout(tick, 250);
        };
        tick();
      } catch (e) {
        setError('The camera is not available: ' + e.message);
      }
    })();
    return () => {
      stopped = true;
      clearTimeout(timer);
      if (stream) stream.getTracks().forEach((t) => t.stop());
    };
  }, []);
  return html`<div class="camera">
    <video ref=${video} muted playsinline aria-label="Camera view"></video>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </div>`;
}

export function LinkDevice() {
  const [qr, setQr] = useState('');
  const [request, setRequest] = useState(null);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const [camera, setCamera] = useState(false);
  const canScan = 'BarcodeDetector' in window && navigator.mediaDevices;

  const check = async (code) => {
    setError('');
    setCamera(false);
    try {
      const r = await api('POST', '/api/auth/qr/scan', { qr: code.trim() });
      setQr(code.trim());
      setRequest(r);
      setName(guessName(r.userAgent));
    } catch (e) {
      setError(describe(e));
    }
  };
  const approve = async () => {
    setError('');
    try {
      await api('POST', '/api/auth/qr/approve', { qr, deviceName: name || undefined });
      setDone(true);
    } catch (e) {
      setError(describe(e));
    }
  };
  return html`
    <section class="panel link-device" aria-labelledby="link-device-title">
      <h2 id="link-device-title" tabindex="-1" class="focus-target">Link a device</h2>
      ${done
        ? html`<p role="status" id="link-done">Linked. ${name || 'The device'} is now signed in.</p>
            <a href="#/devices" class="button">See your devices</a>`
        : request
          ? html`<div class="request" id="link-request">
              <p>A device asks to sign in to your account. Approve only if it is yours.</p>
              <dl>
                <dt>Device</dt><dd id="request-agent">${request.userAgent}</dd>
                <dt>Address</dt><dd id="request-address">${request.address}</dd>
                <dt>Asked at</dt><dd>${when(request.requestedAt)}</dd>
                <dt>Code expires</dt><dd>${when(request.expiresAt)}</dd>
              </dl>
              <div class="field">
                <label for="link-device-name">Name it</label>
                <input id="link-device-name" value=${name} maxlength="64"
                  onInput=${(e) => setName(e.target.value)} />
              </div>
              <div class="actions">
                <button type="button" onClick=${() => setRequest(null)}>Cancel</button>
                <button type="button" class="primary" onClick=${approve} id="approve-link">Approve</button>
              </div>
            </div>`
          : html`<form onSubmit=${(e) => {
              e.preventDefault();
              check(qr);
            }} id="link-form">
              <p class="muted">On the new device, open Parley and choose <strong>Link this browser</strong>.</p>
              ${canScan &&
              html`<button type="button" onClick=${() => setCamera(!camera)} id="scan-camera">
                ${camera ? 'Stop the camera' : 'Scan with the camera'}
              </button>`}
              ${camera && html`<${CameraScan} onCode=${check} />`}
              <div class="field">
                <label for="link-code">Or paste the code's text</label>
                <input id="link-code" class="mono" value=${qr} required placeholder="parley:link:…"
                  onInput=${(e) => setQr(e.target.value)} autocomplete="off" />
              </div>
              <button type="submit" class="primary" id="check-link">Check the code</button>
            </form>`}
      ${error && html`<p class="error" role="alert" id="link-error">${error}</p>`}
    </section>
  `;
}

function guessName(userAgent) {
  return userAgent ? deviceName(userAgent) : '';
}
