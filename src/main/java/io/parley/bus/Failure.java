package io.parley.bus;

/**
 * Failure codes carried by {@link io.vertx.core.eventbus.ReplyException#failureCode()}.
 *
 * <p>Ranges: 1400–1499 are the caller's fault and map to HTTP status {@code code - 1000}; 1500–1599
 * are the service's fault and map to HTTP status {@code code - 1000}. Vert.x's own failures (no
 * handler, timeout) map to 503 and 504. The failure message carries a JSON {@link ApiError} with
 * the machine-readable error code clients switch on.
 */
public enum Failure {
  BAD_REQUEST(1400),
  UNAUTHORIZED(1401),
  FORBIDDEN(1403),
  NOT_FOUND(1404),
  CONFLICT(1409),
  GONE(1410),
  PAYLOAD_TOO_LARGE(1413),
  UNSUPPORTED_MEDIA_TYPE(1415),
  UNPROCESSABLE(1422),
  RATE_LIMITED(1429),
  INTERNAL(1500),
  UNAVAILABLE(1503);

  public static final int CLIENT_MIN = 1400;
  public static final int CLIENT_MAX = 1499;
  public static final int SERVER_MIN = 1500;
  public static final int SERVER_MAX = 1599;

  private final int code;

  Failure(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The HTTP status this failure becomes at the edge. */
  public int httpStatus() {
    return code - 1000;
  }

  /** The HTTP status for any failure code on the bus, including ones not in this enum. */
  public static int httpStatusOf(int failureCode) {
    if (failureCode >= CLIENT_MIN && failureCode <= SERVER_MAX) {
      return failureCode - 1000;
    }
    return 500;
  }
}
