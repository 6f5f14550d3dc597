package dev.cohort.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a loopback port in front of one etcd client URL, for one session's client:
 * {@link #block()} cuts every connection and refuses new ones (a network partition of that client),
 * {@link #unblock()} lets it connect again.
 */
final class LoopbackProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean blocked;
  private volatile boolean closed;

  LoopbackProxy(int targetPort) {
    this.targetPort = targetPort;
    try {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "etcd-proxy-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (blocked) {
          client.close();
          continue;
        }
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        open.add(client);
        open.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (blocked) {
            break;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the other side closed, or a block cut it
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "etcd-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Cuts every connection now and refuses new ones. */
  void block() {
    blocked = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  void unblock() {
    blocked = false;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    block();
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
