package dev.patchops.kubectl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/** {@code -o json|yaml}: the objects as the API server returned them, for scripts. */
final class Output {
  private Output() {}

  static void check(String format) {
    if (format != null && !format.equals("json") && !format.equals("yaml")) {
      throw new PluginException(
          "error: unable to match a printer suitable for the output format \""
              + format
              + "\", allowed formats are: json,yaml");
    }
  }

  static String one(KubernetesSerialization s, Object r, String format) {
    if (format.equals("yaml")) {
      return s.asYaml(r);
    }
    try {
      // Indented, as kubectl prints it.
      return new ObjectMapper().readTree(s.asJson(r)).toPrettyString() + "\n";
    } catch (JsonProcessingException e) {
      throw new PluginException("error: " + e.getOriginalMessage());
    }
  }

  static String list(
      KubernetesSerialization s, List<GenericKubernetesResource> items, String format) {
    return one(s, new KubernetesListBuilder().withItems(List.copyOf(items)).build(), format);
  }
}
