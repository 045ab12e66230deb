package io.mlobj;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The kernel must stay engine-free: Spark and Flink adapters depend on it, never the reverse. */
class KernelDependencyRuleTest {
  private static final JavaClasses KERNEL =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.mlobj");

  @Test
  void kernelImportsNoSparkFlinkOrFlightClass() {
    noClasses()
        .that()
        .resideInAPackage("io.mlobj..")
        .and()
        .resideOutsideOfPackages(
            "io.mlobj.spark..",
            "io.mlobj.flink..",
            "io.mlobj.feed..",
            "io.mlobj.cli..",
            "io.mlobj.examples..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.spark..", "org.apache.flink..", "org.apache.arrow.flight..", "scala..")
        .check(KERNEL);
  }

  @Test
  void storeLayerKnowsNothingOfDatasets() {
    noClasses()
        .that()
        .resideInAnyPackage("io.mlobj.store..", "io.mlobj.internal.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.mlobj.internal.format..",
            "io.mlobj.commit..",
            "io.mlobj.internal.commit..",
            "io.mlobj.arrow..",
            "io.mlobj.internal.arrow..",
            "io.mlobj.ops..")
        .check(KERNEL);
  }
}
