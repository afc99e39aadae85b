package io.slotwise.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code slotwise operator --simulate apply FILE...}: creates or updates the resources of YAML
 * files in a running simulation (found through its folder), for when kubectl is not at hand.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "With --simulate: creates or updates the resources in FILE (YAML, several documents allowed)"
          + " in the simulation running in --dir, like 'kubectl apply -f FILE' without kubectl."
    })
final class SimulateApplyCommand implements Callable<Integer> {
  @ParentCommand OperatorCommand parent;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "YAML files of resources.")
  List<Path> files;

  @Override
  public Integer call() throws IOException {
    if (!parent.simulate) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "apply is for a simulation: slotwise operator --simulate [--dir DIR] apply FILE");
    }
    OperatorCommand.checkOptions(parent.spec);
    Path where = parent.simulationDir();
    String url =
        runningServer(where)
            .orElseThrow(
                () ->
                    new UserError(
                        "no simulation runs in "
                            + where
                            + ": start one with 'slotwise operator --simulate"
                            + (parent.dir == null ? "" : " --dir " + where)
                            + "' in another terminal"));
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        throw new UserError("no such file: " + f);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withNamespace("default")
            .withHttp2Disable(true)
            .build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      for (Path f : files) {
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(f)) {
          items = client.load(in).items();
        } catch (KubernetesClientException | IllegalArgumentException e) {
          throw new UserError("cannot read resources from " + f + ": " + e.getMessage());
        }
        if (items.isEmpty()) {
          throw new UserError("no resource in " + f);
        }
        for (HasMetadata item : items) {
          out.println(apply(client, item));
          out.flush();
        }
      }
    }
    return 0;
  }

  /** Creates the resource, or replaces the stored one's content (its status kept); one line. */
  private static String apply(KubernetesClient client, HasMetadata item) {
    String name = item.getMetadata() == null ? null : item.getMetadata().getName();
    if (name == null || name.isBlank()) {
      throw new UserError("a " + item.getKind() + " without metadata.name");
    }
    String what =
        item.getKind().toLowerCase(Locale.ROOT)
            + (item.getApiVersion().contains("/")
                ? "." + item.getApiVersion().substring(0, item.getApiVersion().indexOf('/'))
                : "")
            + "/"
            + name;
    if (item.getMetadata().getNamespace() == null) {
      item.getMetadata().setNamespace("default");
    }
    HasMetadata existing = client.resource(item).get();
    if (existing == null) {
      client.resource(item).create();
      return what + " created";
    }
    item.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    client.resource(item).update();
    return what + " configured";
  }

  /** The API server URL of the simulation in {@code dir} when it answers, else empty. */
  static Optional<String> runningServer(Path dir) {
    Path kubeconfig = dir.resolve("kubeconfig");
    if (!Files.isRegularFile(kubeconfig)) {
      return Optional.empty();
    }
    Optional<String> url;
    try {
      url =
          Files.readAllLines(kubeconfig).stream()
              .map(String::trim)
              .filter(l -> l.startsWith("server: "))
              .map(l -> l.substring("server: ".length()).trim())
              .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
    if (url.isEmpty()) {
      return Optional.empty();
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url.get() + "/healthz"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200 ? url : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
