package dev.cohort.examples.migration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.cache.ChildrenCache;
import dev.cohort.spi.CreateMode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CuratorCache (in its PathChildrenCache form) and ChildrenCache: a live map of feature flags, one
 * child node per flag, that follows creates, updates and deletes made by another process.
 */
class CacheMigrationTest extends MigrationTestBase {

  private CuratorFramework admin;

  @BeforeEach
  void createFlags() throws Exception {
    admin = curator();
    admin.create().creatingParentsIfNeeded().forPath("/config/flags/dark-mode", "on".getBytes(UTF_8));
    admin.create().forPath("/config/flags/beta-search", "off".getBytes(UTF_8));
  }

  /** Another process changes the flags after the cache has started. */
  private void changeFlags() throws Exception {
    admin.setData().forPath("/config/flags/beta-search", "on".getBytes(UTF_8));
    admin.delete().forPath("/config/flags/dark-mode");
    admin.create().forPath("/config/flags/new-checkout", "10%".getBytes(UTF_8));
  }

  private static final Map<String, String> BEFORE = Map.of("dark-mode", "on", "beta-search", "off");
  private static final Map<String, String> AFTER = Map.of("beta-search", "on", "new-checkout", "10%");

  @Test
  void curatorCacheFollowsTheFlags() throws Exception {
    CuratorFramework client = curator();
    Map<String, String> flags = new ConcurrentHashMap<>();
    // snippet: curator-cache
    CuratorCache cache = CuratorCache.build(client, "/config/flags");
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forPathChildrenCache("/config/flags", client, (c, event) -> {
          switch (event.getType()) {
            case CHILD_ADDED, CHILD_UPDATED -> flags.put(
                ZKPaths.getNodeFromPath(event.getData().getPath()), new String(event.getData().getData(), UTF_8));
            case CHILD_REMOVED -> flags.remove(ZKPaths.getNodeFromPath(event.getData().getPath()));
            default -> { }                    // other event types
          }
        })
        .build());
    cache.start();                            // returns at once; the initial load is events too
    // end-snippet
    closeLater(cache);
    await().atMost(Duration.ofSeconds(10)).until(() -> flags.equals(BEFORE));
    changeFlags();
    await().atMost(Duration.ofSeconds(10)).until(() -> flags.equals(AFTER));
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void cohortCacheFollowsTheFlags(Backend backend) throws Exception {
    Cohort client = cohort(backend);
    if (backend == Backend.IN_MEMORY) { // the flags the @BeforeEach made on the ZooKeeper server
      Cohort writer = cohort(backend);
      writer.blocking().createWithParents("/config/flags/dark-mode", "on".getBytes(UTF_8),
          CreateMode.PERSISTENT);
      writer.blocking().create("/config/flags/beta-search", "off".getBytes(UTF_8), CreateMode.PERSISTENT);
    }
    Map<String, String> flags = new ConcurrentHashMap<>();
    // snippet: cohort-cache
    ChildrenCache cache = ChildrenCache.start(client, "/config/flags", (type, child) -> {
      switch (type) {
        case ADDED, UPDATED -> flags.put(child.name(), new String(child.data(), UTF_8));
        case REMOVED -> flags.remove(child.name());
      }
    });                                       // returns once the initial children are loaded
    // end-snippet
    closeLater(cache);
    await().atMost(Duration.ofSeconds(10)).until(() -> flags.equals(BEFORE));
    assertEquals(BEFORE.keySet(), cache.children().keySet(), "the snapshot holds the initial children at once");
    if (backend == Backend.IN_MEMORY) {
      Cohort writer = cohort(backend);
      writer.blocking().setData("/config/flags/beta-search", "on".getBytes(UTF_8), -1);
      writer.blocking().delete("/config/flags/dark-mode", -1);
      writer.blocking().create("/config/flags/new-checkout", "10%".getBytes(UTF_8), CreateMode.PERSISTENT);
    } else {
      changeFlags();                          // Curator writes, Cohort's cache sees it
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> flags.equals(AFTER));
    assertEquals(AFTER.keySet(), cache.children().keySet());
  }
}
