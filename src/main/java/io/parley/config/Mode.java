package io.parley.config;

/** NODE_ENV. */
public enum Mode {
  DEVELOPMENT,
  PRODUCTION,
  TEST
}
