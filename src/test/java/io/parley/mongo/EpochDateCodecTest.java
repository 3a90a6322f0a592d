package io.parley.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDocumentReader;
import org.bson.BsonDocumentWriter;
import org.bson.BsonString;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.junit.jupiter.api.Test;

class EpochDateCodecTest {
  private static final Instant AT = Instant.parse("2026-12-07T22:00:00.123Z");
  private final EpochDateCodec codec = new EpochDateCodec(new JsonObject());

  private BsonDocument encode(JsonObject doc) {
    BsonDocument out = new BsonDocument();
    codec.encode(new BsonDocumentWriter(out), doc, EncoderContext.builder().build());
    return out;
  }

  private JsonObject decode(BsonDocument doc) {
    return codec.decode(new BsonDocumentReader(doc), DecoderContext.builder().build());
  }

  @Test
  void aDateInEpochMillisIsStoredAsABsonDate() {
    BsonDocument stored = encode(new JsonObject().put("at", MongoSupport.date(AT)));

    assertThat(stored.get("at")).isEqualTo(new BsonDateTime(AT.toEpochMilli()));
  }

  @Test
  void anIsoStringDateIsStillStoredAsTheSameBsonDate() {
    BsonDocument stored =
        encode(new JsonObject().put("at", new JsonObject().put("$date", AT.toString())));

    assertThat(stored.get("at")).isEqualTo(new BsonDateTime(AT.toEpochMilli()));
  }

  @Test
  void aStoredDateReadsBackAsEpochMillisAndAsTheSameInstant() {
    JsonObject read =
        decode(
            new BsonDocument("at", new BsonDateTime(AT.toEpochMilli()))
                .append("name", new BsonString("x")));

    assertThat(read.getJsonObject("at").getValue("$date")).isEqualTo(AT.toEpochMilli());
    assertThat(MongoSupport.instant(read, "at")).isEqualTo(AT);
    assertThat(read.getString("name")).isEqualTo("x");
  }

  @Test
  void datesInsideOperatorsAndArraysAreEncodedToo() {
    BsonDocument stored =
        encode(
            new JsonObject()
                .put(
                    "createdAt",
                    new JsonObject()
                        .put("$gte", MongoSupport.date(AT))
                        .put(
                            "$in", new io.vertx.core.json.JsonArray().add(MongoSupport.date(AT)))));

    BsonDocument range = stored.getDocument("createdAt");
    assertThat(range.get("$gte")).isEqualTo(new BsonDateTime(AT.toEpochMilli()));
    assertThat(range.getArray("$in").get(0)).isEqualTo(new BsonDateTime(AT.toEpochMilli()));
  }

  @Test
  void instantReadsTheStockCodecsStringFormToo() {
    JsonObject stock = new JsonObject().put("at", new JsonObject().put("$date", AT.toString()));

    assertThat(MongoSupport.instant(stock, "at")).isEqualTo(AT);
  }
}
