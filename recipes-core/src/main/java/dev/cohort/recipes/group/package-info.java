/**
 * Group membership: a {@link dev.cohort.recipes.group.GroupMember} is an ephemeral node with a
 * payload plus a live view of every member, re-joined by itself after a session loss. A second live
 * member with the same id is refused ({@link dev.cohort.recipes.group.DuplicateMemberException}),
 * never overwritten, unless the member is static ({@code joinStatic}): a restarted process then
 * replaces its own earlier incarnation. Listeners see joins, leaves and updates in order.
 */
package dev.cohort.recipes.group;
