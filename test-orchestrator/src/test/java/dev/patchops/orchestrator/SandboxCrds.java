package dev.patchops.orchestrator;

import dev.patchops.orchestrator.run.k8s.PatchTestCrdTest;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * Installs the committed CRD in the sandbox API before the executor starts, as {@code kubectl apply
 * -k deploy/kubernetes} would: without it the mock would let a plain update overwrite {@code
 * .status}, and the status-subresource semantics under test would go untested.
 */
@ApplicationScoped
public class SandboxCrds {
  void install(@Observes @Priority(1) StartupEvent event, KubernetesClient client) {
    try {
      CustomResourceDefinition crd =
          Serialization.unmarshal(
              Files.readString(PatchTestCrdTest.COMMITTED), CustomResourceDefinition.class);
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(crd)
          .createOr(NonDeletingOperation::update);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
