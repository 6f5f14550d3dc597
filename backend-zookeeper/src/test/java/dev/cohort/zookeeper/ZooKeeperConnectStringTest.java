package dev.cohort.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.Capability;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A malformed connect string is refused at once, naming the bad part, instead of being retried
 * until the connection timeout (15.7 s before this check) ends in a ConnectionLoss naming nothing.
 * Nothing here needs a server: a refusal happens before any connection is tried.
 */
class ZooKeeperConnectStringTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "zk1:2181;zk2:2181 | zk1",            // ';' instead of ','
      "zk1 2181 | zk1 2181",                 // a blank instead of ':'
      "zk1:21a81 | 21a81",                   // port not a number
      "zk1:70000 | 70000",                   // port out of range
      "zk1:0 | zk1:0",                       // port out of range
      "zk1: | zk1:",                         // no port after ':'
      ":2181 | :2181",                       // no host
      "::1:2181 | ::1:2181",                 // IPv6 without brackets
      "[::1:2181 | [::1:2181",               // unclosed bracket
      "zk1:2181/app/ | /app/",               // chroot ending in '/'
      "zk1:2181/a//b | /a//b",               // chroot with an empty segment
      "' , ,' | no server",                  // nothing but separators
      "http://zk1:2181 | http:",             // a URL
  })
  void malformedConnectStringIsRefusedAtOnceNamingTheBadPart(String connectString, String namedPart) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ZooKeeperBackend.builder().connectString(connectString));
    assertTrue(e.getMessage().contains(namedPart), e.getMessage());
  }

  @Test
  void connectRefusesAMalformedStringBeforeConnecting() {
    // Before the check, connect() probed capabilities against the unreachable "host" and failed
    // with ConnectionLossException after the 15 s connection timeout.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ZooKeeperBackend.connect("127.0.0.1:2181;127.0.0.1:2182"));
    assertTrue(e.getMessage().contains("127.0.0.1:2181;127.0.0.1:2182"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "zk1:2181", "zk1", "zk1.example.com:2181,zk2.example.com:2182/orders", "10.0.0.1:2181, 10.0.0.2:2181",
      "[::1]:2181", "[fe80::1%25eth0]:2181,zk_2:2181", "zk1:2181,", "zk1:2181/"})
  void wellFormedConnectStringsAreAccepted(String connectString) {
    ZooKeeperBackend backend = ZooKeeperBackend.builder().connectString(connectString)
        .capabilities(Set.of(Capability.CONTAINER_NODES)).build();
    try {
      assertEquals(connectString, backend.connectString());
    } finally {
      backend.close();
    }
  }
}
