package dev.cohort.recipes.discovery;

/**
 * An instance's payload could not be read with the serializer given: the instance was registered
 * with another payload type or format. Nothing changed; the raw bytes stay readable with {@link
 * PayloadSerializer#bytes()}. Retrying with the same serializer fails the same way.
 */
public final class UnreadablePayloadException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  UnreadablePayloadException(String instance, PayloadSerializer<?> serializer, RuntimeException cause) {
    super("the payload of " + instance + " is unreadable by " + serializer + ": " + cause.getMessage(), cause);
  }
}
