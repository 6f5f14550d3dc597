package dev.cohort.replicated;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A Wing–Gong linearizability checker (with Lowe's memoization) for one read/write register whose
 * initial value is null. An operation whose outcome is unknown (the client gave up waiting) has no
 * completion time: it may take effect at any point after its invocation, or never.
 */
final class RegisterLinearizability {

  /**
   * One operation of the history.
   *
   * @param invoke when the client issued it
   * @param complete when the client saw it succeed, or {@link Long#MAX_VALUE} if it never did
   * @param write a write (else a read)
   * @param value the value written, or the value the read returned
   */
  record Op(long invoke, long complete, boolean write, String value) {}

  private final List<Op> ops;
  private final Set<Object> seen = new HashSet<>();
  private final int mustComplete;

  private RegisterLinearizability(List<Op> history) {
    // A write whose outcome is unknown and whose value no read returned can always be left out: if
    // some linearization places it, the same order without it explains every result too. Dropping
    // them up front keeps the search from trying every subset of them.
    Set<String> observed = new HashSet<>();
    for (Op o : history) {
      if (!o.write) {
        observed.add(o.value);
      }
    }
    this.ops = new ArrayList<>();
    for (Op o : history) {
      if (!(o.write && o.complete == Long.MAX_VALUE && !observed.contains(o.value))) {
        ops.add(o);
      }
    }
    this.ops.sort(Comparator.comparingLong(Op::invoke));
    this.mustComplete = (int) ops.stream().filter(o -> o.complete != Long.MAX_VALUE).count();
  }

  /** Whether some order of the operations, respecting real time, explains every result. */
  static boolean isLinearizable(List<Op> history) {
    return new RegisterLinearizability(history).search();
  }

  /** One level of the depth-first search: the state reached and which candidate to try next. */
  private static final class Frame {
    final String state;
    final int completedDone;
    final int chosen;
    int cursor;
    long minComplete = -1;

    Frame(String state, int completedDone, int chosen) {
      this.state = state;
      this.completedDone = completedDone;
      this.chosen = chosen;
    }
  }

  // Iterative, because histories of thousands of operations would overflow the call stack.
  private boolean search() {
    BitSet done = new BitSet(ops.size());
    ArrayDeque<Frame> stack = new ArrayDeque<>();
    stack.push(new Frame(null, 0, -1));
    while (!stack.isEmpty()) {
      Frame f = stack.peek();
      if (f.completedDone == mustComplete) {
        return true;
      }
      if (f.minComplete < 0) {
        if (!seen.add(List.of(done.clone(), Objects.toString(f.state, "\u0000null")))) {
          pop(stack, done);
          continue;
        }
        f.minComplete = Long.MAX_VALUE;
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
          f.minComplete = Math.min(f.minComplete, ops.get(i).complete);
        }
        f.cursor = 0;
      }
      Frame child = null;
      for (int i = done.nextClearBit(f.cursor); i < ops.size(); i = done.nextClearBit(i + 1)) {
        Op o = ops.get(i);
        if (o.invoke > f.minComplete) {
          break; // sorted by invocation: every later op is preceded by a pending completed one
        }
        if (o.write || Objects.equals(f.state, o.value)) {
          f.cursor = i + 1;
          done.set(i);
          child = new Frame(o.write ? o.value : f.state,
              f.completedDone + (o.complete == Long.MAX_VALUE ? 0 : 1), i);
          break;
        }
      }
      if (child == null) {
        pop(stack, done);
      } else {
        stack.push(child);
      }
    }
    return false;
  }

  private static void pop(ArrayDeque<Frame> stack, BitSet done) {
    Frame f = stack.pop();
    if (f.chosen >= 0) {
      done.clear(f.chosen);
    }
  }
}
