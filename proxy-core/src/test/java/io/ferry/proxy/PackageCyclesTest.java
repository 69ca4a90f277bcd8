package io.ferry.proxy;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Proxy-core's packages depend on each other one way only, so that each can be read (and changed)
 * knowing only the packages below it. {@code io.ferry.proxy} itself assembles the others and
 * belongs to no slice.
 */
@AnalyzeClasses(packages = "io.ferry.proxy", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {

  @ArchTest
  static final ArchRule should_have_no_import_cycle_between_packages =
      slices().matching("io.ferry.proxy.(*)..").namingSlices("$1").should().beFreeOfCycles();
}
