package dev.cohort.recipes.discovery;

import java.nio.charset.StandardCharsets;

/**
 * Turns an application's payload type into the bytes a {@link ServiceInstance} carries, and back.
 * The application supplies it (Cohort has no JSON or other format dependency); {@link #bytes()}
 * and {@link #utf8()} cover raw bytes and text.
 *
 * <p>Implementations must be thread-safe and pure: {@code deserialize(serialize(p))} equals
 * {@code p}, and neither method does I/O or holds locks (both run on the caller's thread).
 *
 * @param <T> the payload type
 */
public interface PayloadSerializer<T> {

  /** The bytes of {@code payload}; never null. */
  byte[] serialize(T payload);

  /**
   * The payload these bytes encode. May throw any unchecked exception for bytes it cannot read;
   * {@link ServiceInstance#payload(PayloadSerializer)} reports it as an {@link
   * UnreadablePayloadException}.
   */
  T deserialize(byte[] bytes);

  /** The identity serializer: the payload is the bytes themselves (copied both ways). */
  static PayloadSerializer<byte[]> bytes() {
    return BuiltIn.BYTES;
  }

  /** Text in UTF-8. */
  static PayloadSerializer<String> utf8() {
    return BuiltIn.UTF8;
  }
}

/** The built-in serializers. */
final class BuiltIn {
  private BuiltIn() {}

  static final PayloadSerializer<byte[]> BYTES = new PayloadSerializer<>() {
    @Override
    public byte[] serialize(byte[] payload) {
      return payload.clone();
    }

    @Override
    public byte[] deserialize(byte[] bytes) {
      return bytes.clone();
    }

    @Override
    public String toString() {
      return "PayloadSerializer.bytes()";
    }
  };

  static final PayloadSerializer<String> UTF8 = new PayloadSerializer<>() {
    @Override
    public byte[] serialize(String payload) {
      return payload.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String deserialize(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "PayloadSerializer.utf8()";
    }
  };
}
