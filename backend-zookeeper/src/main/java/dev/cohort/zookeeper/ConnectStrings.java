package dev.cohort.zookeeper;

import dev.cohort.spi.Paths;
import java.util.Objects;

/**
 * Checks a ZooKeeper connect string before any connection is tried.
 *
 * <p>Why: ZooKeeper's own parser accepts nearly anything ({@code zk1:2181;zk2:2181} becomes one
 * host named {@code zk1:2181;zk2}), and the client then retries an address that can never work
 * until the connection timeout passes, ending in a ConnectionLoss that names nothing. A string that
 * cannot be an address is refused here, at once, naming the part that is wrong.
 *
 * <p>Accepted: comma-separated servers, each {@code host}, {@code host:port}, {@code [ipv6]} or
 * {@code [ipv6]:port} (host names and IPv4 addresses of letters, digits, {@code .}, {@code -} and
 * {@code _}; ports 1 to 65535), optionally followed by a chroot path. Blanks around a server and
 * empty entries are ignored, as ZooKeeper does.
 */
final class ConnectStrings {

  private ConnectStrings() {}

  /**
   * @throws IllegalArgumentException naming the malformed part
   * @throws NullPointerException if {@code connectString} is null
   */
  static void validate(String connectString) {
    Objects.requireNonNull(connectString, "connectString");
    int slash = connectString.indexOf('/');
    String servers = slash < 0 ? connectString : connectString.substring(0, slash);
    if (slash >= 0) {
      String chroot = connectString.substring(slash);
      String problem = chroot.length() == 1 ? null : Paths.problem(chroot, false);
      if (problem != null) {
        throw bad(connectString, "chroot '" + chroot + "'", problem);
      }
    }
    int count = 0;
    for (String entry : servers.split(",", -1)) {
      String server = entry.trim();
      if (!server.isEmpty()) {
        checkServer(connectString, server);
        count++;
      }
    }
    if (count == 0) {
      throw new IllegalArgumentException("no server in connect string '" + connectString
          + "' (expected host:port[,host:port...][/chroot])");
    }
  }

  private static void checkServer(String connectString, String server) {
    String host;
    String port = null;
    if (server.startsWith("[")) {
      int close = server.indexOf(']');
      if (close < 0) {
        throw bad(connectString, "server '" + server + "'", "no closing ] after an IPv6 address");
      }
      host = server.substring(1, close);
      String rest = server.substring(close + 1);
      if (!rest.isEmpty()) {
        if (rest.charAt(0) != ':') {
          throw bad(connectString, "server '" + server + "'", "expected :port after ]");
        }
        port = rest.substring(1);
      }
      int zone = host.indexOf('%'); // a zone id (fe80::1%eth0) names an interface
      String address = zone < 0 ? host : host.substring(0, zone);
      if (address.isEmpty() || !address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        throw bad(connectString, "host '" + host + "'", "not an IPv6 address");
      }
    } else {
      int colon = server.indexOf(':');
      if (colon >= 0 && server.indexOf(':', colon + 1) >= 0) {
        throw bad(connectString, "server '" + server + "'",
            "more than one ':' (an IPv6 address goes in brackets: [::1]:2181; servers are separated by ',')");
      }
      host = colon < 0 ? server : server.substring(0, colon);
      port = colon < 0 ? null : server.substring(colon + 1);
      if (host.isEmpty()) {
        throw bad(connectString, "server '" + server + "'", "no host");
      }
      for (int i = 0; i < host.length(); i++) {
        char c = host.charAt(i);
        if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_') || c > 0x7f) {
          throw bad(connectString, "host '" + host + "'", "character '" + c
              + "' cannot appear in a host name (servers are separated by ',')");
        }
      }
    }
    if (port != null) {
      int value;
      try {
        value = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw bad(connectString, "port '" + port + "' of server '" + server + "'", "not a number");
      }
      if (value < 1 || value > 65_535) {
        throw bad(connectString, "port '" + port + "' of server '" + server + "'", "not between 1 and 65535");
      }
    }
  }

  private static IllegalArgumentException bad(String connectString, String part, String why) {
    return new IllegalArgumentException(
        "malformed connect string '" + connectString + "': " + part + ": " + why);
  }
}
