package dev.patchops.rollout;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * kubectl shows printer columns in the CRD's order, and fabric8's generator sorts them by JSON
 * path, which puts Age first: this puts them back in the order each class declares its {@link
 * AdditionalPrinterColumn}s, before the generator writes the CRD. Nothing in it is specific to one
 * resource.
 */
public final class DeclaredColumnOrder implements CRDPostProcessor {
  /** Declared column names by CRD name ({@code plural.group}). */
  private final Map<String, List<String>> declared;

  public DeclaredColumnOrder(Class<?>... resources) {
    declared =
        Arrays.stream(resources)
            .collect(
                Collectors.toMap(HasMetadata::getFullResourceName, DeclaredColumnOrder::columns));
  }

  /** The printer column names, as the class declares them. */
  public static List<String> columns(Class<?> resource) {
    return Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
  }

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    List<String> order = declared.get(crd.getMetadata().getName());
    if (order == null || !(crd instanceof CustomResourceDefinition v1)) {
      return crd;
    }
    for (CustomResourceDefinitionVersion version : v1.getSpec().getVersions()) {
      List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
      if (columns == null) {
        continue;
      }
      version.setAdditionalPrinterColumns(
          columns.stream()
              .sorted(Comparator.comparingInt(column -> place(order, column)))
              .toList());
    }
    return crd;
  }

  /** A column's place in the declaration; one the class does not declare is an error. */
  private static int place(List<String> order, CustomResourceColumnDefinition column) {
    int place = order.indexOf(column.getName());
    if (place < 0) {
      throw new IllegalStateException(
          "printer column " + column.getName() + " is not declared on the class");
    }
    return place;
  }
}
