package dev.cohort.recipes.group;

/**
 * Another live session, or another member object on the same client, already takes part under
 * this member id. Ids must be unique among live members: two members with one id would be
 * indistinguishable to everyone who watches the group. Nothing was changed; choose another id, or
 * wait until the other member leaves or its session expires. A static member ({@code
 * GroupMember.joinStatic}, {@code PartitionClaimer.Builder.staticMembership}) replaces an earlier
 * incarnation of itself on another session instead; for a partition set, an ordinary member is
 * refused an id a static member has reserved.
 */
public final class DuplicateMemberException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** @param group the group's path */
  public DuplicateMemberException(String group, String memberId) {
    super("member id " + memberId + " is already taken by another live session in " + group);
  }

  private DuplicateMemberException(String message) {
    super(message);
  }

  /** The id is taken by another member object on the same client (and so the same session). */
  static DuplicateMemberException onThisClient(String group, String memberId) {
    return new DuplicateMemberException("member id " + memberId + " is already joined to " + group
        + " by another GroupMember on this client: close that one first, or choose another id");
  }
}
