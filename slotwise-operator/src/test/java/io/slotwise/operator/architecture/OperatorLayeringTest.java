package io.slotwise.operator.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's layering, checked on its compiled classes (tests excluded). */
class OperatorLayeringTest {
  private static JavaClasses operator;

  @BeforeAll
  static void importOperator() {
    operator =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.slotwise.operator");
  }

  @Test
  void theRollPlannerIsPureOverWhatPodsAndRedisSay() {
    classes()
        .that()
        .resideInAPackage("io.slotwise.operator.roll..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("io.slotwise.operator.roll..", "java..")
        .check(operator);
  }

  @Test
  void theModelBuildsObjectsButNeverTalksToTheApiServerOrRedis() {
    noClasses()
        .that()
        .resideInAnyPackage("io.slotwise.operator.model..", "io.slotwise.operator.status..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.fabric8.kubernetes.client..",
            "io.lettuce..",
            "io.slotwise.engine.execute..",
            "io.slotwise.engine.redis..")
        .check(operator);
  }

  /** Only SimulatedOperator, which joins the two for {@code --simulate}, knows both. */
  @Test
  void theSimulatorKnowsNothingOfTheOperator() {
    noClasses()
        .that()
        .resideInAPackage("io.slotwise.operator.sim..")
        .and()
        .doNotHaveSimpleName("SimulatedOperator")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.slotwise.operator",
            "io.slotwise.operator.model..",
            "io.slotwise.operator.roll..",
            "io.slotwise.operator.status..",
            "io.javaoperatorsdk..")
        .check(operator);
  }

  @Test
  void theOperatorNeverDependsOnTheSimulator() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.slotwise.operator.sim..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.slotwise.operator.sim..")
        .check(operator);
  }

  @Test
  void onlyTheEngineTalksToRedisProtocolLibraries() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.slotwise.operator.sim..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.lettuce..", "io.netty..")
        .check(operator);
  }

  @Test
  void operatorPackagesHaveNoCycles() {
    slices().matching("io.slotwise.operator.(*)..").should().beFreeOfCycles().check(operator);
  }
}
