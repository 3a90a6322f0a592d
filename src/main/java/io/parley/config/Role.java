package io.parley.config;

import java.util.Locale;
import java.util.Optional;

/** The verticles a node can run. */
public enum Role {
  HTTP,
  AUTH,
  PERSISTENCE,
  UPLOADS;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String s) {
    for (Role r : values()) {
      if (r.key().equals(s.trim().toLowerCase(Locale.ROOT))) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** Roles that talk to MongoDB themselves (the HTTP role reaches it only over the bus). */
  public boolean usesDatabase() {
    return this != HTTP;
  }
}
