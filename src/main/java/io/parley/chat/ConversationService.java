package io.parley.chat;

import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.ApiException;
import io.parley.bus.AuthApi.ResolveUsers;
import io.parley.bus.AuthApi.Users;
import io.parley.bus.BusClient;
import io.parley.bus.ChatApi.AddMembers;
import io.parley.bus.ChatApi.ConversationRef;
import io.parley.bus.ChatApi.CreateConversation;
import io.parley.bus.ChatApi.ListConversations;
import io.parley.bus.ChatApi.RemoveMember;
import io.parley.bus.ChatApi.UpdateConversation;
import io.parley.bus.Failure;
import io.parley.bus.Ids;
import io.parley.chat.ConversationRepository.Cursor;
import io.parley.ratelimit.RateLimiter;
import io.parley.ratelimit.RateLimiter.Limit;
import io.parley.security.DisplayText;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Direct and group conversations: creation, listing, membership, archive. */
final class ConversationService {
  static final int MAX_MEMBERS = 1000;
  static final int MAX_TITLE = 100;
  static final int MAX_PAGE = 100;
  private static final String TITLE_RULE =
      "title must be 1 to "
          + MAX_TITLE
          + " visible characters (no control, invisible or direction-changing ones)";

  private final BusClient bus;
  private final ConversationRepository conversations;
  private final MessageRepository messages;
  private final EventPublisher events;
  private final RateLimiter limiter;
  private final Limit creations;
  private final Clock clock;

  ConversationService(
      BusClient bus,
      ConversationRepository conversations,
      MessageRepository messages,
      EventPublisher events,
      RateLimiter limiter,
      long creationsPerHour,
      Clock clock) {
    this.bus = bus;
    this.conversations = conversations;
    this.messages = messages;
    this.events = events;
    this.limiter = limiter;
    this.creations = new Limit("conversation-create", creationsPerHour, Duration.ofHours(1));
    this.clock = clock;
  }

  /**
   * Counts a creation before it happens: each new conversation lands in every member's list, so one
   * user must not be able to flood others' lists.
   */
  private Future<Void> allowCreation(String userId) {
    return limiter.require(creations, userId, "Too many conversations created; try again later");
  }

  Future<JsonObject> create(CreateConversation c) {
    String me = c.caller().userId();
    Set<String> others = new LinkedHashSet<>();
    for (String id : c.memberIds()) {
      if (!Ids.valid(id)) {
        throw ApiException.invalid("memberIds", "memberIds must be user ids");
      }
      if (!id.equals(me)) {
        others.add(id);
      }
    }
    String title = c.title() == null ? null : c.title().strip();
    boolean direct = "direct".equals(c.type());
    if (!direct && !"group".equals(c.type())) {
      throw ApiException.invalid("type", "type must be direct or group");
    }
    if (direct && others.size() != 1) {
      throw ApiException.invalid("memberIds", "a direct conversation has exactly one other member");
    }
    if (direct && title != null) {
      throw ApiException.invalid("title", "a direct conversation has no title");
    }
    if (others.size() + 1 > MAX_MEMBERS) {
      throw ApiException.invalid(
          "memberIds", "a conversation has at most " + MAX_MEMBERS + " members");
    }
    if (title != null && !validTitle(title)) {
      throw ApiException.invalid("title", TITLE_RULE);
    }
    List<String> members = new ArrayList<>();
    members.add(me);
    members.addAll(others);
    return requireUsers(new ArrayList<>(others))
        .compose(
            v ->
                direct
                    ? createDirect(me, others.iterator().next())
                    : createGroup(me, members, title));
  }

  private Future<JsonObject> createDirect(String me, String other) {
    String key = me.compareTo(other) < 0 ? me + ":" + other : other + ":" + me;
    return conversations
        .findByDirectKey(key)
        .compose(
            existing -> {
              if (existing != null) {
                return Future.succeededFuture(reply(existing, me, false));
              }
              Conversation c =
                  ConversationRepository.newConversation(
                      "direct", List.of(me, other), List.of(), null, me, key, clock.instant());
              return allowCreation(me)
                  .compose(v -> conversations.insert(c))
                  .compose(
                      stored ->
                          stored
                              ? Future.succeededFuture(created(c, me))
                              // created concurrently by the other member: it is the same
                              // conversation
                              : conversations.findByDirectKey(key).map(d -> reply(d, me, false)));
            });
  }

  private Future<JsonObject> createGroup(String me, List<String> members, String title) {
    Conversation c =
        ConversationRepository.newConversation(
            "group", members, List.of(me), title, me, null, clock.instant());
    return allowCreation(me).compose(v -> conversations.insert(c)).map(stored -> created(c, me));
  }

  /** Tells the members of a conversation just stored; the creator's reply. */
  private JsonObject created(Conversation c, String me) {
    events.conversation(
        "conversation.created", c.members(), Views.conversation(c), 1L, c.createdAt());
    return reply(c, me, true);
  }

  private static JsonObject reply(Conversation c, String me, boolean created) {
    return new JsonObject()
        .put("conversation", Views.conversationFor(c, me, null))
        .put("created", created);
  }

  Future<JsonObject> list(ListConversations l) {
    String me = l.caller().userId();
    int limit = l.limit();
    if (limit < 1 || limit > MAX_PAGE) {
      throw ApiException.invalid("limit", "limit must be 1 to " + MAX_PAGE);
    }
    Cursor cursor = null;
    if (l.cursor() != null && !l.cursor().isEmpty()) {
      cursor = Cursor.decode(l.cursor());
      if (cursor == null) {
        throw new ApiException(
            Failure.BAD_REQUEST, "invalid_cursor", "cursor is not one this server issued");
      }
    }
    return conversations
        .listForMember(me, l.archived(), cursor, limit + 1)
        .compose(
            docs -> {
              boolean more = docs.size() > limit;
              List<Conversation> page = more ? docs.subList(0, limit) : docs;
              List<Future<JsonObject>> views = new ArrayList<>();
              for (Conversation d : page) {
                views.add(withLastMessage(d, me));
              }
              return Future.all(views)
                  .map(
                      all -> {
                        JsonArray out = new JsonArray();
                        for (int i = 0; i < page.size(); i++) {
                          out.add(all.resultAt(i));
                        }
                        String next = null;
                        if (more) {
                          Conversation last = page.get(page.size() - 1);
                          next =
                              new Cursor(last.lastMessageAt().toEpochMilli(), last.id()).encode();
                        }
                        return new JsonObject().put("conversations", out).put("nextCursor", next);
                      });
            });
  }

  private Future<JsonObject> withLastMessage(Conversation conv, String me) {
    Future<Message> last =
        conv.lastSeq() == 0
            ? Future.succeededFuture(null)
            : messages.latest(conv.id(), conv.lastSeq());
    return last.map(m -> Views.conversationFor(conv, me, m));
  }

  Future<JsonObject> get(ConversationRef r) {
    return member(r.conversationId(), r.caller().userId())
        .compose(d -> withLastMessage(d, r.caller().userId()))
        .map(v -> new JsonObject().put("conversation", v));
  }

  Future<JsonObject> setArchived(ConversationRef r, boolean archived) {
    return conversations
        .setArchived(r.conversationId(), r.caller().userId(), archived)
        .compose(
            found ->
                found ? Future.succeededFuture(new JsonObject()) : Future.failedFuture(notFound()));
  }

  Future<JsonObject> update(UpdateConversation u) {
    String me = u.caller().userId();
    String title = u.title() == null ? "" : u.title().strip();
    if (!validTitle(title)) {
      throw ApiException.invalid("title", TITLE_RULE);
    }
    return adminOfGroup(u.conversationId(), me)
        .compose(c -> conversations.updateTitle(u.conversationId(), me, title, clock.instant()))
        .compose(d -> d == null ? Future.failedFuture(notAdmin()) : Future.succeededFuture(d))
        .map(d -> changed(d, me));
  }

  Future<JsonObject> addMembers(AddMembers a) {
    String me = a.caller().userId();
    List<String> ids = a.userIds().stream().distinct().toList();
    if (ids.isEmpty() || ids.stream().anyMatch(id -> !Ids.valid(id))) {
      throw ApiException.invalid("userIds", "userIds must be a non-empty list of user ids");
    }
    return adminOfGroup(a.conversationId(), me)
        .compose(
            c -> {
              Set<String> all = new LinkedHashSet<>(c.members());
              all.addAll(ids);
              if (all.size() > MAX_MEMBERS) {
                return Future.failedFuture(
                    ApiException.invalid(
                        "userIds", "a conversation has at most " + MAX_MEMBERS + " members"));
              }
              return requireUsers(ids);
            })
        .compose(v -> conversations.addMembers(a.conversationId(), me, ids, clock.instant()))
        .compose(d -> d == null ? Future.failedFuture(notAdmin()) : Future.succeededFuture(d))
        .map(d -> changed(d, me));
  }

  /** An admin removes a member, or a member leaves (removes themself). */
  Future<JsonObject> removeMember(RemoveMember r) {
    String me = r.caller().userId();
    String target = r.userId();
    return member(r.conversationId(), me)
        .compose(
            c -> {
              if (!c.isGroup()) {
                return Future.failedFuture(notAGroup());
              }
              boolean admin = c.admins().contains(me);
              if (!me.equals(target) && !admin) {
                return Future.failedFuture(notAdmin());
              }
              if (!Ids.valid(target) || !c.members().contains(target)) {
                return Future.failedFuture(
                    new ApiException(
                        Failure.NOT_FOUND, "member_not_found", "That user is not a member"));
              }
              Instant now = clock.instant();
              return conversations
                  .removeMember(r.conversationId(), target, now)
                  .compose(
                      before -> {
                        if (before == null) {
                          return Future.failedFuture(
                              new ApiException(
                                  Failure.NOT_FOUND,
                                  "member_not_found",
                                  "That user is not a member"));
                        }
                        return conversations.ensureAdmin(r.conversationId());
                      })
                  .map(
                      after -> {
                        events.conversation(
                            "conversation.updated",
                            after.members(),
                            Views.conversation(after),
                            after.version(),
                            after.updatedAt());
                        events.removed(target, r.conversationId(), now);
                        return new JsonObject();
                      });
            });
  }

  /** Tells the members of a changed conversation; the caller's reply. */
  private JsonObject changed(Conversation c, String me) {
    events.conversation(
        "conversation.updated", c.members(), Views.conversation(c), c.version(), c.updatedAt());
    return new JsonObject().put("conversation", Views.conversationFor(c, me, null));
  }

  /** For other verticles: {@code {conversationId, member: true}}, or 404 for a non-member. */
  Future<JsonObject> membership(ConversationRef r) {
    return member(r.conversationId(), r.caller().userId())
        .map(c -> new JsonObject().put("conversationId", r.conversationId()).put("member", true));
  }

  /** The conversation, if the user is a member; else 404 (no hint that it exists). */
  Future<Conversation> member(String conversationId, String userId) {
    return conversations
        .findForMember(conversationId, userId)
        .compose(d -> d == null ? Future.failedFuture(notFound()) : Future.succeededFuture(d));
  }

  private Future<Conversation> adminOfGroup(String conversationId, String userId) {
    return member(conversationId, userId)
        .compose(
            c -> {
              if (!c.isGroup()) {
                return Future.failedFuture(notAGroup());
              }
              if (!c.admins().contains(userId)) {
                return Future.failedFuture(notAdmin());
              }
              return Future.succeededFuture(c);
            });
  }

  /** Every id names an existing user (asked of the auth verticle, which owns users). */
  private Future<Void> requireUsers(List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return bus.request(Addresses.USERS_RESOLVE, new ResolveUsers(ids).toJson())
        .compose(
            reply -> {
              Set<String> found = new java.util.HashSet<>();
              Users.fromJson(reply).users().forEach(u -> found.add(u.id()));
              List<String> missing = ids.stream().filter(id -> !found.contains(id)).toList();
              if (missing.isEmpty()) {
                return Future.succeededFuture();
              }
              return Future.failedFuture(
                  new ApiException(
                      ApiError.of(
                              Failure.NOT_FOUND,
                              "user_not_found",
                              "No such user: " + String.join(", ", missing))
                          .withDetails(new JsonObject().put("userIds", new JsonArray(missing)))));
            });
  }

  /** A stripped title: 1 to 100 visible characters (no control, invisible or bidi ones). */
  private static boolean validTitle(String title) {
    return !title.isEmpty() && title.length() <= MAX_TITLE && !DisplayText.deceptive(title);
  }

  static ApiException notFound() {
    return new ApiException(Failure.NOT_FOUND, "conversation_not_found", "No such conversation");
  }

  private static ApiException notAdmin() {
    return new ApiException(Failure.FORBIDDEN, "not_admin", "Only the group's admins can do that");
  }

  private static ApiException notAGroup() {
    return new ApiException(
        Failure.BAD_REQUEST, "not_a_group", "Direct conversations have fixed members");
  }
}
