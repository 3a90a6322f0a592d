package io.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a hop of {@code X-Forwarded-For} becomes an address. */
class ClientAddressTest {
  @Test
  void ipv4WithAPortLosesThePort() {
    assertThat(ClientAddress.stripPort("203.0.113.7:5678")).isEqualTo("203.0.113.7");
  }

  @Test
  void ipv4WithoutAPortStays() {
    assertThat(ClientAddress.stripPort("203.0.113.7")).isEqualTo("203.0.113.7");
  }

  @Test
  void bracketedIpv6WithAPortLosesBracketsAndPort() {
    assertThat(ClientAddress.stripPort("[2001:db8::1]:443")).isEqualTo("2001:db8::1");
  }

  @Test
  void bracketedIpv6WithoutAPortLosesTheBrackets() {
    assertThat(ClientAddress.stripPort("[::1]")).isEqualTo("::1");
  }

  @Test
  void bareIpv6StaysWhole() {
    assertThat(ClientAddress.stripPort("2001:db8::1")).isEqualTo("2001:db8::1");
  }

  @Test
  void unclosedBracketStaysAsSent() {
    assertThat(ClientAddress.stripPort("[2001:db8::1")).isEqualTo("[2001:db8::1");
  }

  @Test
  void hopThatIsOnlyAPortStaysAsSent() {
    assertThat(ClientAddress.stripPort(":8080")).isEqualTo(":8080");
  }
}
