/**
 * The Cohort backend SPI: a ZooKeeper-style tree of znodes with sessions, ephemeral and sequential
 * nodes, versions, one-shot watches, {@code multi} and {@code sync}.
 *
 * <h2>Guarantees every backend keeps</h2>
 * <ul>
 *   <li><b>Linearizable writes.</b> Every write is given a zxid; zxids order all writes totally, and a
 *       write's zxid is visible in the {@link dev.cohort.spi.Stat} of the node it touched. The czxid
 *       of a node is therefore a fencing token: a node created later has a larger czxid.</li>
 *   <li><b>FIFO per session.</b> One session's operations take effect in the order they were issued
 *       and their futures complete in that order.</li>
 *   <li><b>Atomicity.</b> A write, or a {@link dev.cohort.spi.Session#multi multi}, succeeds whole or
 *       fails whole and changes nothing.</li>
 *   <li><b>Single system image.</b> A session never observes an older state than one it has already
 *       observed. Reads may be stale with respect to other sessions; {@code sync} then read sees every
 *       write that completed before the sync was issued.</li>
 *   <li><b>Watch before data.</b> A session receives the event of a watch it set before any result
 *       that shows the change that triggered it. Events and completions of one session are delivered
 *       one at a time, in order, on a thread of the backend's choosing, never while a backend lock is
 *       held.</li>
 *   <li><b>Durability of acknowledged writes.</b> A write whose future completed normally is never
 *       rolled back. A write that failed with {@link dev.cohort.spi.ConnectionLossException} may or
 *       may not have been applied.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Every failure of an operation completes its future exceptionally with a subclass of the sealed
 * {@link dev.cohort.spi.CoordinationException}; each subclass says whether retrying is safe. Methods
 * throw synchronously only {@link java.lang.NullPointerException} for a null argument. The blocking
 * view of a session ({@link dev.cohort.spi.Session#blocking()}) throws the same exceptions instead
 * of completing a future with them.
 *
 * <h2>Data ownership</h2>
 * Byte arrays passed to a backend are copied or never modified by it; byte arrays returned by a
 * backend belong to the caller.
 */
package dev.cohort.spi;
