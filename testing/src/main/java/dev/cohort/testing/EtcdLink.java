package dev.cohort.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 in front of the etcd server for ONE session's client: the etcd fixture
 * gives every session of its clients a link of its own, so cutting that link cuts that session and
 * no other. (The ZooKeeper fixture's {@link SessionCutter} tells sessions apart by reading
 * ZooKeeper's handshake; etcd speaks gRPC over HTTP/2, where the lease is in no handshake, so one
 * link per session is the simpler way to the same end.)
 *
 * <p>{@link #cut()} closes the session's connections and refuses new ones until {@link
 * #restore()}: the client cannot renew its lease, so the server expires it when its TTL passes,
 * and the client reconnects by itself once restored. Bytes are relayed as they come.
 */
final class EtcdLink implements AutoCloseable {
  private final int serverPort;
  private final ServerSocket listener;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean closed;

  EtcdLink(int serverPort) {
    this.serverPort = serverPort;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("could not open a relay for an etcd fixture session", e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "cohort-fixture-etcd-link-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (cut) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        open.add(client);
        open.add(server);
        pump(client, server);
        pump(server, client);
        if (cut) { // a cut that walked the open sockets before these two were added
          closeQuietly(client);
          closeQuietly(server);
        }
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread pump = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0 && !cut) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed, or a cut closed it
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "cohort-fixture-etcd-pump");
    pump.setDaemon(true);
    pump.start();
  }

  /** Closes the session's connections and refuses new ones. Idempotent. */
  void cut() {
    cut = true;
    for (Socket socket : open) {
      closeQuietly(socket);
    }
  }

  /** Lets the session's client connect again. */
  void restore() {
    cut = false;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    cut();
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
