package dev.patchops.platform.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment variables a service cannot run without in its active profiles, read from its own
 * {@code application.properties}: every {@code ${NAME}} without a default in the value that the
 * active profiles give a property. Checked before Quarkus starts, so that a Pod without its Secret
 * says in one line which variable is missing instead of a stack trace about a property.
 */
public final class RequiredSettings {
  private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}:]+)(:[^}]*)?}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

  /** One variable the active profiles need and nobody set, and the properties it feeds. */
  public record Missing(String variable, List<String> properties) {}

  private RequiredSettings() {}

  /**
   * The active profiles, later ones winning, as Quarkus reads them: {@code quarkus.profile}, then
   * {@code QUARKUS_PROFILE}, else {@code prod} (what {@code java -jar} runs).
   */
  public static List<String> profiles(UnaryOperator<String> sys, UnaryOperator<String> env) {
    String value = sys.apply("quarkus.profile");
    if (blank(value)) {
      value = env.apply("QUARKUS_PROFILE");
    }
    if (blank(value)) {
      value = "prod";
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList();
  }

  /** Every property's value in these profiles: a later profile's wins, then the plain one. */
  static Map<String, String> effective(Properties properties, List<String> profiles) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      if (!key.startsWith("%")) {
        values.put(key, properties.getProperty(key));
      }
    }
    for (String profile : profiles) {
      String prefix = "%" + profile + ".";
      for (String key : new TreeSet<>(properties.stringPropertyNames())) {
        if (key.startsWith(prefix)) {
          values.put(key.substring(prefix.length()), properties.getProperty(key));
        }
      }
    }
    return values;
  }

  /**
   * The variables missing for {@code properties} in {@code profiles}. A property set directly (its
   * system property, or its environment form such as {@code QUARKUS_DATASOURCE_PASSWORD}) needs
   * none of the variables its file value names.
   */
  public static List<Missing> missing(
      Properties properties,
      List<String> profiles,
      UnaryOperator<String> sys,
      UnaryOperator<String> env) {
    Map<String, List<String>> missing = new java.util.TreeMap<>();
    effective(properties, profiles)
        .forEach(
            (property, value) -> {
              if (!blank(sys.apply(property)) || !blank(env.apply(envForm(property)))) {
                return;
              }
              Matcher m = EXPRESSION.matcher(value == null ? "" : value);
              while (m.find()) {
                String name = m.group(1).trim();
                boolean hasDefault = m.group(2) != null;
                if (!hasDefault
                    && ENV_NAME.matcher(name).matches()
                    && blank(env.apply(name))
                    && blank(sys.apply(name))) {
                  missing.computeIfAbsent(name, n -> new ArrayList<>()).add(property);
                }
              }
            });
    return missing.entrySet().stream().map(e -> new Missing(e.getKey(), e.getValue())).toList();
  }

  /** The one line a service refusing to start prints, or empty when nothing is missing. */
  public static Optional<String> refusal(
      Properties properties, UnaryOperator<String> sys, UnaryOperator<String> env) {
    List<String> profiles = profiles(sys, env);
    List<Missing> missing = missing(properties, profiles, sys, env);
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    String service =
        effective(properties, profiles).getOrDefault("patchops.service-name", "this service");
    StringBuilder line =
        new StringBuilder(service)
            .append(" refuses to start in profile ")
            .append(String.join(",", profiles))
            .append(": required setting")
            .append(missing.size() == 1 ? " " : "s ");
    for (int i = 0; i < missing.size(); i++) {
      Missing m = missing.get(i);
      line.append(i == 0 ? "" : ", ")
          .append(m.variable())
          .append(" (")
          .append(String.join(", ", m.properties()))
          .append(")");
    }
    line.append(missing.size() == 1 ? " is" : " are")
        .append(" not set (docs/deploy.md: which Secret or ConfigMap each comes from)");
    return Optional.of(line.toString());
  }

  /** The refusal for the application's own {@code application.properties} and this process. */
  public static Optional<String> refusal() {
    Properties properties = new Properties();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try (InputStream in =
        (loader != null ? loader : RequiredSettings.class.getClassLoader())
            .getResourceAsStream("application.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return refusal(properties, System::getProperty, System::getenv);
  }

  /** How SmallRye Config spells a property as an environment variable. */
  static String envForm(String property) {
    StringBuilder out = new StringBuilder(property.length());
    for (char c : property.toCharArray()) {
      out.append(Character.isLetterOrDigit(c) ? c : '_');
    }
    return out.toString().toUpperCase(Locale.ROOT);
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
