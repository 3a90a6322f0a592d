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

  /** See {@link ApiError#invalid(String, String)}. */
  public static ApiException invalid(String field, String message) {
    return new ApiException(ApiError.invalid(field, message));
  }

  /** See {@link ApiError#invalid(String, String, String)}. */
  public static ApiException invalid(String field, String code, String message) {
    return new ApiException(ApiError.invalid(field, code, message));
  }

  /** See {@link ApiError#rateLimited(String, long)}. */
  public static ApiException rateLimited(String message, long retryAfterSeconds) {
    return new ApiException(ApiError.rateLimited(message, retryAfterSeconds));
  }

  public ApiError error() {
    return error;
  }
}
