package io.parley.bus;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Published on a node's own bus ({@link Addresses#FEED_GAP}, local only) when its event feed may
 * have lost events: the Redis relay reconnected, the cluster's membership changed. Every SSE hub of
 * the node then replays, for each open stream, what was stored since that stream's cursor, and
 * session caches forget what revocations they may have missed.
 *
 * @param reason what happened, for logs
 * @param since events from this time on may be missing
 */
public record FeedGap(String reason, Instant since) {
  public JsonObject toJson() {
    return new JsonObject().put("reason", reason).put("since", since.toString());
  }

  public static FeedGap fromJson(JsonObject j) {
    return new FeedGap(j.getString("reason", ""), Instant.parse(j.getString("since")));
  }
}
