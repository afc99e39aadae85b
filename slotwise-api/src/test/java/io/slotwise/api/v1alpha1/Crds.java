package io.slotwise.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CRD that the build generated (target/classes/META-INF/fabric8), for tests. */
final class Crds {

  static final String FILE_NAME = "redisclusters.slotwise.io-v1.yml";
  static final String GENERATED_RESOURCE = "META-INF/fabric8/" + FILE_NAME;
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Crds() {}

  static String generatedYaml() {
    try (InputStream in = Crds.class.getClassLoader().getResourceAsStream(GENERATED_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            GENERATED_RESOURCE
                + " is not on the test classpath: the crd-generator-maven-plugin did not run");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The generated CRD as a tree. */
  static JsonNode generated() {
    try {
      return YAML.readTree(generatedYaml());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** spec.versions[0].schema.openAPIV3Schema of the generated CRD. */
  static JsonNode openApiSchema() {
    return generated().path("spec").path("versions").path(0).path("schema").path("openAPIV3Schema");
  }

  /** The repository's root (the parent of the module directory surefire runs in). */
  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("slotwise-api").resolve("pom.xml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "repository root not found from " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
