package io.parley.chat;

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
import io.parley.bus.UploadsApi.AttachmentAccess;
import io.parley.bus.UploadsApi.UploadIds;
import io.parley.mongo.DatabaseVerticle;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.vertx.core.Future;
import io.vertx.ext.mongo.MongoClient;
import java.time.Clock;
import java.util.List;

/** Owns MongoDB's conversations and messages; publishes an event after each committed write. */
public final class PersistenceVerticle extends DatabaseVerticle {
  public PersistenceVerticle(NodeContext ctx) {
    super(ctx);
  }

  @Override
  protected Future<?> serve(MongoClient mongo) {
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

    BusService.Registrations served = BusService.registrations(vertx);
    served.serve(Addresses.PERSISTENCE_HEALTH, req -> databaseHealth());
    served.serve(
        Addresses.CONVERSATIONS_CREATE, req -> convs.create(CreateConversation.fromJson(req)));
    served.serve(Addresses.CONVERSATIONS_LIST, req -> convs.list(ListConversations.fromJson(req)));
    served.serve(Addresses.CONVERSATIONS_GET, req -> convs.get(ConversationRef.fromJson(req)));
    served.serve(
        Addresses.CONVERSATIONS_UPDATE, req -> convs.update(UpdateConversation.fromJson(req)));
    served.serve(
        Addresses.CONVERSATIONS_ARCHIVE,
        req -> convs.setArchived(ConversationRef.fromJson(req), true));
    served.serve(
        Addresses.CONVERSATIONS_UNARCHIVE,
        req -> convs.setArchived(ConversationRef.fromJson(req), false));
    served.serve(
        Addresses.CONVERSATIONS_ADD_MEMBERS, req -> convs.addMembers(AddMembers.fromJson(req)));
    served.serve(
        Addresses.CONVERSATIONS_REMOVE_MEMBER,
        req -> convs.removeMember(RemoveMember.fromJson(req)));
    served.serve(
        Addresses.CONVERSATIONS_MEMBERSHIP, req -> convs.membership(ConversationRef.fromJson(req)));
    served.serve(Addresses.MESSAGES_SEND, req -> msgs.send(SendMessage.fromJson(req)));
    served.serve(Addresses.MESSAGES_HISTORY, req -> msgs.history(History.fromJson(req)));
    served.serve(Addresses.MESSAGES_EDIT, req -> msgs.edit(EditMessage.fromJson(req)));
    served.serve(Addresses.MESSAGES_DELETE, req -> msgs.delete(MessageRef.fromJson(req)));
    served.serve(Addresses.RECEIPTS_MARK, req -> msgs.receipt(MarkReceipt.fromJson(req)));
    served.serve(Addresses.TYPING_NOTIFY, req -> msgs.typing(ConversationRef.fromJson(req)));
    served.serve(Addresses.EVENTS_REPLAY, req -> replay.replay(Replay.fromJson(req)));
    served.serve(Addresses.EVENTS_MISSED, req -> replay.missed(MissedEvents.fromJson(req)));
    served.serve(Addresses.EVENTS_ACTIVE, req -> replay.active(ActiveConversations.fromJson(req)));
    served.serve(
        Addresses.ATTACHMENTS_ACCESS, req -> msgs.attachmentAccess(AttachmentAccess.fromJson(req)));
    served.serve(Addresses.ATTACHMENTS_REFERENCED, req -> msgs.referenced(UploadIds.fromJson(req)));

    List<Index> indexes = new java.util.ArrayList<>(ConversationRepository.INDEXES);
    indexes.addAll(MessageRepository.INDEXES);
    List<MongoSupport.RetiredIndex> retired =
        new java.util.ArrayList<>(ConversationRepository.RETIRED_INDEXES);
    retired.addAll(MessageRepository.RETIRED_INDEXES);
    return MongoSupport.ensureIndexes(mongo, indexes, retired).compose(v -> served.completion());
  }
}
