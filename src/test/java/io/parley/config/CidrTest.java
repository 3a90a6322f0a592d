package io.parley.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void ipv4BlocksContainTheirAddressesOnly() {
    Cidr c = Cidr.parse("10.1.0.0/16");
    assertThat(c.contains("10.1.255.7")).isTrue();
    assertThat(c.contains("10.2.0.1")).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains("203.0.113.5")).isTrue();
  }

  @Test
  void aBareAddressIsABlockOfOne() {
    Cidr c = Cidr.parse("127.0.0.1");
    assertThat(c.contains("127.0.0.1")).isTrue();
    assertThat(c.contains("127.0.0.2")).isFalse();
  }

  @Test
  void ipv6AndIpv4MappedPeersMatch() {
    assertThat(Cidr.parse("fd00::/8").contains("fd12:3456::1")).isTrue();
    assertThat(Cidr.parse("::1").contains("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(Cidr.parse("192.168.0.0/16").contains("::ffff:192.168.4.4")).isTrue();
    assertThat(Cidr.parse("192.168.0.0/16").contains("fd00::1")).isFalse();
  }

  @Test
  void namesAndGarbageNeverMatchAndAreRejected() {
    assertThat(Cidr.parse("10.0.0.0/8").contains("example.com")).isFalse();
    assertThat(Cidr.parse("10.0.0.0/8").contains("")).isFalse();
    assertThatThrownBy(() -> Cidr.parse("proxy.internal"))
        .hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/40")).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> Cidr.parse("300.1.1.1")).hasMessageContaining("not an IP address");
  }
}
