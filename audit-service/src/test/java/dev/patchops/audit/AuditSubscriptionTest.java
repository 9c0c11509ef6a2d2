package dev.patchops.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.Channels;
import dev.patchops.contract.Topics;
import dev.patchops.contract.schema.KafkaAccess;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The trail must hear every topic: a topic added to the contract and not here fails the build. */
class AuditSubscriptionTest {
  @Test
  void theTrailSubscribesToEveryTopicButItsOwnCheckpoints() throws Exception {
    Properties properties = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
      properties.load(in);
    }
    String topics =
        properties.getProperty("mp.messaging.incoming." + Channels.AUDIT_TRAIL_IN + ".topics");
    assertThat(Arrays.asList(topics.split(",")))
        .containsExactlyInAnyOrderElementsOf(
            Topics.ALL.stream().filter(t -> !t.equals(Topics.AUDIT)).toList());
    // What the service's KafkaUser may read (its ACLs) is what it subscribes to.
    assertThat(Arrays.asList(topics.split(",")))
        .containsExactlyInAnyOrderElementsOf(KafkaAccess.Client.AUDIT_SERVICE.consumes());
    assertThat(
            properties.getProperty("mp.messaging.incoming." + Channels.AUDIT_TRAIL_IN + ".batch"))
        .isEqualTo("true");
  }
}
