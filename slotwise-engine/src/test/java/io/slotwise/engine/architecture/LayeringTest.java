package io.slotwise.engine.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine's layering, checked on its compiled classes (tests excluded). */
class LayeringTest {
  private static JavaClasses engine;

  @BeforeAll
  static void importEngine() {
    engine =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.slotwise.engine");
  }

  @Test
  void onlyTheRedisPackageTalksToLettuceAndNetty() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.slotwise.engine.redis..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.lettuce..", "io.netty..", "reactor..")
        .check(engine);
  }

  @Test
  void enginePackagesHaveNoCycles() {
    slices().matching("io.slotwise.engine.(*)..").should().beFreeOfCycles().check(engine);
  }

  @Test
  void plannersDependOnlyOnTopologyObservationAndPlans() {
    classes()
        .that()
        .resideInAPackage("io.slotwise.engine.plan..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.slotwise.engine.plan..",
            "io.slotwise.engine.topology..",
            "io.slotwise.engine.observe..",
            "io.slotwise.engine.failure..",
            "java..")
        .check(engine);
  }

  @Test
  void observationAndTopologyNeverReachForTheExecutorsOrTheLocalRuntime() {
    noClasses()
        .that()
        .resideInAnyPackage("io.slotwise.engine.observe..", "io.slotwise.engine.topology..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.slotwise.engine.execute..",
            "io.slotwise.engine.migrate..",
            "io.slotwise.engine.health..",
            "io.slotwise.engine.local..")
        .check(engine);
  }

  @Test
  void onlyTheLocalRuntimeDependsOnTheConvergenceStep() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.slotwise.engine.observe..",
            "io.slotwise.engine.plan..",
            "io.slotwise.engine.execute..",
            "io.slotwise.engine.migrate..",
            "io.slotwise.engine.health..",
            "io.slotwise.engine.redis..",
            "io.slotwise.engine.topology..",
            "io.slotwise.engine.failure..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.slotwise.engine.converge..")
        .check(engine);
  }

  @Test
  void theConvergenceStepKnowsNoNodeProviderImplementation() {
    noClasses()
        .that()
        .resideInAPackage("io.slotwise.engine.converge..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.slotwise.engine.local..")
        .check(engine);
  }

  @Test
  void theEngineKnowsNothingOfTheCommandLine() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("picocli..", "io.slotwise.cli..")
        .check(engine);
  }
}
