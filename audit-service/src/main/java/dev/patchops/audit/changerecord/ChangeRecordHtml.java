package dev.patchops.audit.changerecord;

import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.Variant;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Renders a change record as a self-contained web page from {@code templates/changeRecord.html}.
 *
 * <p>It runs its own Qute engine rather than the Quarkus one: Quarkus resolves properties only for
 * types it saw at build time, while this engine resolves record accessors by reflection, so the
 * page renders the same in the service and in plain unit tests. The engine escapes every expression
 * as HTML, because the page shows event data that anyone who can open a ticket writes.
 */
public final class ChangeRecordHtml {
  static final String TEMPLATE_RESOURCE = "templates/changeRecord.html";

  private static final Engine ENGINE =
      Engine.builder()
          .addDefaults()
          .addValueResolver(new ReflectionValueResolver())
          .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML)))
          .build();

  private static final Template TEMPLATE =
      ENGINE.parse(load(), Variant.forContentType(Variant.TEXT_HTML), TEMPLATE_RESOURCE);

  private ChangeRecordHtml() {}

  public static String render(ChangeRecord record) {
    return TEMPLATE.data("record", record).render();
  }

  private static String load() {
    try (InputStream in =
        ChangeRecordHtml.class.getClassLoader().getResourceAsStream(TEMPLATE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(TEMPLATE_RESOURCE + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
