package dev.patchops.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class RecordFaultsTest {
  @Test
  void aRecordTooLargeBehindTheTransactionsErrorIsTheRecordsFault() {
    var failure =
        new KafkaException(
            "Cannot execute transactional method because we are in an error state",
            new RecordTooLargeException("The message is 1200000 bytes when serialized"));
    assertThat(RecordFaults.reason(failure))
        .isEqualTo("RecordTooLargeException: The message is 1200000 bytes when serialized");
  }

  @Test
  void theBrokerBeingAwayOrRefusingTheServiceIsNot() {
    assertThat(RecordFaults.reason(new KafkaException(new TimeoutException("expired")))).isNull();
    assertThat(RecordFaults.reason(new TopicAuthorizationException("patchops.tickets"))).isNull();
    assertThat(RecordFaults.reason(new IllegalStateException())).isNull();
  }

  @Test
  void theReasonIsCapped() {
    assertThat(RecordFaults.reason(new RecordTooLargeException("x".repeat(10_000))))
        .hasSizeLessThanOrEqualTo(501);
  }
}
