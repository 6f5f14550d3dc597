package dev.cohort.testing;

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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 in front of the embedded ZooKeeper server, through which the fixture's
 * clients connect, so that the fixture can cut one session off without closing it (what a crashed
 * process or a failed link does) or lose the reply to its next request (what a link failing at that
 * moment does): things ZooKeeper's own client cannot be made to do.
 *
 * <p>It learns each connection's session id from the handshake: the client's ConnectRequest
 * carries it when the client resumes a session, the server's ConnectResponse when it starts one.
 * {@link #cut(long)} closes every connection of that session and drops its reconnection attempts
 * until {@link #restore(long)}; the server keeps the session until its timeout passes, then expires
 * it and deletes its ephemerals, exactly as when a machine dies. {@link #loseNextReply(long)} lets
 * the server apply the session's next request, drops the reply and closes the connection; the
 * client sees ConnectionLoss and reconnects to the same session by itself.
 *
 * <p>Client-to-server bytes are relayed as they come. Server-to-client traffic is relayed frame by
 * frame (a 4-byte length, then a reply header whose first field is the xid): replies to requests
 * carry an xid of 0 or more, while pings (-2), watch events (-1) and other notices carry negative
 * ones, so only a reply to a request is ever lost.
 *
 * <p>One relay serves every fixture of a JVM: session ids are unique on the one server behind it.
 */
final class SessionCutter implements AutoCloseable {
  private final int serverPort;
  private final ServerSocket listener;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Set<Long> cut = ConcurrentHashMap.newKeySet();
  /** Every session id a handshake through this relay carried: the sessions it can cut. */
  private final Set<Long> seen = ConcurrentHashMap.newKeySet();
  /** Sessions whose next reply to a request is dropped, with their connection. */
  private final Set<Long> loseReply = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  SessionCutter(int serverPort) {
    this.serverPort = serverPort;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("could not open the fixture's ZooKeeper relay", e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "cohort-fixture-zk-relay-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String connectString() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  /** Cuts {@code sessionId} off: its connections close and its reconnections are dropped. */
  void cut(long sessionId) {
    cut.add(sessionId);
    for (Link link : links) {
      if (link.sessionId == sessionId) {
        link.close();
      }
    }
  }

  /** Whether {@code sessionId} connected through this relay (so that {@link #cut} reaches it). */
  boolean relays(long sessionId) {
    return seen.contains(sessionId);
  }

  /** Lets {@code sessionId} connect again. */
  void restore(long sessionId) {
    cut.remove(sessionId);
  }

  /** The reply to the next request {@code sessionId} sends is dropped and its connection closed. */
  void loseNextReply(long sessionId) {
    loseReply.add(sessionId);
  }

  /** Forgets what was set up for {@code sessionId}: a fixture closing lets its sessions go. */
  void forget(long sessionId) {
    cut.remove(sessionId);
    loseReply.remove(sessionId);
  }

  @Override
  public void close() {
    closed = true;
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
        // ZooKeeper's frames are small request/reply pairs: without TCP_NODELAY each relayed frame
        // may wait out a delayed acknowledgement on the extra hop.
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        try {
          server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort), 5_000);
        } catch (IOException e) {
          client.close();
          continue;
        }
        Link link = new Link(client, server);
        links.add(link);
        link.start();
      } catch (IOException e) {
        if (closed) {
          return;
        }
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
      Thread up = new Thread(() -> relay(client, server, true), "cohort-fixture-zk-relay-up");
      Thread down = new Thread(() -> relay(server, client, false), "cohort-fixture-zk-relay-down");
      up.setDaemon(true);
      down.setDaemon(true);
      up.start();
      down.start();
    }

    private void relay(Socket from, Socket to, boolean fromClient) {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        // The handshake frame: a 4-byte length, then the record. In the client's ConnectRequest the
        // session id follows protocolVersion (4), lastZxidSeen (8) and timeOut (4); in the server's
        // ConnectResponse it follows protocolVersion (4) and timeOut (4).
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        byte[] frame = new byte[length];
        data.readFully(frame);
        long id = ByteBuffer.wrap(frame, fromClient ? 16 : 8, 8).getLong();
        if (id != 0) {
          sessionId = id;
          seen.add(id);
          if (cut.contains(id)) {
            return; // dropped: the finally block closes both sides
          }
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
              return; // the reply never arrives; the finally block closes both sides
            }
            forward(out, length, frame);
          }
        }
      } catch (IOException | RuntimeException e) {
        // either side went away, or a frame too short to be a handshake: tear the pair down
      } finally {
        close();
      }
    }

    /** One write per frame, so that a frame never leaves as two segments. */
    private void forward(OutputStream out, int length, byte[] frame) throws IOException {
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
