package dev.patchops.devstack;

import dev.patchops.contract.schema.KafkaAccess;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** The contract's {@link KafkaAccess} grants as Kafka ACL bindings, the same Strimzi creates. */
public final class KafkaAcls {
  private KafkaAcls() {}

  public static List<AclBinding> bindings(Collection<KafkaAccess.Grant> grants) {
    return grants.stream().map(KafkaAcls::binding).toList();
  }

  static AclBinding binding(KafkaAccess.Grant grant) {
    ResourceType type =
        switch (grant.resource()) {
          case TOPIC -> ResourceType.TOPIC;
          case GROUP -> ResourceType.GROUP;
          case TRANSACTIONAL_ID -> ResourceType.TRANSACTIONAL_ID;
        };
    AclOperation operation =
        switch (grant.operation()) {
          case READ -> AclOperation.READ;
          case WRITE -> AclOperation.WRITE;
        };
    return new AclBinding(
        new ResourcePattern(type, grant.name(), PatternType.LITERAL),
        new AccessControlEntry("User:" + grant.user(), "*", operation, AclPermissionType.ALLOW));
  }
}
