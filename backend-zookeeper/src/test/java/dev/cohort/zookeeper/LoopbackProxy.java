package dev.cohort.zookeeper;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay on 127.0.0.1 between ZooKeeper clients and one server, able to cut off one session.
 *
 * <p>It reads the session id from each connection's handshake (the client's ConnectRequest when it
 * resumes a session, the server's ConnectResponse when it starts one). {@link #block(long)} closes
 * every connection of that session and refuses the session's reconnection attempts until {@link
 * #unblock(long)}; the server itself keeps the session until its timeout passes, exactly as when a
 * network link fails. {@link #loseNextReply(long)} lets the server apply the session's next request
 * but drops its reply and cuts the connection, as a link failing at that moment would; the client
 * then reconnects to the same session.
 *
 * <p>Server-to-client traffic is relayed frame by frame (a 4-byte length, then a reply header whose
 * first field is the xid): replies to requests have an xid of 0 or more, while pings (-2), watch
 * events (-1) and other notices have negative ones.
 */
final class LoopbackProxy implements AutoCloseable {

  private final int targetPort;
  private final ServerSocket listener;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Set<Long> blocked = ConcurrentHashMap.newKeySet();
  private final Set<Long> loseReply = ConcurrentHashMap.newKeySet();
  /** Sessions whose next reply reaches the client with this error code in its header. */
  private final Map<Long, Integer> rewriteError = new ConcurrentHashMap<>();
  /** Sessions whose replies wait (pings excepted) until their latch opens. */
  private final Map<Long, CountDownLatch> held = new ConcurrentHashMap<>();
  private volatile boolean closed;

  LoopbackProxy(int targetPort) {
    this.targetPort = targetPort;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "zk-proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  String connectString() {
    return "127.0.0.1:" + port();
  }

  void block(long sessionId) {
    blocked.add(sessionId);
    for (Link link : links) {
      if (link.sessionId == sessionId) {
        link.close();
      }
    }
  }

  void unblock(long sessionId) {
    blocked.remove(sessionId);
  }

  /** The reply to the next request {@code sessionId} sends is dropped and its connection cut. */
  void loseNextReply(long sessionId) {
    loseReply.add(sessionId);
  }

  /**
   * The reply to the next request {@code sessionId} sends reaches the client with {@code code} as
   * its error, as a server that knows codes this client does not would send it. The server applied
   * or refused the request as it would have; only the client's view of the outcome changes.
   */
  void rewriteNextReplyError(long sessionId, int code) {
    rewriteError.put(sessionId, code);
  }

  /**
   * Replies to {@code sessionId}'s requests wait in the proxy, connection open, until {@link
   * #releaseReplies}; ping replies still pass, so the session stays connected meanwhile.
   */
  void holdReplies(long sessionId) {
    held.putIfAbsent(sessionId, new CountDownLatch(1));
  }

  /** Lets the held replies of {@code sessionId} through, in order. */
  void releaseReplies(long sessionId) {
    CountDownLatch latch = held.remove(sessionId);
    if (latch != null) {
      latch.countDown();
    }
  }

  @Override
  public void close() {
    closed = true;
    held.values().forEach(CountDownLatch::countDown);
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    links.forEach(Link::close);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        // ZooKeeper frames are small request/reply pairs: without TCP_NODELAY each relayed reply
        // can wait out a delayed acknowledgement (~40 ms) on the proxy's hop.
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        try {
          server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
        } catch (IOException e) {
          client.close();
          continue;
        }
        Link link = new Link(client, server);
        links.add(link);
        link.start();
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  /** One client connection and its server connection, relayed by two threads. */
  private final class Link {
    final Socket client;
    final Socket server;
    volatile long sessionId;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      Thread up = new Thread(() -> relay(client, server, true), "zk-proxy-up");
      Thread down = new Thread(() -> relay(server, client, false), "zk-proxy-down");
      up.setDaemon(true);
      down.setDaemon(true);
      up.start();
      down.start();
    }

    private void relay(Socket from, Socket to, boolean fromClient) {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        // The handshake frame: a 4-byte length then the record. In the client's ConnectRequest the
        // session id follows protocolVersion (4), lastZxidSeen (8) and timeOut (4); in the server's
        // ConnectResponse it follows protocolVersion (4) and timeOut (4).
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        byte[] frame = new byte[length];
        data.readFully(frame);
        long id = ByteBuffer.wrap(frame, fromClient ? 16 : 8, 8).getLong();
        if (id != 0) {
          sessionId = id;
        }
        if (id != 0 && blocked.contains(id)) {
          close();
          return;
        }
        forward(out, length, frame);
        if (fromClient) {
          byte[] buffer = new byte[64 * 1024];
          int n;
          while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
          }
        } else {
          while (true) {
            length = data.readInt();
            frame = new byte[length];
            data.readFully(frame);
            int xid = ByteBuffer.wrap(frame, 0, 4).getInt();
            if (xid >= 0 && loseReply.remove(sessionId)) {
              return; // the reply never arrives; the finally block cuts the connection
            }
            Integer err = xid >= 0 ? rewriteError.remove(sessionId) : null;
            if (err != null) {
              // the reply header: xid (4), zxid (8), err (4); a client reads no body after an error
              ByteBuffer.wrap(frame, 12, 4).putInt(err);
            }
            CountDownLatch hold = xid >= 0 ? held.get(sessionId) : null;
            if (hold != null) {
              hold.await();
            }
            forward(out, length, frame);
          }
        }
      } catch (IOException e) {
        // either side went away: tear the pair down below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        close();
      }
    }

    private void forward(OutputStream out, int length, byte[] frame) throws IOException {
      // One write per frame, so a frame never leaves as two segments.
      out.write(ByteBuffer.allocate(4 + frame.length).putInt(length).put(frame).array());
      out.flush();
    }

    void close() {
      links.remove(this);
      try {
        client.close();
      } catch (IOException ignored) {
        // already closed
      }
      try {
        server.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }
}
