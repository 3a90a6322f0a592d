package io.parley.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class HealthReportTest {
  @Test
  void aCheckThatAnswersIsUpWithItsAnswer() {
    JsonObject reply =
        HealthReport.of(Future.succeededFuture("ping ok"), "node-1", "database").result();

    assertThat(reply.getString("status")).isEqualTo("up");
    assertThat(reply.getString("node")).isEqualTo("node-1");
    assertThat(reply.getString("detail")).isEqualTo("ping ok");
  }

  @Test
  void aFailedCheckIsDownWithoutItsCause() {
    JsonObject reply =
        HealthReport.of(
                Future.failedFuture(new IllegalStateException("auth failed for user=admin")),
                "node-1",
                "s3 upload storage")
            .result();

    assertThat(reply.getString("status")).isEqualTo("down");
    assertThat(reply.getString("detail")).isEqualTo("s3 upload storage unreachable");
    assertThat(reply.encode()).doesNotContain("admin");
  }
}
