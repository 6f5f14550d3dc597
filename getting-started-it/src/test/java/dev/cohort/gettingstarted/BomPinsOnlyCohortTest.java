package dev.cohort.gettingstarted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM is what users import, so it must pin Cohort's artifacts and nothing else: a BOM that
 * inherited cohort-parent would pin JUnit, Guava, Curator and the rest in their builds too.
 */
class BomPinsOnlyCohortTest {
  /** Reactor modules that are not published, so the BOM does not list them. */
  private static final Set<String> UNPUBLISHED =
      Set.of("bom", "examples", "examples/spring-boot", "benchmarks", "getting-started-it");

  private static final Path ROOT = Path.of(System.getProperty("cohort.root", ".."));

  @Test
  void bomHasNoParentSoItInheritsNoDependencyManagement() throws Exception {
    Element bom = read(ROOT.resolve("bom/pom.xml"));
    assertTrue(children(bom, "parent").isEmpty(), "cohort-bom must not have a <parent>");
    assertEquals("dev.cohort", text(bom, "groupId"));
    assertEquals("cohort-bom", text(bom, "artifactId"));
    assertEquals(text(read(ROOT.resolve("pom.xml")), "version"), text(bom, "version"),
        "cohort-bom's version must equal cohort-parent's");
    assertTrue(children(bom, "dependencies").isEmpty(), "a BOM declares no dependencies");
  }

  @Test
  void bomPinsOnlyCohortArtifactsAtTheProjectVersion() throws Exception {
    for (Element dependency : managedDependencies()) {
      String id = text(dependency, "groupId") + ":" + text(dependency, "artifactId");
      assertEquals("dev.cohort", text(dependency, "groupId"), id + " is not Cohort's");
      assertEquals("${project.version}", text(dependency, "version"), id);
      assertTrue(children(dependency, "scope").isEmpty(), id + ": no scope in a BOM");
    }
  }

  @Test
  void bomListsEveryPublishedModule() throws Exception {
    Set<String> pinned = new TreeSet<>();
    for (Element dependency : managedDependencies()) {
      pinned.add(text(dependency, "artifactId"));
    }
    Element parent = read(ROOT.resolve("pom.xml"));
    for (Element module : children(first(parent, "modules"), "module")) {
      String dir = module.getTextContent().trim();
      if (UNPUBLISHED.contains(dir)) {
        continue;
      }
      String artifactId = text(read(ROOT.resolve(dir).resolve("pom.xml")), "artifactId");
      assertTrue(pinned.contains(artifactId),
          "module " + dir + " (" + artifactId + ") is published but cohort-bom does not pin it");
    }
  }

  /**
   * README's demo command runs {@code exec:java} on {@code -pl examples -am}, so on examples and every
   * module it depends on. Only the demo may run there: another module whose main ran (and exited)
   * first would replace the demo without a failure.
   */
  @Test
  void onlyTheDemoModulesRunExecJavaByDefault() throws Exception {
    Element parent = read(ROOT.resolve("pom.xml"));
    for (Element module : children(first(parent, "modules"), "module")) {
      String dir = module.getTextContent().trim();
      if (dir.equals("examples") || dir.equals("examples/spring-boot")) {
        continue;
      }
      Element pom = read(ROOT.resolve(dir).resolve("pom.xml"));
      List<Element> properties = children(pom, "properties");
      String skip = properties.isEmpty() ? null : optionalText(properties.get(0), "exec.skip");
      assertTrue(skip == null || skip.equals("true"),
          "module " + dir + " sets exec.skip to " + skip + ": the demo command would run its main");
      NodeList skips = pom.getElementsByTagName("skip");
      for (int i = 0; i < skips.getLength(); i++) {
        Element plugin = (Element) skips.item(i).getParentNode().getParentNode();
        if (!"exec-maven-plugin".equals(optionalText(plugin, "artifactId"))) {
          continue;
        }
        String value = skips.item(i).getTextContent().trim();
        if (value.startsWith("${") && !properties.isEmpty()) {
          value = optionalText(properties.get(0), value.substring(2, value.length() - 1));
        }
        assertEquals("true", value, "module " + dir + ": exec:java must be skipped unless asked for");
      }
    }
  }

  private static String optionalText(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0).getTextContent().trim();
  }

  private static List<Element> managedDependencies() throws Exception {
    Element bom = read(ROOT.resolve("bom/pom.xml"));
    List<Element> dependencies =
        children(first(first(bom, "dependencyManagement"), "dependencies"), "dependency");
    assertTrue(dependencies.size() >= 7, "the BOM pins Cohort's modules");
    return dependencies;
  }

  private static Element read(Path pom) throws Exception {
    assertTrue(Files.isRegularFile(pom), pom + " exists");
    Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    return document.getDocumentElement();
  }

  private static Element first(Element parent, String name) {
    List<Element> found = children(parent, name);
    assertEquals(1, found.size(), "one <" + name + "> in <" + parent.getTagName() + ">");
    return found.get(0);
  }

  private static String text(Element parent, String name) {
    return first(parent, name).getTextContent().trim();
  }

  /** Direct children only: a dependency's own groupId, not one nested deeper. */
  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element element && element.getTagName().equals(name)) {
        found.add(element);
      }
    }
    return found;
  }
}
