package io.parley.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.bus.AuthApi.Caller;
import io.parley.bus.AuthApi.Client;
import io.parley.bus.AuthApi.Grant;
import io.parley.bus.AuthApi.Session;
import io.parley.bus.AuthApi.User;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bus record that maps itself both ways comes back equal from {@code toJson} → the bytes a
 * clustered bus carries → {@code fromJson}.
 */
class BusRecordsRoundTripTest {
  private static final Caller CALLER = new Caller("u1", "s1");
  private static final Instant AT = Instant.parse("2026-12-03T10:15:30.123Z");
  private static final User USER = new User("u1", "+14155550100", "Ann");
  private static final Session SESSION =
      new Session("s1", "Phone", "Firefox on Linux", AT, AT.plusSeconds(60));
  private static final Grant GRANT = new Grant("jwt", AT.plusSeconds(3600), USER, SESSION);

  /** One record value with its two mappings; named by its type in the test report. */
  record Case<T>(T value, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    Object roundTrip() {
      return fromJson.apply(new JsonObject(toJson.apply(value).toBuffer()));
    }

    @Override
    public String toString() {
      return value.getClass().getSimpleName();
    }
  }

  private static <T> Case<T> of(
      T value, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    return new Case<>(value, toJson, fromJson);
  }

  static Stream<Case<?>> cases() {
    Client client = new Client("203.0.113.7", "Firefox on Linux");
    return Stream.of(
        // AuthApi
        of(client, Client::toJson, Client::fromJson),
        of(
            new AuthApi.Register("+14155550100", "Ann", "pw", "Phone", client),
            AuthApi.Register::toJson,
            AuthApi.Register::fromJson),
        of(
            new AuthApi.Login("+14155550100", "pw", "Laptop", client),
            AuthApi.Login::toJson,
            AuthApi.Login::fromJson),
        of(CALLER, Caller::toJson, Caller::fromJson),
        of(USER, User::toJson, User::fromJson),
        of(
            new AuthApi.ResolveUsers(List.of("u1", "u2")),
            AuthApi.ResolveUsers::toJson,
            AuthApi.ResolveUsers::fromJson),
        of(
            new AuthApi.Users(List.of(USER, new User("u2", "+14155550101", "Bob"))),
            AuthApi.Users::toJson,
            AuthApi.Users::fromJson),
        of(SESSION, Session::toJson, Session::fromJson),
        of(GRANT, Grant::toJson, Grant::fromJson),
        of(
            new AuthApi.SessionCheck("u1", "s1"),
            AuthApi.SessionCheck::toJson,
            AuthApi.SessionCheck::fromJson),
        of(
            new AuthApi.SessionsRevoked("u1", List.of("s1", "s2")),
            AuthApi.SessionsRevoked::toJson,
            AuthApi.SessionsRevoked::fromJson),
        of(
            new AuthApi.RevokeSession(CALLER, "s2"),
            AuthApi.RevokeSession::toJson,
            AuthApi.RevokeSession::fromJson),
        of(
            new AuthApi.UpdateUser(CALLER, "Annie"),
            AuthApi.UpdateUser::toJson,
            AuthApi.UpdateUser::fromJson),
        of(
            new AuthApi.Lookup(CALLER, "+14155550101"),
            AuthApi.Lookup::toJson,
            AuthApi.Lookup::fromJson),
        of(
            new AuthApi.QrCreated("c1", "parley:qr:abc", "secret", AT),
            AuthApi.QrCreated::toJson,
            AuthApi.QrCreated::fromJson),
        of(
            new AuthApi.QrAction(CALLER, "parley:qr:abc", "Laptop"),
            AuthApi.QrAction::toJson,
            AuthApi.QrAction::fromJson),
        of(new AuthApi.QrPoll("c1", "secret"), AuthApi.QrPoll::toJson, AuthApi.QrPoll::fromJson),
        of(
            new AuthApi.QrPoll("c1", "secret", true),
            AuthApi.QrPoll::toJson,
            AuthApi.QrPoll::fromJson),
        of(
            new AuthApi.QrStatus("pending", AT, null, null),
            AuthApi.QrStatus::toJson,
            AuthApi.QrStatus::fromJson),
        of(
            new AuthApi.QrStatus("scanned", AT, AT.minusSeconds(5), null),
            AuthApi.QrStatus::toJson,
            AuthApi.QrStatus::fromJson),
        of(
            new AuthApi.QrUpdated("c1", "scanned"),
            AuthApi.QrUpdated::toJson,
            AuthApi.QrUpdated::fromJson),
        // ChatApi
        of(
            new ChatApi.CreateConversation(CALLER, "group", List.of("u2", "u3"), "Climbing"),
            ChatApi.CreateConversation::toJson,
            ChatApi.CreateConversation::fromJson),
        of(
            new ChatApi.ListConversations(CALLER, true, 20, "cursor-1"),
            ChatApi.ListConversations::toJson,
            ChatApi.ListConversations::fromJson),
        of(
            new ChatApi.ConversationRef(CALLER, "c1"),
            ChatApi.ConversationRef::toJson,
            ChatApi.ConversationRef::fromJson),
        of(
            new ChatApi.UpdateConversation(CALLER, "c1", "Renamed"),
            ChatApi.UpdateConversation::toJson,
            ChatApi.UpdateConversation::fromJson),
        of(
            new ChatApi.AddMembers(CALLER, "c1", List.of("u4")),
            ChatApi.AddMembers::toJson,
            ChatApi.AddMembers::fromJson),
        of(
            new ChatApi.RemoveMember(CALLER, "c1", "u4"),
            ChatApi.RemoveMember::toJson,
            ChatApi.RemoveMember::fromJson),
        of(
            new ChatApi.SendMessage(CALLER, "c1", "k1", "hello", List.of("up1", "up2")),
            ChatApi.SendMessage::toJson,
            ChatApi.SendMessage::fromJson),
        of(
            new ChatApi.History(CALLER, "c1", null, 7L, 30),
            ChatApi.History::toJson,
            ChatApi.History::fromJson),
        of(
            new ChatApi.EditMessage(CALLER, "m1", "typo"),
            ChatApi.EditMessage::toJson,
            ChatApi.EditMessage::fromJson),
        of(
            new ChatApi.MessageRef(CALLER, "m1"),
            ChatApi.MessageRef::toJson,
            ChatApi.MessageRef::fromJson),
        of(
            new ChatApi.MarkReceipt(CALLER, "c1", "read", 12L),
            ChatApi.MarkReceipt::toJson,
            ChatApi.MarkReceipt::fromJson),
        of(
            new ChatApi.Replay("u1", AT.toEpochMilli(), 500, Map.of("c1", 4L, "c2", 9L)),
            ChatApi.Replay::toJson,
            ChatApi.Replay::fromJson),
        of(
            new ChatApi.MissedEvents("c1", 3L, 9L, AT.toEpochMilli(), 100),
            ChatApi.MissedEvents::toJson,
            ChatApi.MissedEvents::fromJson),
        of(
            new ChatApi.ActiveConversations(AT.toEpochMilli(), 200),
            ChatApi.ActiveConversations::toJson,
            ChatApi.ActiveConversations::fromJson),
        // UploadsApi
        of(
            new UploadsApi.CreateUpload(
                CALLER, "c1", "photo.jpg", "image/jpeg", 2048L, "https://chat.example"),
            UploadsApi.CreateUpload::toJson,
            UploadsApi.CreateUpload::fromJson),
        of(
            new UploadsApi.UploadRef(CALLER, "up1"),
            UploadsApi.UploadRef::toJson,
            UploadsApi.UploadRef::fromJson),
        of(
            new UploadsApi.ContentTarget("up1", "token"),
            UploadsApi.ContentTarget::toJson,
            UploadsApi.ContentTarget::fromJson),
        of(
            new UploadsApi.ContentPath("/data/uploads/up1", 2048L, "image/jpeg"),
            UploadsApi.ContentPath::toJson,
            UploadsApi.ContentPath::fromJson),
        of(
            new UploadsApi.Download(
                null,
                "/data/uploads/up1",
                "image/jpeg",
                "attachment; filename=\"photo.jpg\"",
                2048L),
            UploadsApi.Download::toJson,
            UploadsApi.Download::fromJson),
        of(
            new UploadsApi.ResolveAttachments("u1", "c1", List.of("up1")),
            UploadsApi.ResolveAttachments::toJson,
            UploadsApi.ResolveAttachments::fromJson),
        of(
            new UploadsApi.AttachmentAccess(CALLER, "c1", "up1"),
            UploadsApi.AttachmentAccess::toJson,
            UploadsApi.AttachmentAccess::fromJson),
        of(
            new UploadsApi.DiscardUploads("u1", List.of("up1", "up2")),
            UploadsApi.DiscardUploads::toJson,
            UploadsApi.DiscardUploads::fromJson),
        of(
            new UploadsApi.UploadIds(List.of("up1")),
            UploadsApi.UploadIds::toJson,
            UploadsApi.UploadIds::fromJson),
        // top-level records
        of(new FeedGap("redis relay reconnected", AT), FeedGap::toJson, FeedGap::fromJson),
        of(new HealthReport(true, "n1", "ok"), HealthReport::toJson, HealthReport::fromJson),
        of(
            new HealthReport(false, "n1", "timed out"),
            HealthReport::toJson,
            HealthReport::fromJson));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void comesBackEqualFromTheWire(Case<?> c) {
    assertThat(c.roundTrip()).isEqualTo(c.value());
  }

  /**
   * The one record that does not come back equal, by design: an approved status is the grant's
   * shape ({@code {status, token, expiresAt, user, session}}, what the new device reads), so its
   * {@code expiresAt} is the token's and the challenge's own expiry is not carried.
   */
  @Test
  void anApprovedQrStatusCarriesTheGrantWithTheTokensExpiry() {
    var approved = new AuthApi.QrStatus("approved", AT, AT.minusSeconds(5), GRANT);
    var back = AuthApi.QrStatus.fromJson(new JsonObject(approved.toJson().toBuffer()));
    assertThat(back.status()).isEqualTo("approved");
    assertThat(back.grant()).isEqualTo(GRANT);
    assertThat(back.scannedAt()).isEqualTo(approved.scannedAt());
    assertThat(back.expiresAt()).isEqualTo(GRANT.expiresAt());
  }

  /** A record added to the contract without a case above fails here. */
  @Test
  void everyRecordWithBothMappingsHasACase() {
    Set<Class<?>> mapped = new HashSet<>();
    for (Class<?> owner :
        List.of(
            AuthApi.class, ChatApi.class, UploadsApi.class, FeedGap.class, HealthReport.class)) {
      Stream.concat(Stream.of(owner), Arrays.stream(owner.getDeclaredClasses()))
          .filter(Class::isRecord)
          .filter(BusRecordsRoundTripTest::mapsBothWays)
          .forEach(mapped::add);
    }
    Set<Class<?>> covered = new HashSet<>();
    cases().forEach(c -> covered.add(c.value().getClass()));
    assertThat(covered).containsExactlyInAnyOrderElementsOf(mapped);
  }

  private static boolean mapsBothWays(Class<?> type) {
    try {
      Method from = type.getMethod("fromJson", JsonObject.class);
      type.getMethod("toJson");
      return Modifier.isStatic(from.getModifiers());
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
