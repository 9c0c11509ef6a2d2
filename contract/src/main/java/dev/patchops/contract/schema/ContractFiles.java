package dev.patchops.contract.schema;

import dev.patchops.contract.EventType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The generated files of the contract, by path relative to the repository root. Run {@link #main}
 * (see the contract test's failure message) to rewrite them after changing a payload record.
 */
public final class ContractFiles {
  public static final String SCHEMA_DIR = "contract/src/main/resources/";
  public static final String ASYNCAPI = "docs/asyncapi.yaml";

  private ContractFiles() {}

  public static Map<String, String> expected() {
    Map<String, String> files = new LinkedHashMap<>();
    for (EventType type : EventType.values()) {
      files.put(
          SCHEMA_DIR + type.schemaResource(),
          PayloadSchemas.render(PayloadSchemas.schemaFor(type)));
    }
    files.put(ASYNCAPI, AsyncApiDocument.renderYaml(AsyncApiDocument.build()));
    files.put(KafkaAccess.KAFKA_USERS, KafkaAccess.kafkaUsersYaml());
    return files;
  }

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "..");
    for (Map.Entry<String, String> file : expected().entrySet()) {
      Path target = root.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.writeString(target, file.getValue());
    }
  }
}
