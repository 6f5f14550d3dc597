package dev.cohort.recipes.group;

import java.util.Arrays;
import java.util.Objects;

/**
 * One live member of a group, as of one snapshot. Immutable; the payload is copied in and out.
 *
 * @param id the member's id, unique among the group's live members
 * @param payload the member's current payload
 * @param incarnation the czxid of the member's node: it changes when the member re-joins (for
 *     instance after its session was lost), so two snapshots with the same id and different
 *     incarnations saw two different joins
 * @param version the payload's version within this incarnation (the node's data version)
 */
public record Member(String id, byte[] payload, long incarnation, int version) {

  public Member {
    Objects.requireNonNull(id, "id");
    payload = Objects.requireNonNull(payload, "payload").clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** Whether {@code other} is the same incarnation with the same payload version. */
  boolean sameStateAs(Member other) {
    return incarnation == other.incarnation && version == other.version;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Member m && id.equals(m.id) && Arrays.equals(payload, m.payload)
        && incarnation == m.incarnation && version == m.version;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, Arrays.hashCode(payload), incarnation, version);
  }

  @Override
  public String toString() {
    return "Member[" + id + ", " + payload.length + " bytes, incarnation " + incarnation + ", version " + version + "]";
  }
}
