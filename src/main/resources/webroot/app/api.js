// The Parley HTTP API as this page uses it: JSON requests with the bearer token (kept in memory
// here and in sessionStorage by session.js, never in a URL), errors as ApiError with the server's
// code, and the same code put into words for people.

let token = null;
let onUnauthorized = () => {};

export function setToken(t) {
  token = t;
}

/** Called when the server refuses the token (signed out elsewhere, unlinked, expired). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

const TOKEN_CODES = new Set(['session_revoked', 'invalid_token', 'unauthorized']);

async function errorFrom(res) {
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    // not JSON (a proxy's page): fall through to a generic error
  }
  const e = body && body.error ? body.error : {};
  const err = new ApiError(res.status, e.code || 'http_' + res.status, e.message, e.details);
  const retry = res.headers.get('Retry-After');
  if (retry) err.retryAfter = Number(retry);
  return err;
}

/** A JSON request; resolves to the parsed body (null for 204), rejects with ApiError. */
export async function api(method, path, body, extraHeaders) {
  const headers = Object.assign({ Accept: 'application/json' }, extraHeaders || {});
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached');
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && token && TOKEN_CODES.has(err.code)) onUnauthorized(err);
    throw err;
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

/** A file behind the API (attachment, QR image) as a Blob, fetched with headers. */
export async function fetchBlob(path, extraHeaders) {
  const headers = Object.assign({}, extraHeaders || {});
  if (token) headers.Authorization = 'Bearer ' + token;
  let res;
  try {
    res = await fetch(path, { headers, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached');
  }
  if (!res.ok) throw await errorFrom(res);
  return res.blob();
}

const FORBIDDEN_HEADERS = new Set(['content-length', 'host', 'connection']);

/**
 * PUTs a file's bytes where POST /api/uploads said (this server, or a presigned S3 URL), reporting
 * progress (0..1). XMLHttpRequest because fetch has no upload progress.
 */
export function putBytes(target, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method || 'PUT', target.url);
    for (const [k, v] of Object.entries(target.headers || {})) {
      if (!FORBIDDEN_HEADERS.has(k.toLowerCase())) xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      let code = 'http_' + xhr.status;
      let message = xhr.statusText;
      try {
        const e = JSON.parse(xhr.responseText).error;
        code = e.code;
        message = e.message;
      } catch (e) {
        // S3 answers XML: keep the status
      }
      reject(new ApiError(xhr.status, code, message));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload was interrupted'));
    xhr.send(file);
  });
}

function minutes(seconds) {
  const m = Math.max(1, Math.ceil(seconds / 60));
  return m === 1 ? 'a minute' : m + ' minutes';
}

const WORDS = {
  network: 'The server cannot be reached. Check your connection and try again.',
  invalid_phone:
    'That does not look like a phone number. Include the country code, for example +44 7700 900123.',
  weak_password: 'Choose a longer password: at least 8 characters.',
  password_too_long: 'That password is too long.',
  phone_taken: 'This phone number already has an account. Sign in instead.',
  invalid_credentials: 'The phone number or the password is wrong.',
  too_many_attempts: 'Too many sign-in attempts.',
  rate_limited: 'Too many requests.',
  user_not_found: 'No Parley account uses that phone number.',
  session_revoked: 'This browser was signed out.',
  invalid_token: 'Your sign-in has expired. Sign in again.',
  unauthorized: 'Sign in first.',
  qr_expired: 'That code has expired. Ask for a new one.',
  qr_used: 'That code was already used.',
  qr_not_found: 'That is not a Parley link code.',
  qr_already_scanned: 'Another account already scanned that code.',
  qr_not_scanned: 'Check the code first, then approve it.',
  invalid_secret: 'This link request belongs to another browser.',
  conversation_not_found: 'That conversation does not exist or you are no longer in it.',
  text_too_long: 'That message is too long (4000 characters at most).',
  empty_message: 'Write something first.',
  not_sender: 'Only the sender can change that message.',
  message_deleted: 'That message was deleted.',
  client_id_reused: 'That message conflicts with one already sent.',
  send_in_progress: 'Still sending; trying again.',
  file_too_large: 'That file is too large.',
  unsupported_type:
    'That kind of file cannot be sent. Images, PDF, MP4 video, MP3 or OGG audio and plain text can.',
  type_mismatch: 'The file is not what its name says it is.',
  size_mismatch: 'The file changed while it was uploading. Try again.',
  invalid_filename: 'That file name cannot be used.',
  upload_expired: 'The upload took too long. Try again.',
  attachment_not_ready: 'An attachment has not finished uploading.',
  too_many_streams: 'Too many open Parley tabs. Close one and reload.',
  session_not_found: 'That device is already unlinked.',
  validation_failed: 'Some of that was not accepted.',
  internal_error: 'Something went wrong on the server. Try again.',
};

/** The error in words for people; the code stays in the ApiError for code to switch on. */
export function describe(err) {
  if (!(err instanceof ApiError)) return 'Something went wrong: ' + (err && err.message);
  let text = WORDS[err.code];
  if ((err.code === 'too_many_attempts' || err.code === 'rate_limited') && err.retryAfter) {
    text += ' Try again in ' + minutes(err.retryAfter) + '.';
  } else if (err.code === 'validation_failed' && err.message) {
    text += ' (' + err.message + ')';
  } else if (err.code === 'file_too_large' && err.details && err.details.maxBytes) {
    text += ' The limit is ' + formatSize(err.details.maxBytes) + '.';
  }
  return text || err.message || 'Something went wrong (' + err.code + ').';
}

export function formatSize(bytes) {
  if (bytes < 1024) return bytes + ' B';
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + ' KB';
  return (bytes / (1024 * 1024)).toFixed(1) + ' MB';
}
