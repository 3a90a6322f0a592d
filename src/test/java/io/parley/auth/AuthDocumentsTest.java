package io.parley.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.bus.AuthApi.Client;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How each auth repository stores its records and reads them back, without a database. */
class AuthDocumentsTest {
  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String SESSION = "bbbbbbbbbbbbbbbbbbbbbbbb";
  private static final String CHALLENGE = "0123456789abcdef0123456789abcdef";
  private static final Instant T0 = Instant.parse("2026-12-03T12:00:00.123Z");
  private static final Instant T1 = Instant.parse("2026-12-03T12:01:00Z");
  private static final Instant T2 = Instant.parse("2026-12-03T12:05:00Z");

  // --- users ------------------------------------------------------------------------------

  @Test
  void userIsStoredWithIdPhoneNameHashAndADate() {
    User u = new User(USER, "+14155550123", "Ann", "$argon2id$hash", T0);

    assertThat(UserRepository.document(u).encode())
        .isEqualTo(
            "{\"_id\":\"aaaaaaaaaaaaaaaaaaaaaaaa\",\"phone\":\"+14155550123\",\"name\":\"Ann\","
                + "\"passwordHash\":\"$argon2id$hash\","
                + "\"createdAt\":{\"$date\":1796299200123}}");
    assertThat(UserRepository.fromDocument(UserRepository.document(u))).isEqualTo(u);
  }

  @Test
  void userReadWithoutItsHashHasNone() {
    User u =
        UserRepository.fromDocument(
            new JsonObject()
                .put("_id", USER)
                .put("phone", "+14155550123")
                .put("name", "Ann")
                .put("createdAt", new JsonObject().put("$date", T0.toEpochMilli())));

    assertThat(u).isEqualTo(new User(USER, "+14155550123", "Ann", null, T0));
    assertThat(u.view().toJson())
        .isEqualTo(
            new JsonObject().put("id", USER).put("phone", "+14155550123").put("name", "Ann"));
  }

  @Test
  void userToStringLeavesTheHashOut() {
    assertThat(new User(USER, "+14155550123", "Ann", "$argon2id$hash", T0).toString())
        .doesNotContain("argon2");
  }

  // --- sessions ---------------------------------------------------------------------------

  @Test
  void newSessionIsStoredWithAnExplicitNullRevokedAt() {
    Session s = new Session(SESSION, USER, "Phone", "UA/1", "10.0.0.1", T0, T0, T2, null);

    JsonObject doc = SessionRepository.document(s);

    assertThat(doc.encode())
        .isEqualTo(
            "{\"_id\":\"bbbbbbbbbbbbbbbbbbbbbbbb\",\"userId\":\"aaaaaaaaaaaaaaaaaaaaaaaa\","
                + "\"deviceName\":\"Phone\",\"userAgent\":\"UA/1\",\"address\":\"10.0.0.1\","
                + "\"createdAt\":{\"$date\":1796299200123},"
                + "\"lastSeenAt\":{\"$date\":1796299200123},"
                + "\"expiresAt\":{\"$date\":1796299500000},"
                + "\"revokedAt\":null}");
    assertThat(SessionRepository.fromDocument(doc)).isEqualTo(s);
  }

  @Test
  void revokedSessionReadsBackRevokedAndInactive() {
    Session s = new Session(SESSION, USER, "Phone", "UA/1", "10.0.0.1", T0, T1, T2, T1);

    Session back = SessionRepository.fromDocument(SessionRepository.document(s));

    assertThat(back).isEqualTo(s);
    assertThat(back.activeAt(T0)).isFalse();
  }

  @Test
  void sessionIsActiveUntilItExpires() {
    Session s = new Session(SESSION, USER, "Phone", "UA/1", "10.0.0.1", T0, T0, T2, null);

    assertThat(s.activeAt(T1)).isTrue();
    assertThat(s.activeAt(T2)).isFalse();
  }

  @Test
  void sessionViewShowsItsIdAndDates() {
    Session s = new Session(SESSION, USER, "Phone", "UA/1", "10.0.0.1", T0, T1, T2, null);

    assertThat(s.view().toJson())
        .isEqualTo(
            new JsonObject()
                .put("id", SESSION)
                .put("deviceName", "Phone")
                .put("userAgent", "UA/1")
                .put("createdAt", "2026-12-03T12:00:00.123Z")
                .put("lastSeenAt", "2026-12-03T12:01:00Z"));
  }

  // --- QR challenges ----------------------------------------------------------------------

  @Test
  void newChallengeIsStoredWithNullIdsAndNoStepDates() {
    QrChallenge c = pending();

    JsonObject doc = QrChallengeRepository.document(c);

    assertThat(doc.encode())
        .isEqualTo(
            "{\"_id\":\"0123456789abcdef0123456789abcdef\",\"token\":\"tok\","
                + "\"requesterSecretHash\":\"hash\","
                + "\"requester\":{\"address\":\"10.0.0.2\",\"userAgent\":\"UA/2\"},"
                + "\"status\":\"pending\",\"urlSecretUsed\":false,"
                + "\"createdAt\":{\"$date\":1796299200123},"
                + "\"expiresAt\":{\"$date\":1796299500000},"
                + "\"scannedBy\":null,\"approvedBy\":null,\"sessionId\":null}");
    assertThat(QrChallengeRepository.fromDocument(doc)).isEqualTo(c);
  }

  @Test
  void redeemedChallengeReadsBackEveryStep() {
    QrChallenge c =
        new QrChallenge(
            CHALLENGE,
            "tok",
            "hash",
            new Client("10.0.0.2", "UA/2"),
            QrChallenge.REDEEMED,
            true,
            T0,
            T2,
            USER,
            T1,
            USER,
            "Laptop",
            T1,
            T2,
            SESSION);

    QrChallenge back = QrChallengeRepository.fromDocument(QrChallengeRepository.document(c));

    assertThat(back).isEqualTo(c);
    assertThat(back.used()).isTrue();
  }

  @Test
  void scannedChallengeReadsBackWithLaterStepsAbsent() {
    // what markScanned stores: the $set fields added to the document create wrote
    JsonObject doc =
        QrChallengeRepository.document(pending())
            .put("status", QrChallenge.SCANNED)
            .put("scannedBy", USER)
            .put("scannedAt", new JsonObject().put("$date", T1.toString()));

    QrChallenge c = QrChallengeRepository.fromDocument(doc);

    assertThat(c.status()).isEqualTo(QrChallenge.SCANNED);
    assertThat(c.scannedBy()).isEqualTo(USER);
    assertThat(c.scannedAt()).isEqualTo(T1);
    assertThat(c.approvedBy()).isNull();
    assertThat(c.deviceName()).isNull();
    assertThat(c.approvedAt()).isNull();
    assertThat(c.used()).isFalse();
    assertThat(c.liveAt(T1)).isTrue();
    assertThat(c.liveAt(T2)).isFalse();
  }

  // --- stream tickets ---------------------------------------------------------------------

  @Test
  void streamTicketIsStoredUnderItsHash() {
    StreamTicket t = new StreamTicket("sha256-of-ticket", USER, SESSION, T0, T1);

    JsonObject doc = StreamTicketRepository.document(t);

    assertThat(doc.encode())
        .isEqualTo(
            "{\"_id\":\"sha256-of-ticket\",\"userId\":\"aaaaaaaaaaaaaaaaaaaaaaaa\","
                + "\"sessionId\":\"bbbbbbbbbbbbbbbbbbbbbbbb\","
                + "\"createdAt\":{\"$date\":1796299200123},"
                + "\"expiresAt\":{\"$date\":1796299260000}}");
    assertThat(StreamTicketRepository.fromDocument(doc)).isEqualTo(t);
  }

  @Test
  void streamTicketIsLiveUntilItExpires() {
    StreamTicket t = new StreamTicket("sha256-of-ticket", USER, SESSION, T0, T1);

    assertThat(t.liveAt(T0)).isTrue();
    assertThat(t.liveAt(T1)).isFalse();
  }

  // --- absent documents -------------------------------------------------------------------

  @Test
  void noDocumentReadsAsNoRecord() {
    assertThat(UserRepository.fromDocument(null)).isNull();
    assertThat(SessionRepository.fromDocument(null)).isNull();
    assertThat(QrChallengeRepository.fromDocument(null)).isNull();
    assertThat(StreamTicketRepository.fromDocument(null)).isNull();
  }

  private static QrChallenge pending() {
    return QrChallenge.pending(CHALLENGE, "tok", "hash", new Client("10.0.0.2", "UA/2"), T0, T2);
  }
}
