package io.slotwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** A command line built for the verbs it names parses like the whole tree. */
class CommandTreeTest {
  /** Every path of verbs in the whole tree, e.g. [cluster, rebalance]. */
  private static List<List<String>> paths(CommandLine cl, List<String> prefix) {
    List<List<String>> out = new ArrayList<>();
    out.add(prefix);
    cl.getSubcommands()
        .forEach(
            (name, sub) -> {
              List<String> p = new ArrayList<>(prefix);
              p.add(name);
              out.addAll(paths(sub, p));
            });
    return out;
  }

  private static CommandLine at(CommandLine root, List<String> path) {
    CommandLine cl = root;
    for (String verb : path) {
      cl = cl.getSubcommands().get(verb);
    }
    return cl;
  }

  private static List<String> options(CommandLine cl) {
    return cl.getCommandSpec().options().stream().map(OptionSpec::longestName).sorted().toList();
  }

  @Test
  void everyVerbBuiltAloneHasTheOptionsAndParametersOfTheWholeTree() {
    CommandLine full = Main.commandLine();
    List<List<String>> paths = paths(full, List.of());
    assertThat(paths)
        .contains(
            List.of("cluster", "rebalance"),
            List.of("cluster", "drain"),
            List.of("local", "up"),
            List.of("operator", "apply"));
    for (List<String> path : paths) {
      CommandLine pruned = Main.commandLine(path.toArray(new String[0]));
      CommandLine alone = at(pruned, path);
      CommandLine whole = at(full, path);
      assertThat(alone).as("%s is built", path).isNotNull();
      assertThat(options(alone)).as("options of %s", path).isEqualTo(options(whole));
      assertThat(alone.getCommandSpec().positionalParameters().size())
          .as("parameters of %s", path)
          .isEqualTo(whole.getCommandSpec().positionalParameters().size());
      assertThat(alone.getSubcommands().keySet())
          .as("verbs of %s", path)
          .isEqualTo(whole.getSubcommands().keySet());
      assertThat(options(alone)).as("--debug is inherited by %s", path).contains("--debug");
      // Only the named branch is built above it.
      for (int i = 0; i < path.size(); i++) {
        assertThat(at(pruned, path.subList(0, i)).getSubcommands().keySet())
            .containsExactly(path.get(i));
      }
    }
  }

  @Test
  void aMistypedVerbGetsTheWholeTreesErrorAndHelpListsEveryVerb() {
    StringWriter err = new StringWriter();
    String[] args = {"cluster", "rebalanc", "127.0.0.1:7000"};
    CommandLine cl = Main.commandLine(args);
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute(args)).isEqualTo(2);
    assertThat(err.toString()).contains("rebalanc").contains("slotwise cluster --help");

    StringWriter out = new StringWriter();
    String[] help = {"--help"};
    CommandLine h = Main.commandLine(help);
    h.setOut(new PrintWriter(out));
    assertThat(h.execute(help)).isZero();
    assertThat(out.toString()).contains("local").contains("cluster").contains("operator");
  }
}
