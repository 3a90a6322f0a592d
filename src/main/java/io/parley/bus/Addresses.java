package io.parley.bus;

import io.parley.config.Role;

/**
 * Every event-bus address, named by owner and verb. docs/event-bus.md lists each with its request,
 * reply and failures; keep the two in step.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * The role whose verticle serves a request address (by its owner prefix); null for addresses that
   * are published, not requested.
   */
  public static Role servedBy(String address) {
    if (address.startsWith("parley.auth.")
        || address.startsWith("parley.sessions.")
        || address.startsWith("parley.users.")
        || address.startsWith("parley.qr.")
        || address.startsWith("parley.sse.ticket.")) {
      return Role.AUTH;
    }
    if (address.startsWith("parley.uploads.")) {
      return Role.UPLOADS;
    }
    if (address.startsWith("parley.persistence.")
        || address.startsWith("parley.conversations.")
        || address.startsWith("parley.messages.")
        || address.startsWith("parley.receipts.")
        || address.startsWith("parley.typing.")
        || address.startsWith("parley.attachments.")
        || address.startsWith("parley.events.")) {
      return Role.PERSISTENCE;
    }
    return null;
  }

  // --- health: request {} -> HealthReport ---------------------------------------------------
  /** The persistence verticle pings MongoDB. */
  public static final String PERSISTENCE_HEALTH = "parley.persistence.health";

  /** The auth verticle pings MongoDB. */
  public static final String AUTH_HEALTH = "parley.auth.health";

  /** The uploads verticle checks its blob store. */
  public static final String UPLOADS_HEALTH = "parley.uploads.health";

  // --- auth: accounts and sessions (AuthApi payloads) ----------------------------------------
  /** {@code Register} → {@code Grant}. */
  public static final String AUTH_REGISTER = "parley.auth.register";

  /** {@code Login} → {@code Grant}. */
  public static final String AUTH_LOGIN = "parley.auth.login";

  /** {@code Caller} → {} after revoking the caller's session. */
  public static final String AUTH_LOGOUT = "parley.auth.logout";

  /** {@code Caller} → {} after revoking every session of the caller's user. */
  public static final String AUTH_LOGOUT_ALL = "parley.auth.logout-all";

  /** {@code Caller} → {@code {sessions: [Session + current]}}. */
  public static final String SESSIONS_LIST = "parley.sessions.list";

  /** {@code RevokeSession} → {}. */
  public static final String SESSIONS_REVOKE = "parley.sessions.revoke";

  /**
   * {@code SessionCheck} → {@code {active: boolean, foreign?: true}} ({@code foreign} when the
   * session exists but is another user's); the HTTP edge asks on a cache miss.
   */
  public static final String SESSIONS_CHECK = "parley.sessions.check";

  /** Published after sessions are revoked; body {@code SessionsRevoked}. */
  public static final String SESSIONS_REVOKED = "parley.sessions.revoked";

  /** {@code Caller} → {@code User}. */
  public static final String USERS_ME = "parley.users.me";

  /** {@code UpdateUser} → {@code User}. */
  public static final String USERS_UPDATE = "parley.users.update";

  /** {@code Lookup} → {@code User}. */
  public static final String USERS_LOOKUP = "parley.users.lookup";

  /** {@code ResolveUsers} → {@code Users}: the users among the ids that exist. */
  public static final String USERS_RESOLVE = "parley.users.resolve";

  // --- auth: QR device link ------------------------------------------------------------------
  /** {@code Client} → {@code QrCreated}. */
  public static final String QR_CREATE = "parley.qr.create";

  /** {@code QrPoll} → {@code {svg}}: the QR code image, for the holder of the requester secret. */
  public static final String QR_IMAGE = "parley.qr.image";

  /** {@code QrAction} → {@code QrRequester}. */
  public static final String QR_SCAN = "parley.qr.scan";

  /** {@code QrAction} → {}. */
  public static final String QR_APPROVE = "parley.qr.approve";

  /** {@code QrPoll} → {@code QrStatus}. */
  public static final String QR_POLL = "parley.qr.poll";

  /** Published when a challenge changes; body {@code QrUpdated}. */
  public static final String QR_UPDATED = "parley.qr.updated";

  // --- persistence: conversations, messages, receipts (ChatApi payloads) --------------------
  /** {@code CreateConversation} → {@code {conversation, created}}. */
  public static final String CONVERSATIONS_CREATE = "parley.conversations.create";

  /** {@code ListConversations} → {@code {conversations, nextCursor}}. */
  public static final String CONVERSATIONS_LIST = "parley.conversations.list";

  /** {@code ConversationRef} → {@code {conversation}}. */
  public static final String CONVERSATIONS_GET = "parley.conversations.get";

  /** {@code UpdateConversation} → {@code {conversation}}. */
  public static final String CONVERSATIONS_UPDATE = "parley.conversations.update";

  /** {@code ConversationRef} → {}. */
  public static final String CONVERSATIONS_ARCHIVE = "parley.conversations.archive";

  /** {@code ConversationRef} → {}. */
  public static final String CONVERSATIONS_UNARCHIVE = "parley.conversations.unarchive";

  /** {@code AddMembers} → {@code {conversation}}. */
  public static final String CONVERSATIONS_ADD_MEMBERS = "parley.conversations.add-members";

  /** {@code RemoveMember} → {}. */
  public static final String CONVERSATIONS_REMOVE_MEMBER = "parley.conversations.remove-member";

  /** {@code SendMessage} → {@code {message, created}}. */
  public static final String MESSAGES_SEND = "parley.messages.send";

  /** {@code History} → {@code {messages, hasMore}}. */
  public static final String MESSAGES_HISTORY = "parley.messages.history";

  /** {@code EditMessage} → {@code {message}}. */
  public static final String MESSAGES_EDIT = "parley.messages.edit";

  /** {@code MessageRef} → {}. */
  public static final String MESSAGES_DELETE = "parley.messages.delete";

  /** {@code MarkReceipt} → {}. */
  public static final String RECEIPTS_MARK = "parley.receipts.mark";

  /** {@code ConversationRef} → {} after publishing an ephemeral typing event. */
  public static final String TYPING_NOTIFY = "parley.typing.notify";

  /**
   * {@code ConversationRef} → {@code {conversationId, member: true}}; fails 1404 {@code
   * conversation_not_found} when the caller is not a member (or the id names nothing). Other
   * verticles (uploads) ask it before acting on a conversation's behalf.
   */
  public static final String CONVERSATIONS_MEMBERSHIP = "parley.conversations.membership";

  /**
   * {@code AttachmentAccess} → {}: the caller is a member and a message of the conversation that is
   * not deleted carries the upload; else 1404. The uploads verticle asks before serving an upload
   * to anyone but its uploader.
   */
  public static final String ATTACHMENTS_ACCESS = "parley.attachments.access";

  /**
   * {@code UploadIds} → {@code UploadIds}: those of the given uploads that a message not deleted
   * carries; asked by the uploads verticle before removing uploads it believes unsent.
   */
  public static final String ATTACHMENTS_REFERENCED = "parley.attachments.referenced";

  // --- uploads: attachments (UploadsApi payloads) --------------------------------------------
  /** {@code CreateUpload} → {@code {uploadId, method, url, headers, expiresAt}}. */
  public static final String UPLOADS_CREATE = "parley.uploads.create";

  /** {@code UploadRef} → {@code {upload}} once the stored bytes passed the size and type checks. */
  public static final String UPLOADS_COMPLETE = "parley.uploads.complete";

  /**
   * {@code UploadRef} → {@code Download}: where a conversation member gets the bytes (a presigned
   * URL, or a local file the HTTP layer streams).
   */
  public static final String UPLOADS_DOWNLOAD = "parley.uploads.download";

  /**
   * Local mode: {@code ContentTarget {uploadId, token}} → {@code {path, size, contentType}}, the
   * file the HTTP layer streams a PUT's body into, after checking the upload token.
   */
  public static final String UPLOADS_CONTENT_TARGET = "parley.uploads.content-target";

  /**
   * {@code ResolveAttachments} → {@code {attachments: [{uploadId, filename, contentType, size}]}}:
   * the sender's own ready uploads of that conversation; asked by persistence before storing a
   * message.
   */
  public static final String UPLOADS_RESOLVE = "parley.uploads.resolve";

  /** {@code UploadIds} → {}: these uploads went out in a stored message (kept, not swept). */
  public static final String UPLOADS_SENT = "parley.uploads.sent";

  /**
   * {@code DiscardUploads} → {}: the owner's uploads whose message was deleted for everyone:
   * unreadable from now on, bytes deleted from storage.
   */
  public static final String UPLOADS_DISCARD = "parley.uploads.discard";

  // --- real time -----------------------------------------------------------------------------
  /** Published (never sent) by writers after each committed change; body {@link ChatEvent}. */
  public static final String EVENTS = "parley.events";

  /**
   * Published on a node's own bus only (never clustered) when its event feed may have missed
   * events; body {@link FeedGap}. SSE hubs repair their open streams, session caches re-check.
   */
  public static final String FEED_GAP = "parley.feed.gap";

  /** Request, auth: a single-use stream ticket for the caller's session. */
  public static final String SSE_TICKET_CREATE = "parley.sse.ticket.create";

  /** Request, auth: redeems a stream ticket (once) for the user and session it was made for. */
  public static final String SSE_TICKET_REDEEM = "parley.sse.ticket.redeem";

  /**
   * Request, persistence: the stored events a user missed since a resume cursor; {@code Replay} →
   * {@code {events: [{id, frame, conversationId, seq}], truncated}} ({@code seq} 0 but for {@code
   * message.created}).
   */
  public static final String EVENTS_REPLAY = "parley.events.replay";

  /** Request, persistence: {@code MissedEvents}, what a hub's feed lacks of one conversation. */
  public static final String EVENTS_MISSED = "parley.events.missed";

  /** Request, persistence: {@code ActiveConversations}, for the hubs' periodic gap check. */
  public static final String EVENTS_ACTIVE = "parley.events.active";
}
