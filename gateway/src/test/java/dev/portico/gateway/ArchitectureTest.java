package dev.portico.gateway;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module walls and package directions of docs/architecture.md, held on the compiled classes of
 * the main code (every reference counts, not only import statements): a change that breaks one
 * fails here, naming the offending dependency.
 */
class ArchitectureTest {

  private static final String G = "dev.portico.gateway.";
  private static JavaClasses portico;

  @BeforeAll
  static void importClasses() {
    portico =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.portico");
  }

  // --- module walls ---------------------------------------------------------------------------

  @Test
  void metricsImportsNoOtherModule() {
    noClasses()
        .that()
        .resideInAPackage("dev.portico.metrics..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.portico.discovery..", "dev.portico.fabric..", "dev.portico.gateway..")
        .check(portico);
  }

  @Test
  void discoveryImportsNoOtherModule() {
    noClasses()
        .that()
        .resideInAPackage("dev.portico.discovery..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.portico.metrics..", "dev.portico.fabric..", "dev.portico.gateway..")
        .check(portico);
  }

  @Test
  void theServiceFabricAdapterImportsOnlyDiscovery() {
    noClasses()
        .that()
        .resideInAPackage("dev.portico.fabric..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.portico.metrics..", "dev.portico.gateway..")
        .check(portico);
  }

  // --- inside the gateway -----------------------------------------------------------------------

  @Test
  void gatewayFeaturesHaveNoCycles() {
    // a feature is a package under the gateway with its subpackages; the reverse-proxy listener's
    // stage (fabric.reverseproxy) sits on top of the request path, apart from Service Fabric
    // resolution
    SliceAssignment features =
        new SliceAssignment() {
          @Override
          public SliceIdentifier getIdentifierOf(JavaClass c) {
            String p = c.getPackageName();
            if (!p.startsWith(G)) {
              return SliceIdentifier.ignore();
            }
            if (p.startsWith(G + "fabric.reverseproxy")) {
              return SliceIdentifier.of("fabric.reverseproxy");
            }
            String rest = p.substring(G.length());
            int dot = rest.indexOf('.');
            return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
          }

          @Override
          public String getDescription() {
            return "gateway features";
          }
        };
    slices().assignedFrom(features).should().beFreeOfCycles().check(portico);
  }

  @Test
  void theVocabularyExpressionsAndHealthChecksAreLeaves() {
    noClasses()
        .that()
        .resideInAnyPackage(G + "problem..", G + "expression..", G + "health..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.portico..")
                .and(resideOutsideOfPackages(G + "problem..", G + "expression..", G + "health..")))
        .check(portico);
  }

  @Test
  void configImportsOnlyTheLeavesBelowIt() {
    noClasses()
        .that()
        .resideInAPackage(G + "config..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.portico.gateway..")
                .and(
                    resideOutsideOfPackages(
                        G + "config..",
                        G + "document..",
                        G + "expression..",
                        G + "problem..",
                        G + "openapi..",
                        G + "policy.config..")))
        .check(portico);
  }

  @Test
  void targetSourcesKnowBackendsNotRoutesNorTheRequestPath() {
    noClasses()
        .that()
        .resideInAPackage(G + "target..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.portico.gateway..")
                .and(
                    resideOutsideOfPackages(
                        G + "target..",
                        G + "backend..",
                        G + "resilience..",
                        G + "tracing..",
                        G + "problem..")))
        .check(portico);
  }

  @Test
  void serviceFabricResolutionSitsBelowRoutesAndTheRequestPath() {
    noClasses()
        .that()
        .resideInAPackage(G + "fabric")
        .or()
        .resideInAPackage(G + "fabric.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            G + "pipeline..", G + "routing..", G + "state..", G + "fabric.reverseproxy..")
        .check(portico);
  }

  @Test
  void theRequestPathKnowsServiceFabricOnlyThroughTargetSources() {
    noClasses()
        .that()
        .resideInAPackage(G + "pipeline..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(G + "fabric..", "dev.portico.fabric..")
        .check(portico);
    noClasses()
        .that()
        .resideInAPackage(G + "routing..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(G + "pipeline..", G + "state..")
        .check(portico);
  }

  @Test
  void internalsServeTheirParentPackageOnly() {
    // x.internal.. is x's own: only classes under x may use it
    List<String> violations = new ArrayList<>();
    for (JavaClass origin : portico) {
      for (Dependency d : origin.getDirectDependenciesFromSelf()) {
        String target = d.getTargetClass().getPackageName();
        int internal = target.indexOf(".internal");
        if (target.startsWith("dev.portico.")
            && internal > 0
            && !(origin.getPackageName() + ".").startsWith(target.substring(0, internal + 1))) {
          violations.add(d.getDescription());
        }
      }
    }
    assertThat(violations).isEmpty();
  }
}
