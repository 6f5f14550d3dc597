package example;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;

public class FirstProgram {
  public static void main(String[] args) throws Exception {
    // snippet: first-program
    try (InMemoryBackend backend = InMemoryBackend.create();
         Cohort client = Cohort.builder(backend).namespace("/hello").build()) {
      client.start();
      DistributedLock lock = new DistributedLock(client, "/locks/report");
      FencingToken token = lock.acquire();
      System.out.println("holding /locks/report with fencing token " + token.value());
      lock.release();
    }
    // end-snippet
  }
}
