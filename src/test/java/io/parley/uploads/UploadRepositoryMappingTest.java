package io.parley.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UploadRepositoryMappingTest {
  static final Instant CREATED = Instant.parse("2026-12-03T10:15:30.123Z");
  static final Instant EXPIRES = Instant.parse("2026-12-03T10:30:30.123Z");
  static final Instant LATER = Instant.parse("2026-12-03T11:00:00Z");

  static Upload pending(String tokenHash) {
    return new Upload(
        "0123456789abcdef01234567",
        "aaaaaaaaaaaaaaaaaaaaaaaa",
        "bbbbbbbbbbbbbbbbbbbbbbbb",
        "local",
        "0123456789abcdef01234567-ff",
        "0123456789abcdef01234567-ff.incoming",
        "a.png",
        "image/png",
        200L,
        Upload.PENDING,
        CREATED,
        EXPIRES,
        tokenHash,
        null,
        null,
        null);
  }

  /** A BSON date as the node's client carries it: epoch milliseconds. */
  static JsonObject date(String iso) {
    return new JsonObject().put("$date", Instant.parse(iso).toEpochMilli());
  }

  @Test
  void aNewUploadIsStoredWithItsFieldsInOrderAndDatesAsBsonDates() {
    JsonObject doc = UploadRepository.document(pending("c0ffee"));

    assertThat(doc)
        .isEqualTo(
            new JsonObject()
                .put("_id", "0123456789abcdef01234567")
                .put("owner", "aaaaaaaaaaaaaaaaaaaaaaaa")
                .put("conversationId", "bbbbbbbbbbbbbbbbbbbbbbbb")
                .put("storage", "local")
                .put("storageKey", "0123456789abcdef01234567-ff")
                .put("incomingKey", "0123456789abcdef01234567-ff.incoming")
                .put("filename", "a.png")
                .put("contentType", "image/png")
                .put("size", 200L)
                .put("status", "pending")
                .put("createdAt", date("2026-12-03T10:15:30.123Z"))
                .put("expiresAt", date("2026-12-03T10:30:30.123Z"))
                .put("tokenHash", "c0ffee"));
    assertThat(doc.fieldNames())
        .containsExactly(
            "_id",
            "owner",
            "conversationId",
            "storage",
            "storageKey",
            "incomingKey",
            "filename",
            "contentType",
            "size",
            "status",
            "createdAt",
            "expiresAt",
            "tokenHash");
    assertThat(UploadRepository.fromDocument(doc)).isEqualTo(pending("c0ffee"));
  }

  @Test
  void absentOptionalFieldsAreLeftOutAndReadBackAsNull() {
    Upload s3 = pending(null);

    JsonObject doc = UploadRepository.document(s3);

    assertThat(doc.fieldNames())
        .doesNotContain("tokenHash", "readyAt", "sentAt", "discardedAt")
        .hasSize(12);
    assertThat(UploadRepository.fromDocument(doc)).isEqualTo(s3);
  }

  @Test
  void everyFieldRoundTrips() {
    Upload discarded =
        new Upload(
            "0123456789abcdef01234567",
            "aaaaaaaaaaaaaaaaaaaaaaaa",
            "bbbbbbbbbbbbbbbbbbbbbbbb",
            "s3",
            "k",
            "k.incoming",
            "a.png",
            "image/png",
            5_000_000_000L,
            Upload.DISCARDED,
            CREATED,
            EXPIRES,
            "c0ffee",
            EXPIRES,
            LATER,
            LATER.plusSeconds(1));

    JsonObject doc = UploadRepository.document(discarded);

    assertThat(doc.getJsonObject("readyAt")).isEqualTo(date("2026-12-03T10:30:30.123Z"));
    assertThat(doc.getJsonObject("sentAt")).isEqualTo(date("2026-12-03T11:00:00Z"));
    assertThat(doc.getJsonObject("discardedAt")).isEqualTo(date("2026-12-03T11:00:01Z"));
    assertThat(UploadRepository.fromDocument(doc)).isEqualTo(discarded);
  }

  /** As the driver returns it: millisecond dates, sentAt set to null, no tokenHash once ready. */
  @Test
  void aStoredDocumentReadsBack() {
    JsonObject stored =
        UploadRepository.document(pending(null))
            .put("status", "ready")
            .put("createdAt", date("2026-12-03T10:15:30.123Z"))
            .put("readyAt", date("2026-12-03T11:00:00Z"))
            .putNull("sentAt");

    Upload u = UploadRepository.fromDocument(stored);

    assertThat(u.ready()).isTrue();
    assertThat(u.discarded()).isFalse();
    assertThat(u.createdAt()).isEqualTo(Instant.parse("2026-12-03T10:15:30.123Z"));
    assertThat(u.readyAt()).isEqualTo(LATER);
    assertThat(u.sentAt()).isNull();
    assertThat(u.tokenHash()).isNull();
    assertThat(u.discardedAt()).isNull();
  }

  @Test
  void noDocumentIsNoUpload() {
    assertThat(UploadRepository.fromDocument(null)).isNull();
  }
}
