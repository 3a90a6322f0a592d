package io.parley.persistence;

import io.parley.NodeContext;
import io.parley.bus.Addresses;
import io.parley.bus.BusClient;
import io.parley.bus.BusService;
import io.parley.bus.ChatApi.ActiveConversations;
import io.parley.bus.ChatApi.AddMembers;
import io.parley.bus.ChatApi.ConversationRef;
import io.parley.bus.ChatApi.CreateConversation;
import io.parley.bus.ChatApi.EditMessage;
import io.parley.bus.ChatApi.History;
import io.parley.bus.ChatApi.ListConversations;
import io.parley.bus.ChatApi.MarkReceipt;
import io.parley.bus.ChatApi.MessageRef;
import io.parley.bus.ChatApi.MissedEvents;
import io.parley.bus.ChatApi.RemoveMember;
import io.parley.bus.ChatApi.Replay;
import io.parley.bus.ChatApi.SendMessage;
import io.parley.bus.ChatApi.UpdateConversation;
import io.parley.bus.HealthReport;
import io.parley.bus.UploadsApi.AttachmentAccess;
import io.parley.bus.UploadsApi.UploadIds;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owns MongoDB's conversations and messages; publishes an event after each committed write. */
public final class PersistenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);

  /**
   * The indexes of docs/data-model.md, among them the direct-pair key that makes a direct
   * conversation unique, and the {@code updatedAt} indexes that resume (replay since a time) reads
   * by.
   */
  static final List<Index> INDEXES =
      List.of(
          Index.of("conversations", new JsonObject().put("members", 1).put("lastMessageAt", -1)),
          Index.of("conversations", new JsonObject().put("members", 1).put("archivedBy", 1)),
          Index.of("conversations", new JsonObject().put("lastMessageAt", -1)),
          Index.of("conversations", new JsonObject().put("members", 1).put("updatedAt", 1)),
          Index.of("conversations", new JsonObject().put("removed.userId", 1)),
          new Index(
              "conversations",
              new JsonObject().put("directKey", 1),
              new IndexOptions().unique(true).sparse(true)),
          Index.of("messages", new JsonObject().put("conversationId", 1).put("createdAt", -1)),
          Index.unique("messages", new JsonObject().put("conversationId", 1).put("seq", 1)),
          Index.of("messages", new JsonObject().put("senderId", 1).put("createdAt", -1)),
          Index.of("messages", new JsonObject().put("deliveredTo", 1)),
          Index.of("messages", new JsonObject().put("readBy", 1)),
          Index.of("messages", new JsonObject().put("conversationId", 1).put("updatedAt", 1)),
          Index.unique("messages", new JsonObject().put("senderId", 1).put("clientId", 1)),
          // who may read an attachment: the messages that carry it
          Index.of(
              "messages",
              new JsonObject().put("attachments.uploadId", 1).put("conversationId", 1)));

  private final NodeContext ctx;
  private MongoClient mongo;
  private long cleanupTimer = -1;

  public PersistenceVerticle(NodeContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Future<?> start() {
    mongo = MongoSupport.client(vertx, ctx);
    // MongoDB keeps milliseconds: replies made from the clock match what is read back later
    Clock clock = Clock.tickMillis(java.time.ZoneOffset.UTC);
    ConversationRepository conversations = new ConversationRepository(mongo);
    MessageRepository messages = new MessageRepository(mongo);
    EventPublisher events = new EventPublisher(vertx, ctx.relay());
    BusClient bus = ctx.busClient(vertx);
    ReplayService replay = new ReplayService(conversations, messages);
    ConversationService convs =
        new ConversationService(
            bus,
            conversations,
            messages,
            events,
            ctx.rateLimiter(),
            ctx.config().rateLimit().conversationsPerHour(),
            clock);
    MessageService msgs =
        new MessageService(
            vertx,
            convs,
            conversations,
            messages,
            new Attachments(bus),
            events,
            ctx.rateLimiter(),
            clock);

    List<Future<?>> consumers = new ArrayList<>();
    serve(consumers, Addresses.PERSISTENCE_HEALTH, req -> health());
    serve(
        consumers,
        Addresses.CONVERSATIONS_CREATE,
        req -> convs.create(CreateConversation.fromJson(req)));
    serve(
        consumers,
        Addresses.CONVERSATIONS_LIST,
        req -> convs.list(ListConversations.fromJson(req)));
    serve(consumers, Addresses.CONVERSATIONS_GET, req -> convs.get(ConversationRef.fromJson(req)));
    serve(
        consumers,
        Addresses.CONVERSATIONS_UPDATE,
        req -> convs.update(UpdateConversation.fromJson(req)));
    serve(
        consumers,
        Addresses.CONVERSATIONS_ARCHIVE,
        req -> convs.setArchived(ConversationRef.fromJson(req), true));
    serve(
        consumers,
        Addresses.CONVERSATIONS_UNARCHIVE,
        req -> convs.setArchived(ConversationRef.fromJson(req), false));
    serve(
        consumers,
        Addresses.CONVERSATIONS_ADD_MEMBERS,
        req -> convs.addMembers(AddMembers.fromJson(req)));
    serve(
        consumers,
        Addresses.CONVERSATIONS_REMOVE_MEMBER,
        req -> convs.removeMember(RemoveMember.fromJson(req)));
    serve(
        consumers,
        Addresses.CONVERSATIONS_MEMBERSHIP,
        req -> convs.membership(ConversationRef.fromJson(req)));
    serve(consumers, Addresses.MESSAGES_SEND, req -> msgs.send(SendMessage.fromJson(req)));
    serve(consumers, Addresses.MESSAGES_HISTORY, req -> msgs.history(History.fromJson(req)));
    serve(consumers, Addresses.MESSAGES_EDIT, req -> msgs.edit(EditMessage.fromJson(req)));
    serve(consumers, Addresses.MESSAGES_DELETE, req -> msgs.delete(MessageRef.fromJson(req)));
    serve(consumers, Addresses.RECEIPTS_MARK, req -> msgs.receipt(MarkReceipt.fromJson(req)));
    serve(consumers, Addresses.TYPING_NOTIFY, req -> msgs.typing(ConversationRef.fromJson(req)));
    serve(consumers, Addresses.EVENTS_REPLAY, req -> replay.replay(Replay.fromJson(req)));
    serve(consumers, Addresses.EVENTS_MISSED, req -> replay.missed(MissedEvents.fromJson(req)));
    serve(
        consumers,
        Addresses.EVENTS_ACTIVE,
        req -> replay.active(ActiveConversations.fromJson(req)));
    serve(
        consumers,
        Addresses.ATTACHMENTS_ACCESS,
        req -> msgs.attachmentAccess(AttachmentAccess.fromJson(req)));
    serve(
        consumers,
        Addresses.ATTACHMENTS_REFERENCED,
        req -> msgs.referenced(UploadIds.fromJson(req)));

    return MongoSupport.ensureIndexes(mongo, INDEXES).compose(v -> Future.all(consumers));
  }

  private void serve(
      List<Future<?>> consumers, String address, Function<JsonObject, Future<?>> handler) {
    consumers.add(BusService.serve(vertx, address, handler));
  }

  private Future<JsonObject> health() {
    return MongoSupport.ping(mongo)
        .map(d -> new HealthReport(true, ctx.nodeId(), d).toJson())
        .otherwise(err -> MongoSupport.unhealthy(ctx, err).toJson());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(cleanupTimer);
    return mongo == null ? Future.succeededFuture() : mongo.close();
  }
}
