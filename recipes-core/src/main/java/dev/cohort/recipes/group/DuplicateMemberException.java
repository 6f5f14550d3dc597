package dev.cohort.recipes.group;

/**
 * Another live session already takes part under this member id. Ids must be unique among live
 * members: two members with one id would be indistinguishable to everyone who watches the group. Nothing
 * was changed; choose another id, or wait until the other member leaves or its session expires.
 */
public final class DuplicateMemberException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** @param group the group's path */
  public DuplicateMemberException(String group, String memberId) {
    super("member id " + memberId + " is already taken by another live session in " + group);
  }
}
