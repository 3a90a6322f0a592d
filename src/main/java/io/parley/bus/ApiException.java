package io.parley.bus;

/** Thrown (or failed with) by service code to answer with a specific client-visible error. */
public final class ApiException extends RuntimeException {
  private final ApiError error;

  public ApiException(Failure failure, String code, String message) {
    this(ApiError.of(failure, code, message));
  }

  public ApiException(ApiError error) {
    super(error.code() + ": " + error.message(), null, false, false);
    this.error = error;
  }

  public ApiError error() {
    return error;
  }
}
