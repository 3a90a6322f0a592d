package io.parley.auth;

import io.parley.bus.AuthApi;
import java.time.Instant;

/**
 * A stored user. {@code passwordHash} is null when a read leaves it out ({@link
 * UserRepository#findByIds}).
 */
record User(String id, String phone, String name, String passwordHash, Instant createdAt) {

  /** The user as the API shows it. */
  AuthApi.User view() {
    return new AuthApi.User(id, phone, name);
  }

  /** Without the password hash, should a user ever be logged. */
  @Override
  public String toString() {
    return "User[id=" + id + ", phone=" + phone + ", name=" + name + "]";
  }
}
