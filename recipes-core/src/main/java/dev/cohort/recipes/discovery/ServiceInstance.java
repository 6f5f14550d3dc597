package dev.cohort.recipes.discovery;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One registered instance of a named service: where to reach it and an opaque payload. Immutable;
 * the payload array is copied in and out.
 *
 * @param service the service's name, a single path segment (no {@code /})
 * @param id the instance's id, unique within the service, a single path segment
 * @param address host name or IP address
 * @param port TCP port, 0–65535
 * @param payload application data (e.g. a version or zone), possibly empty
 */
public record ServiceInstance(String service, String id, String address, int port, byte[] payload) {

  private static final int FORMAT = 1;

  public ServiceInstance {
    requireSegment(service, "service");
    requireSegment(id, "id");
    Objects.requireNonNull(address, "address");
    if (address.isEmpty()) {
      throw new IllegalArgumentException("address must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535: " + port);
    }
    payload = Objects.requireNonNull(payload, "payload").clone();
  }

  /** An instance without payload. */
  public static ServiceInstance of(String service, String id, String address, int port) {
    return new ServiceInstance(service, id, address, port, new byte[0]);
  }

  /**
   * An instance whose payload is {@code payload}, written with {@code serializer} on the caller's
   * thread; an exception the serializer throws propagates as it is.
   */
  public static <T> ServiceInstance of(
      String service, String id, String address, int port, T payload, PayloadSerializer<T> serializer) {
    Objects.requireNonNull(serializer, "serializer");
    return new ServiceInstance(service, id, address, port, serializer.serialize(payload));
  }

  /** This instance with its payload replaced by {@code payload}, written with {@code serializer}. */
  public <T> ServiceInstance withPayload(T payload, PayloadSerializer<T> serializer) {
    Objects.requireNonNull(serializer, "serializer");
    return new ServiceInstance(service, id, address, port, serializer.serialize(payload));
  }

  /** The payload's bytes (a copy). */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /**
   * The payload read with {@code serializer}, on the caller's thread.
   *
   * @throws UnreadablePayloadException if {@code serializer} cannot read it (it threw)
   */
  public <T> T payload(PayloadSerializer<T> serializer) {
    Objects.requireNonNull(serializer, "serializer");
    try {
      return serializer.deserialize(payload.clone());
    } catch (RuntimeException e) {
      throw new UnreadablePayloadException(service + "/" + id, serializer, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceInstance s
        && service.equals(s.service)
        && id.equals(s.id)
        && address.equals(s.address)
        && port == s.port
        && Arrays.equals(payload, s.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(service, id, address, port, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "ServiceInstance[" + service + "/" + id + " at " + address + ":" + port + ", "
        + payload.length + " payload bytes]";
  }

  static void requireSegment(String name, String what) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(what + " must be one non-empty path segment: '" + name + "'");
    }
  }

  /** The node data: everything but service and id, which the node's path carries. */
  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + address.length() + payload.length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeUTF(address);
      out.writeInt(port);
      out.writeInt(payload.length);
      out.write(payload);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads an instance from its node data.
   *
   * @throws IllegalArgumentException if the data was not written by {@link #encode()}
   */
  static ServiceInstance decode(String service, String id, byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      int format = in.readUnsignedByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("unknown instance format " + format + " for " + service + "/" + id);
      }
      String address = in.readUTF();
      int port = in.readInt();
      int length = in.readInt();
      if (length < 0 || length > data.length) {
        throw new IllegalArgumentException("corrupt payload length " + length + " for " + service + "/" + id);
      }
      byte[] payload = in.readNBytes(length);
      if (payload.length != length) {
        throw new IllegalArgumentException("truncated payload for " + service + "/" + id);
      }
      return new ServiceInstance(service, id, address, port, payload);
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt instance data for " + service + "/" + id, e);
    }
  }
}
