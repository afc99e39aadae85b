package io.slotwise.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The printer-column JSONPath subset, Table rows and kubectl's short ages. */
class TablesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void jsonPathFollowsFieldsIndexesAndFilters() throws Exception {
    JsonNode o =
        JSON.readTree(
            "{\"spec\":{\"shards\":3},\"status\":{\"conditions\":["
                + "{\"type\":\"Progressing\",\"status\":\"False\"},"
                + "{\"type\":\"Ready\",\"status\":\"True\"}]}}");
    assertThat(JsonPath.first(o, ".spec.shards").asInt()).isEqualTo(3);
    assertThat(JsonPath.first(o, "{.spec.shards}").asInt()).isEqualTo(3);
    assertThat(JsonPath.first(o, ".status.conditions[?(@.type==\"Ready\")].status").asText())
        .isEqualTo("True");
    assertThat(JsonPath.first(o, ".status.conditions[0].type").asText()).isEqualTo("Progressing");
    assertThat(JsonPath.all(o, ".status.conditions[*].type")).hasSize(2);
    assertThat(JsonPath.first(o, ".status.operation.type").isMissingNode()).isTrue();
    assertThat(JsonPath.first(o, "bogus").isMissingNode()).isTrue();
  }

  @Test
  void aCustomResourceTableHasNameThenTheCrdColumns() throws Exception {
    JsonNode columns =
        JSON.readTree(
            "[{\"name\":\"Shards\",\"type\":\"integer\",\"jsonPath\":\".spec.shards\"},"
                + "{\"name\":\"Op\",\"type\":\"string\",\"jsonPath\":\".status.operation.type\"}]");
    JsonNode rc = JSON.readTree("{\"metadata\":{\"name\":\"a\"},\"spec\":{\"shards\":4}}");
    JsonNode table = Tables.table(Tables.columns("RedisCluster", columns), List.of(rc), "7", false);
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("metadata").path("resourceVersion").asText()).isEqualTo("7");
    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Shards", "Op");
    JsonNode cells = table.path("rows").get(0).path("cells");
    assertThat(cells.get(0).asText()).isEqualTo("a");
    assertThat(cells.get(1).asInt()).isEqualTo(4);
    assertThat(cells.get(2).isNull()).isTrue();
    assertThat(table.path("rows").get(0).path("object").path("kind").asText())
        .isEqualTo("PartialObjectMetadata");
  }

  @Test
  void agesReadLikeKubectls() {
    assertThat(Tables.human(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Tables.human(Duration.ofSeconds(200))).isEqualTo("3m20s");
    assertThat(Tables.human(Duration.ofMinutes(12))).isEqualTo("12m");
    assertThat(Tables.human(Duration.ofMinutes(303))).isEqualTo("5h3m");
    assertThat(Tables.human(Duration.ofHours(20))).isEqualTo("20h");
    assertThat(Tables.human(Duration.ofHours(52))).isEqualTo("2d4h");
    assertThat(Tables.human(Duration.ofDays(30))).isEqualTo("30d");
    assertThat(Tables.human(Duration.ofDays(800))).isEqualTo("2y");
  }

  @Test
  void fieldSelectorsMatchAnyField() throws Exception {
    JsonNode ev =
        JSON.readTree("{\"involvedObject\":{\"name\":\"minimal\",\"kind\":\"RedisCluster\"}}");
    assertThat(KubectlFront.fieldsMatch(ev, "involvedObject.name=minimal")).isTrue();
    assertThat(
            KubectlFront.fieldsMatch(
                ev, "involvedObject.name==minimal,involvedObject.kind=RedisCluster"))
        .isTrue();
    assertThat(KubectlFront.fieldsMatch(ev, "involvedObject.name=other")).isFalse();
    assertThat(KubectlFront.fieldsMatch(ev, "involvedObject.name!=other")).isTrue();
  }
}
