package dev.punchd.docker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/** What the repository says about its Maven build: the reactor's poms and the README's mvn commands. Stateless. */
final class MavenReactor {
  private MavenReactor() {}

  /** Paths, relative to {@code root}, of the root pom and of every module's pom, nested modules included. */
  static List<String> pomPaths(Path root) throws IOException {
    List<String> poms = new ArrayList<>();
    collect(root, "", poms);
    return poms;
  }

  private static void collect(Path root, String directory, List<String> poms) throws IOException {
    String pom = directory + "pom.xml";
    poms.add(pom);
    NodeList modules;
    try {
      modules = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(root.resolve(pom).toFile())
          .getElementsByTagName("module");
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("cannot parse " + root.resolve(pom), e);
    }
    for (int i = 0; i < modules.getLength(); i++) {
      collect(root, directory + modules.item(i).getTextContent().strip() + "/", poms);
    }
  }

  /**
   * The lines of fenced code blocks in {@code markdown} that run mvn, directly or through {@code scripts/mvn}
   * (Maven on a JDK 21+), as {@code mvn ...}; a leading "$ " prompt dropped.
   */
  static List<String> mavenCommands(String markdown) {
    List<String> commands = new ArrayList<>();
    boolean inCode = false;
    for (String line : markdown.lines().map(String::strip).toList()) {
      if (line.startsWith("```")) {
        inCode = !inCode;
      } else if (inCode) {
        String command = line.startsWith("$ ") ? line.substring(2) : line;
        command = command.startsWith("scripts/mvn ") ? command.substring("scripts/".length()) : command;
        if (command.startsWith("mvn ")) {
          commands.add(command);
        }
      }
    }
    return commands;
  }
}
