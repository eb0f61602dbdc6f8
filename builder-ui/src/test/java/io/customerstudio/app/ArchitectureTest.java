package io.customerstudio.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.UUID;

/** The module and package rules of docs/architecture.md, checked on every build. */
@AnalyzeClasses(
    packages = "io.customerstudio",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule modulesDependOneWay =
      layeredArchitecture()
          .consideringOnlyDependenciesInAnyPackage("io.customerstudio..")
          .layer("query-engine")
          .definedBy("io.customerstudio.query..")
          .layer("infra")
          .definedBy("io.customerstudio.infra..")
          .layer("activities")
          .definedBy("io.customerstudio.activities..")
          .layer("workflows")
          .definedBy("io.customerstudio.workflows..")
          .layer("builder-ui")
          .definedBy("io.customerstudio.app..")
          .whereLayer("builder-ui")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("workflows")
          .mayOnlyBeAccessedByLayers("builder-ui")
          .whereLayer("activities")
          .mayOnlyBeAccessedByLayers("workflows", "builder-ui")
          .whereLayer("infra")
          .mayOnlyBeAccessedByLayers("activities", "workflows", "builder-ui")
          .whereLayer("query-engine")
          .mayOnlyBeAccessedByLayers("infra", "activities", "workflows", "builder-ui");

  @ArchTest
  static final ArchRule queryEngineIsAPlainLibrary =
      noClasses()
          .that()
          .resideInAPackage("io.customerstudio.query..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..", "io.temporal..")
          .because("query-engine is a plain library: no Spring, no Temporal");

  @ArchTest
  static final ArchRule workflowImplementationsDoNoIo =
      noClasses()
          .that()
          .resideInAPackage("io.customerstudio.workflows..")
          .and()
          .haveSimpleNameEndingWith("WorkflowImpl")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "java.sql..", "javax.sql..", "org.jooq..", "io.customerstudio.infra..")
          .because("workflow code is deterministic; every side effect is an activity");

  @ArchTest
  static final ArchRule workflowImplementationsUseWorkflowTimeAndRandomness =
      noClasses()
          .that()
          .resideInAPackage("io.customerstudio.workflows..")
          .and()
          .haveSimpleNameEndingWith("WorkflowImpl")
          .should()
          .callMethod(Instant.class, "now")
          .orShould()
          .callMethod(LocalDateTime.class, "now")
          .orShould()
          .callMethod(UUID.class, "randomUUID")
          .orShould()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Thread.class)
          .because("use Workflow.currentTimeMillis(), Workflow.randomUUID() and Workflow.sleep()");

  @ArchTest
  static final ArchRule featurePackagesHaveNoCycles =
      slices().matching("io.customerstudio.app.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule viewsDoNotTouchTheStoreDirectly =
      noClasses()
          .that()
          .resideInAPackage("io.customerstudio.app..ui..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.jooq..", "java.sql..")
          .because("views are thin: they talk to services");

  @ArchTest
  static final ArchRule viewsDoNotSeeStoreRecords =
      noClasses()
          .that()
          .resideInAPackage("io.customerstudio.app..ui..")
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAPackage("io.customerstudio.infra.store..")
                  .and(DescribedPredicate.not(JavaClass.Predicates.ENUMS)))
          .because(
              "views see their services' records; only the enums shared by every module"
                  + " (RunStatus, SyncMode, ScheduleType, roles) come from the store package");
}
