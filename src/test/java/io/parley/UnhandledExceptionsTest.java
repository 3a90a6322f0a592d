package io.parley;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnhandledExceptionsTest {
  private static IllegalStateException thrownAt(String message, String cls, String method) {
    IllegalStateException e = new IllegalStateException(message);
    e.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement("io.vertx.core.Promise", "complete", "Promise.java", 63),
          new StackTraceElement(cls, method, "X.java", 86),
        });
    return e;
  }

  @Test
  void vertxsRethrowOfAFailedWriteToAMemberIsRecognised() {
    assertThat(
            UnhandledExceptions.isVertxRethrownClusterWriteFailure(
                thrownAt(
                    "Promise already completed",
                    "io.vertx.core.eventbus.impl.clustered.OutboundConnection",
                    "writeMessage")))
        .isTrue();
  }

  @Test
  void alsoWhenTheConnectionDrainsWritesQueuedWhileConnecting() {
    assertThat(
            UnhandledExceptions.isVertxRethrownClusterWriteFailure(
                thrownAt(
                    "Promise already completed",
                    "io.vertx.core.eventbus.impl.clustered.OutboundConnection",
                    "connected")))
        .isTrue();
  }

  @Test
  void theSameMessageFromAnyOtherPlaceIsNot() {
    assertThat(
            UnhandledExceptions.isVertxRethrownClusterWriteFailure(
                thrownAt("Promise already completed", "io.parley.chat.X", "send")))
        .isFalse();
  }

  @Test
  void otherExceptionsFromThatPlaceAreNot() {
    assertThat(
            UnhandledExceptions.isVertxRethrownClusterWriteFailure(
                thrownAt(
                    "something else",
                    "io.vertx.core.eventbus.impl.clustered.OutboundConnection",
                    "writeMessage")))
        .isFalse();
    assertThat(UnhandledExceptions.isVertxRethrownClusterWriteFailure(new RuntimeException("x")))
        .isFalse();
  }
}
