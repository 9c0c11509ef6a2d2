package dev.patchops.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

  @Test
  void clusterIdsAreSixteenBytesAndNeverLookLikeAnOption() {
    for (int i = 0; i < 5_000; i++) {
      String id = KafkaBroker.clusterId();
      assertThat(id).hasSize(22).doesNotStartWith("-");
      assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
    }
  }
}
