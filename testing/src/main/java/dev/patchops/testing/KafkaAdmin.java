package dev.patchops.testing;

import dev.patchops.devstack.KafkaBroker;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

final class KafkaAdmin {
  private KafkaAdmin() {}

  static void createTopics(KafkaBroker broker, Collection<String> topics, int partitions) {
    Map<String, Object> config = broker.clientConfig(KafkaBroker.ADMIN);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
    try (Admin admin = Admin.create(config)) {
      Set<String> existing = admin.listTopics().names().get();
      admin
          .createTopics(
              topics.stream()
                  .filter(t -> !existing.contains(t))
                  .map(t -> new NewTopic(t, partitions, (short) 1))
                  .collect(Collectors.toList()))
          .all()
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics " + topics, e.getCause());
    }
  }
}
