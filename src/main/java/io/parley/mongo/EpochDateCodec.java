package io.parley.mongo;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.impl.codec.json.JsonObjectCodec;
import org.bson.BsonReader;
import org.bson.BsonWriter;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;

/**
 * The Vert.x MongoDB client's codec for {@link JsonObject}, with BSON dates carried as epoch
 * milliseconds: {@code {"$date": 1733600000000}}. The stock codec takes and gives ISO-8601 strings
 * only, so every date written was parsed with {@code OffsetDateTime.parse} and every date read was
 * formatted into a string, on every database call (about 3 % of a node's CPU at 100 msgs/s, and 4 %
 * of what C2 compiles after a start: docs/benchmarks/README.md, "Findings: 2026-12-07 (night)").
 * What is stored is the same BSON date either way. Strings are still accepted on the way in, and
 * {@link MongoSupport#instant} reads both forms. It extends a class of vertx-mongo-client's
 * implementation (its version comes from the Vert.x BOM); EpochDateCodecTest pins what it relies
 * on.
 */
final class EpochDateCodec extends JsonObjectCodec {
  EpochDateCodec(JsonObject config) {
    super(config);
  }

  @Override
  protected Object readDateTime(BsonReader reader, DecoderContext ctx) {
    return new JsonObject().put(DATE_FIELD, reader.readDateTime());
  }

  @Override
  protected void writeDateTime(BsonWriter writer, String name, Object value, EncoderContext ctx) {
    if (((JsonObject) value).getValue(DATE_FIELD) instanceof Number millis) {
      writer.writeDateTime(millis.longValue());
    } else {
      super.writeDateTime(writer, name, value, ctx);
    }
  }
}
